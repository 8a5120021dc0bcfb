#include "hostsim/usermode/engine.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "arch/x86_64/selectors.h"

namespace hostsim::usermode {

namespace {

constexpr std::uint64_t page = 4096;

/// Where a slice "ends": an address rip can never hold (not canonical), so the engine only stops through a
/// hook or an error.
constexpr std::uint64_t never = 0x8000'0000'0000'0000;

/// Set-up descriptors (Intel SDM vol. 3A, 3.4.5): 64-bit code (L=1) and data, for ring 0 and ring 3, at the
/// selectors the bare-metal GDT uses (arch/x86_64/selectors.h), so ring-3 code sees the same CS and SS.
constexpr std::uint64_t user_data_selector = X86_SELECTOR_USER_DATA,
                        user_code_selector = X86_SELECTOR_USER_CODE;
constexpr std::uint64_t setup_gdt[] = {
    0,
    0x00af'9b00'0000'ffff, // 0x08: ring-0 code, 64-bit
    0x00cf'9300'0000'ffff, // 0x10: ring-0 data
    0x00cf'f300'0000'ffff, // 0x18: ring-3 data
    0x00af'fb00'0000'ffff, // 0x20: ring-3 code, 64-bit
};
static_assert(X86_SELECTOR_KERNEL_CODE == 0x08 && X86_SELECTOR_KERNEL_DATA == 0x10 &&
              user_data_selector >> 3 == 3 && user_code_selector >> 3 == 4);
constexpr std::uint64_t cr4_tsd = 1u << 2; // rdtsc faults in ring 3: hostsim supplies virtual time instead
// SSE on and its exceptions as #XM (Intel SDM vol. 3A, 2.5), as the bare-metal kernel sets them; x87 errors
// as #MF (CR0.NE), no #NM (CR0.TS and CR0.EM clear): the kernel switches the registers eagerly.
constexpr std::uint64_t cr4_osfxsr = 1u << 9, cr4_osxmmexcpt = 1u << 10;
constexpr std::uint64_t cr0_mp = 1u << 1, cr0_em = 1u << 2, cr0_ts = 1u << 3, cr0_ne = 1u << 5;

constexpr int frame_registers[] = {
    UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX,    UC_X86_REG_RDX,     UC_X86_REG_RSI,
    UC_X86_REG_RDI, UC_X86_REG_RBP, UC_X86_REG_R8,     UC_X86_REG_R9,      UC_X86_REG_R10,
    UC_X86_REG_R11, UC_X86_REG_R12, UC_X86_REG_R13,    UC_X86_REG_R14,     UC_X86_REG_R15,
    UC_X86_REG_RIP, UC_X86_REG_RSP, UC_X86_REG_RFLAGS, UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE,
};
constexpr int frame_register_count = sizeof frame_registers / sizeof frame_registers[0];

/// VectorRegisters' fields in order: the x87 control, status and tag words, MXCSR, the x87 pointers, ST0-7,
/// XMM0-15.
constexpr int vector_registers[] = {
    UC_X86_REG_FPCW,  UC_X86_REG_FPSW,  UC_X86_REG_FPTAG, UC_X86_REG_MXCSR, UC_X86_REG_FIP,
    UC_X86_REG_FDP,   UC_X86_REG_FOP,   UC_X86_REG_FP0,   UC_X86_REG_FP1,   UC_X86_REG_FP2,
    UC_X86_REG_FP3,   UC_X86_REG_FP4,   UC_X86_REG_FP5,   UC_X86_REG_FP6,   UC_X86_REG_FP7,
    UC_X86_REG_XMM0,  UC_X86_REG_XMM1,  UC_X86_REG_XMM2,  UC_X86_REG_XMM3,  UC_X86_REG_XMM4,
    UC_X86_REG_XMM5,  UC_X86_REG_XMM6,  UC_X86_REG_XMM7,  UC_X86_REG_XMM8,  UC_X86_REG_XMM9,
    UC_X86_REG_XMM10, UC_X86_REG_XMM11, UC_X86_REG_XMM12, UC_X86_REG_XMM13, UC_X86_REG_XMM14,
    UC_X86_REG_XMM15,
};
constexpr int vector_register_count = sizeof vector_registers / sizeof vector_registers[0];

/// Where each of vector_registers lives in `v`.
void vector_places(hostsim::VectorRegisters& v, void* (&places)[vector_register_count]) {
    std::uint64_t* words[] = {&v.fcw, &v.fsw, &v.ftag, &v.mxcsr, &v.fip, &v.fdp, &v.fop};
    int i = 0;
    for (std::uint64_t* w : words) places[i++] = w;
    for (auto& st : v.st) places[i++] = &st;
    for (auto& x : v.xmm) places[i++] = x;
}
static_assert(sizeof(arch::UserFrame) == frame_register_count * sizeof(std::uint64_t),
              "frame_registers lists every field of arch::UserFrame in order");

[[noreturn]] void die(const char* what, uc_err e) {
    std::fprintf(stderr, "hostsim: Unicorn: %s: %s\n", what, uc_strerror(e));
    std::abort();
}

} // namespace

Engine::Engine(MemoryHandler& memory) : memory_(memory) {
    if (uc_err e = uc_open(UC_ARCH_X86, UC_MODE_64, &uc_)) die("uc_open", e);
    uc_hook h;
    auto add = [&](int type, void* callback, int extra = -1) {
        uc_err e = extra < 0 ? uc_hook_add(uc_, &h, type, callback, this, 1, 0)
                             : uc_hook_add(uc_, &h, type, callback, this, 1, 0, extra);
        if (e) die("uc_hook_add", e);
    };
    add(UC_HOOK_CODE, reinterpret_cast<void*>(&on_code));
    add(UC_HOOK_INSN, reinterpret_cast<void*>(&on_syscall), UC_X86_INS_SYSCALL);
    add(UC_HOOK_INSN, reinterpret_cast<void*>(&on_in), UC_X86_INS_IN);
    add(UC_HOOK_INSN, reinterpret_cast<void*>(&on_out), UC_X86_INS_OUT);
    add(UC_HOOK_INTR, reinterpret_cast<void*>(&on_interrupt));
    add(UC_HOOK_MEM_INVALID, reinterpret_cast<void*>(&on_memory));
    enter_ring3();
}

Engine::~Engine() {
    if (clean_) uc_context_free(clean_);
    if (uc_) uc_close(uc_);
}

// CPL 3 by `iretq` from ring 0 (Intel SDM vol. 3A, 6.14.3: a 64-bit iret pops rip, cs, rflags, rsp, ss):
// a one-page GDT and a one-instruction trampoline with its frame, executed once and then unmapped.
void Engine::enter_ring3() {
    alignas(4096) static unsigned char setup[page];
    constexpr std::uint64_t gdt_offset = 0x800, frame_offset = 0xf00;
    std::memset(setup, 0, sizeof setup);
    setup[0] = 0x48; // iretq (REX.W CF)
    setup[1] = 0xcf;
    std::memcpy(setup + gdt_offset, setup_gdt, sizeof setup_gdt);
    const std::uint64_t frame[] = {setup_page, user_code_selector, 0x2, 0, user_data_selector};
    std::memcpy(setup + frame_offset, frame, sizeof frame);
    if (uc_err e = uc_mem_map_ptr(uc_, setup_page, page, UC_PROT_ALL, setup))
        die("mapping the set-up page", e);
    uc_x86_mmr gdtr{};
    gdtr.base = setup_page + gdt_offset;
    gdtr.limit = sizeof setup_gdt - 1;
    uc_reg_write(uc_, UC_X86_REG_GDTR, &gdtr);
    set_reg(UC_X86_REG_RSP, setup_page + frame_offset);
    set_reg(UC_X86_REG_CR4, reg(UC_X86_REG_CR4) | cr4_tsd | cr4_osfxsr | cr4_osxmmexcpt);
    set_reg(UC_X86_REG_CR0, (reg(UC_X86_REG_CR0) & ~(cr0_em | cr0_ts)) | cr0_mp | cr0_ne);
    budget_ = 1; // the iretq, and then the hook stops at ring 3's first instruction
    limit_ = 1;
    executed_ = 0;
    uc_err e = uc_emu_start(uc_, setup_page, never, 0, 0);
    stopped_ = false;
    if (e || reg(UC_X86_REG_CS) != user_code_selector || reg(UC_X86_REG_SS) != user_data_selector)
        die("entering ring 3", e ? e : UC_ERR_EXCEPTION);
    if (uc_err u = uc_mem_unmap(uc_, setup_page, page)) die("unmapping the set-up page", u);
    // A fixed exit set: otherwise every uc_emu_start re-registers its `until` address and invalidates the
    // translated code around it, which costs more than the slice itself.
    std::uint64_t exit_address = never;
    if (uc_err x = uc_ctl_exits_enable(uc_)) die("enabling exits", x);
    if (uc_err x = uc_ctl_set_exits(uc_, &exit_address, 1)) die("setting the exit", x);
    if (uc_err c = uc_context_alloc(uc_, &clean_)) die("uc_context_alloc", c);
    if (uc_err c = uc_context_save(uc_, clean_)) die("uc_context_save", c);
}

std::uint64_t Engine::reg(int id) {
    std::uint64_t v = 0;
    uc_reg_read(uc_, id, &v);
    return v;
}

void Engine::set_reg(int id, std::uint64_t value) {
    uc_reg_write(uc_, id, &value);
}

EngineStop Engine::run(arch::UserFrame& frame, hostsim::VectorRegisters& vectors, std::uint64_t budget,
                       std::uint64_t& executed) {
    if (dirty_) uc_context_restore(uc_, clean_);
    dirty_ = false;
    auto* words = reinterpret_cast<std::uint64_t*>(&frame);
    void* values[frame_register_count];
    for (int i = 0; i < frame_register_count; ++i) values[i] = &words[i];
    uc_reg_write_batch(uc_, const_cast<int*>(frame_registers), values, frame_register_count);
    void* places[vector_register_count];
    vector_places(vectors, places);
    uc_reg_write_batch(uc_, const_cast<int*>(vector_registers), places, vector_register_count);
    budget_ = budget;
    executed_ = 0;
    stopped_ = false;
    port_done_ = false;
    limit_ = breakpoints_.empty() ? budget : 0;
    stop_ = EngineStop{};
    uc_err e = uc_emu_start(uc_, frame.rip, never, 0, 0);
    uc_reg_read_batch(uc_, const_cast<int*>(frame_registers), values, frame_register_count);
    // Unicorn writes only each register's own width (2 bytes of a control word, 10 of an ST register).
    vectors = hostsim::VectorRegisters{};
    uc_reg_read_batch(uc_, const_cast<int*>(vector_registers), places, vector_register_count);
    executed = executed_;
    if (stopped_) {
        if (stop_.kind == EngineStop::Kind::port_io) {
            frame.rip = stop_.address;
            frame.rax = refused_rax_;
            frame.rcx = refused_rcx_;
            frame.rsi = refused_rsi_;
            frame.rdi = refused_rdi_;
        }
        dirty_ = stop_.kind == EngineStop::Kind::interrupt;
        return stop_;
    }
    dirty_ = true;
    switch (e) {
    case UC_ERR_INSN_INVALID:
        return {EngineStop::Kind::invalid, 0, frame.rip, {}};
    case UC_ERR_READ_UNMAPPED:
    case UC_ERR_WRITE_UNMAPPED:
    case UC_ERR_FETCH_UNMAPPED:
    case UC_ERR_READ_PROT:
    case UC_ERR_WRITE_PROT:
    case UC_ERR_FETCH_PROT:
        return {EngineStop::Kind::memory, 0, 0, {}};
    case UC_ERR_OK:
        return {EngineStop::Kind::engine_error, 0, frame.rip, "the engine stopped without a reason"};
    default:
        return {EngineStop::Kind::engine_error, 0, frame.rip, uc_strerror(e)};
    }
}

void Engine::stop(EngineStop s) {
    if (!stopped_) {
        stopped_ = true;
        stop_ = std::move(s);
    }
    limit_ = 0;
    uc_emu_stop(uc_);
}

extern "C" __attribute__((noinline)) void janus_user_breakpoint(const arch::UserFrame* frame) {
    asm volatile("" : : "r"(frame) : "memory"); // a place for gdb to stop, never optimised away
}

void Engine::breakpoint(std::uint64_t address) {
    arch::UserFrame f{};
    auto* words = reinterpret_cast<std::uint64_t*>(&f);
    for (int i = 0; i < frame_register_count; ++i) words[i] = reg(frame_registers[i]);
    std::fprintf(
        stderr,
        "hostsim: user breakpoint %#llx: rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx "
        "rbp %#llx rsp %#llx\n",
        static_cast<unsigned long long>(address), static_cast<unsigned long long>(f.rax),
        static_cast<unsigned long long>(f.rbx), static_cast<unsigned long long>(f.rcx),
        static_cast<unsigned long long>(f.rdx), static_cast<unsigned long long>(f.rsi),
        static_cast<unsigned long long>(f.rdi), static_cast<unsigned long long>(f.rbp),
        static_cast<unsigned long long>(f.rsp));
    janus_user_breakpoint(&f);
}

// Called before each instruction: the budget counts instructions begun. While limit_ allows, nothing but the
// count is to do (no breakpoints, no stop or finished port access pending, budget left); otherwise the checks
// below, in their order.
void Engine::on_code(uc_engine*, std::uint64_t address, std::uint32_t, void* self) {
    Engine& e = *static_cast<Engine*>(self);
    if (e.executed_ < e.limit_) [[likely]] {
        ++e.executed_;
        return;
    }
    if (!e.breakpoints_.empty())
        for (std::uint64_t b : e.breakpoints_)
            if (b == address) e.breakpoint(address);
    if (e.port_done_) { // the port access before this instruction ends the slice here (rip = address)
        e.port_done_ = false;
        e.stop({EngineStop::Kind::port_done, 0, 0, {}});
        return;
    }
    if (e.stopped_) { // a stop requested inside the previous instruction: nothing more of the slice runs
        uc_emu_stop(e.uc_);
        return;
    }
    if (e.executed_ == e.budget_) {
        e.stop({EngineStop::Kind::budget, 0, 0, {}});
        return;
    }
    ++e.executed_;
}

void Engine::on_syscall(uc_engine*, void* self) {
    static_cast<Engine*>(self)->stop({EngineStop::Kind::syscall, 0, 0, {}});
}

void Engine::on_interrupt(uc_engine*, std::uint32_t number, void* self) {
    static_cast<Engine*>(self)->stop({EngineStop::Kind::interrupt, number, 0, {}});
}

// Unicorn runs port I/O without any permission check, so the PortHandler decides. Here rip is still at the
// instruction (the code hook keeps it exact) and the registers are as it found them (for a rep form: as this
// element finds them). A permitted access is done and ends the slice before the next instruction; a refused
// one stops the slice as a #GP at the instruction.
std::uint32_t Engine::on_in(uc_engine*, std::uint32_t port, int size, void* self) {
    Engine& e = *static_cast<Engine*>(self);
    const unsigned bytes = static_cast<unsigned>(size);
    if (e.stopped_ || !e.ports_ || !e.ports_->permitted(port, bytes)) return e.refuse_port(port, bytes);
    e.port_done_ = true;
    e.limit_ = 0;
    return e.ports_->read(port, bytes);
}

void Engine::on_out(uc_engine*, std::uint32_t port, int size, std::uint32_t value, void* self) {
    Engine& e = *static_cast<Engine*>(self);
    const unsigned bytes = static_cast<unsigned>(size);
    if (e.stopped_ || !e.ports_ || !e.ports_->permitted(port, bytes)) {
        e.refuse_port(port, bytes);
        return;
    }
    e.port_done_ = true;
    e.limit_ = 0;
    e.ports_->write(port, bytes, value);
}

// Unicorn completes the instruction (or the rep form's element) after the hook: `in eax, dx` zero-extends
// into rax, `ins` stores to [rdi] and moves rdi and rcx, `outs` moves rsi and rcx. The registers are put back
// after the stop (run()) and `ins` gets the bytes already at [rdi] to store again (where it cannot store, the
// memory hook refuses), so the #GP leaves the registers as the instruction found them. (TCG's dummy store of
// zeros to [rdi] before the hook cannot be undone: user_cpu.hpp lists it.)
std::uint32_t Engine::refuse_port(std::uint32_t, unsigned size) {
    std::uint32_t value = 0;
    if (!stopped_) {
        refused_rax_ = reg(UC_X86_REG_RAX);
        refused_rcx_ = reg(UC_X86_REG_RCX);
        refused_rsi_ = reg(UC_X86_REG_RSI);
        refused_rdi_ = reg(UC_X86_REG_RDI);
        stop({EngineStop::Kind::port_io, 0, reg(UC_X86_REG_RIP), {}});
        if (!read(refused_rdi_, &value, size)) value = 0;
    }
    return value;
}

bool Engine::on_memory(uc_engine*, uc_mem_type type, std::uint64_t address, int, std::int64_t, void* self) {
    Engine& e = *static_cast<Engine*>(self);
    if (e.stopped_ && e.stop_.kind == EngineStop::Kind::port_io) return false; // a refused `ins`: no store
    using A = MemoryHandler::Access;
    A access = A::read;
    bool unmapped = false;
    switch (type) {
    case UC_MEM_WRITE_UNMAPPED:
        unmapped = true;
        [[fallthrough]];
    case UC_MEM_WRITE_PROT:
        access = A::write;
        break;
    case UC_MEM_FETCH_UNMAPPED:
        unmapped = true;
        [[fallthrough]];
    case UC_MEM_FETCH_PROT:
        access = A::fetch;
        break;
    case UC_MEM_READ_UNMAPPED:
        unmapped = true;
        break;
    default:
        break;
    }
    return e.memory_.fault(access, address, unmapped);
}

bool Engine::map(std::uint64_t va, std::uint64_t size, void* host, std::uint32_t prot) {
    return uc_mem_map_ptr(uc_, va, size, prot, host) == UC_ERR_OK;
}

bool Engine::protect(std::uint64_t va, std::uint64_t size, std::uint32_t prot) {
    return uc_mem_protect(uc_, va, size, prot) == UC_ERR_OK;
}

void Engine::forget_code() {
    uc_ctl_flush_tlb(uc_); // despite its name UC_CTL_TB_FLUSH: every translation block
}

bool Engine::unmap(std::uint64_t va, std::uint64_t size) {
    return uc_mem_unmap(uc_, va, size) == UC_ERR_OK;
}

bool Engine::read(std::uint64_t va, void* out, std::size_t size) {
    return uc_mem_read(uc_, va, out, size) == UC_ERR_OK;
}

} // namespace hostsim::usermode

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
// Unicorn 2.0.1 (Debian's libunicorn2) keeps page bookkeeping its translator allocates while invalidating
// translated code, even after uc_close: LeakSanitizer would report it at the exit of every program that ran
// an engine. The allocation is Unicorn's own; nothing of Janus's matches this suppression.
extern "C" const char* __lsan_default_suppressions() {
    return "leak:tb_invalidate_phys_page_fast_x86_64\n";
}
#endif
#endif
