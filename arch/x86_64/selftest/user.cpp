// janus.selftest=user: ring 3 through arch::run_user(), checked against arch/user.hpp and the Intel SDM
// (which registers SYSCALL and SYSRET touch, page-fault error codes, which instructions fault at CPL 3).
#include <cstdint>

#include "arch/user.hpp"
#include "arch/x86_64/address_space.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/protection.hpp"
#include "arch/x86_64/selftest/recorder.hpp"
#include "arch/x86_64/selftest/report.hpp"
#include "arch/x86_64/selftest/selftests.hpp"
#include "arch/x86_64/selftest/user_space.hpp"
#include "kernel/lib/print.hpp"

extern "C" const std::uint8_t x86_selftest_user_program[], x86_selftest_user_program_end[];
extern "C" const std::uint8_t ring3_syscall_twice[], ring3_ud[], ring3_spin[], ring3_load[], ring3_store[],
    ring3_divide[], ring3_cli[], ring3_x87[], ring3_sse[], ring3_int[], ring3_sgdt[], ring3_flags[],
    ring3_trap_flag[], ring3_trap_flag_end[], ring3_load_selectors[], ring3_read_selectors[];
extern "C" void x86_selftest_poisoned_call(void (*fn)(void*), void* argument);

namespace arch::x86::selftest {

namespace {

using Kind = UserExit::Kind;
using kernel::hex;

// Vectors and page-fault error-code bits (SDM vol. 3, table 6-1 and 4.7).
constexpr Vector de = 0, ud = 6, gp = 13, pf = 14;
constexpr std::uint64_t pf_present = 1, pf_write = 2, pf_user = 4, pf_fetch = 16;
// RFLAGS bits (SDM vol. 1, 3.4.3).
constexpr std::uint64_t rf = 1u << 16, if_flag = 1u << 9, always_one = 2;
/// The arithmetic flags, DF and ID: what ring 3 may choose (arch/user.hpp forbids TF, IOPL, NT, VM, AC).
constexpr std::uint64_t user_chosen = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800 | 0x20'0000;

UserSpace space;

std::uint64_t at(const std::uint8_t* snippet) {
    return UserSpace::code_va + static_cast<std::uint64_t>(snippet - x86_selftest_user_program);
}

struct Register {
    const char* name;
    std::uint64_t UserFrame::*field;
};
constexpr Register registers[] = {
    {"rax", &UserFrame::rax}, {"rbx", &UserFrame::rbx}, {"rcx", &UserFrame::rcx}, {"rdx", &UserFrame::rdx},
    {"rsi", &UserFrame::rsi}, {"rdi", &UserFrame::rdi}, {"rbp", &UserFrame::rbp}, {"r8", &UserFrame::r8},
    {"r9", &UserFrame::r9},   {"r10", &UserFrame::r10}, {"r11", &UserFrame::r11}, {"r12", &UserFrame::r12},
    {"r13", &UserFrame::r13}, {"r14", &UserFrame::r14}, {"r15", &UserFrame::r15},
};

/// A frame whose every general-purpose register holds a distinct value derived from `seed`.
UserFrame pattern(std::uint64_t seed, const std::uint8_t* snippet) {
    UserFrame f{};
    std::uint64_t i = 0;
    for (const Register& r : registers) f.*r.field = 0x0123'4567'0000'0000ull | seed << 16 | i++ << 8 | 0x5a;
    f.rip = at(snippet);
    f.rsp = UserSpace::stack_top;
    f.rflags = always_one | if_flag;
    return f;
}

/// The first general-purpose register in which `got` differs from `want` (rcx and r11 optional), or null.
const Register* difference(const UserFrame& got, const UserFrame& want, bool with_rcx_r11) {
    for (const Register& r : registers) {
        if (!with_rcx_r11 && (r.field == &UserFrame::rcx || r.field == &UserFrame::r11)) continue;
        if (got.*r.field != want.*r.field) return &r;
    }
    return nullptr;
}

const char* name_of(const Register* r) {
    return r ? r->name : "none";
}

UserExit run(UserFrame& f) {
    return run_user(f, space.root);
}

struct PoisonedRun {
    UserFrame* frame;
    UserExit exit;
};

/// run() with recognisable kernel values in every register the kernel side does not need.
UserExit run_poisoned(UserFrame& f) {
    PoisonedRun p{&f, {}};
    x86_selftest_poisoned_call(
        [](void* arg) {
            auto* q = static_cast<PoisonedRun*>(arg);
            q->exit = run(*q->frame);
        },
        &p);
    return p.exit;
}

bool is_exception(const UserExit& e, Vector v, std::uint64_t error) {
    return e.kind == Kind::exception && e.vector == v && e.error_code == error;
}

void syscall_checks(Report& r) {
    UserFrame f = pattern(1, ring3_syscall_twice);
    const UserFrame before = f;
    UserExit e = run_poisoned(f);
    const std::uint64_t after_first = at(ring3_syscall_twice) + 2; // syscall is 0f 05
    const Register* d = difference(f, before, false);
    r.check(e.kind == Kind::syscall && f.rip == after_first && f.rcx == after_first &&
                f.r11 == before.rflags && f.rflags == before.rflags && f.rsp == before.rsp && !d,
            "syscall saves every register; rcx = next rip, r11 = rflags", "kind ", unsigned(e.kind), ", rip ",
            hex(f.rip), ", rcx ", hex(f.rcx), ", r11 ", hex(f.r11), ", differs in ", name_of(d));

    // New values everywhere but rcx/r11 (which sysret takes from rip/rflags): the second syscall shows what
    // ring 3 held after sysret, and the kernel side ran with poison in its registers.
    UserFrame want = pattern(2, ring3_syscall_twice);
    want.rip = f.rip;
    want.rcx = f.rcx;
    want.r11 = f.r11;
    want.rflags = f.rflags;
    f = want;
    e = run_poisoned(f);
    d = difference(f, want, false);
    r.check(e.kind == Kind::syscall && f.rip == after_first + 2 && f.rcx == f.rip && f.r11 == want.rflags &&
                !d && f.rsp == want.rsp,
            "sysret restores every register from the frame, no kernel value", "kind ", unsigned(e.kind),
            ", rip ", hex(f.rip), ", differs in ", name_of(d), d ? " = " : "", hex(d ? f.*d->field : 0));
}

void exception_register_checks(Report& r) {
    UserFrame f = pattern(3, ring3_ud);
    const UserFrame before = f;
    UserExit e = run_poisoned(f);
    const Register* d = difference(f, before, true);
    r.check(is_exception(e, ud, 0) && f.rip == before.rip && f.rsp == before.rsp &&
                (f.rflags & ~rf) == before.rflags && !d,
            "iretq entry and a #UD exit keep every register, rcx and r11 too", "vector ", e.vector, ", rip ",
            hex(f.rip), ", rflags ", hex(f.rflags), ", differs in ", name_of(d));

    f = pattern(4, ring3_flags);
    f.rflags = 0x3f'7fd7; // every defined flag, TF, IOPL 3, NT, RF, VM, AC, VIF, VIP, ID included
    e = run(f);
    const std::uint64_t expected = (0x3f'7fd7 & user_chosen) | always_one | if_flag;
    r.check(e.kind == Kind::syscall && f.rax == expected,
            "rflags are sanitised: IF on; TF, IOPL, NT, AC, VM off", "kind ", unsigned(e.kind), " vector ",
            e.vector, ", ring 3 saw ", hex(f.rax), ", expected ", hex(expected));
}

void trap_flag_checks(Report& r) {
    // TF set by ring 3 (popf) is still set when syscall starts. Whether a single-step trap follows is decided
    // by RFLAGS after SYSCALL has applied IA32_FMASK (which clears TF), so no #DB may strike the kernel's
    // entry (Xen's XSA-204 is this very case); and TF must not survive into the next run (arch/user.hpp).
    UserFrame f = pattern(11, ring3_trap_flag);
    UserExit e = run(f);
    const std::uint64_t after = at(ring3_trap_flag_end);
    bool entered = e.kind == Kind::syscall && f.rip == after;
    std::uint64_t seen = f.rflags;
    e = run(f);
    r.check(entered && is_exception(e, ud, 0) && f.rip == after,
            "a syscall with TF set by ring 3 traps nothing in the kernel; TF is cleared for the next run",
            "kind ", unsigned(e.kind), ", vector ", e.vector, ", rip ", hex(f.rip),
            ", rflags at the syscall ", hex(seen));
}

void fault_checks(Report& r) {
    constexpr std::uint64_t unmapped = 0x1000'0000'0000;
    UserFrame f = pattern(5, ring3_load);
    f.rax = unmapped;
    UserExit e = run(f);
    r.check(is_exception(e, pf, pf_user) && e.fault_address == unmapped && f.rip == at(ring3_load),
            "#PF reading an unmapped page: error 0x4, cr2", "vector ", e.vector, ", error ",
            hex(e.error_code), ", cr2 ", hex(e.fault_address), ", rip ", hex(f.rip));

    f = pattern(5, ring3_store);
    f.rax = UserSpace::code_va;
    e = run(f);
    r.check(is_exception(e, pf, pf_present | pf_write | pf_user) && e.fault_address == UserSpace::code_va,
            "#PF writing the read-only code page: error 0x7", "vector ", e.vector, ", error ",
            hex(e.error_code), ", cr2 ", hex(e.fault_address));

    const auto kernel_text = reinterpret_cast<std::uint64_t>(&run_user);
    f = pattern(5, ring3_load);
    f.rax = kernel_text;
    e = run(f);
    r.check(is_exception(e, pf, pf_present | pf_user) && e.fault_address == kernel_text,
            "#PF reading kernel memory: error 0x5", "vector ", e.vector, ", error ", hex(e.error_code),
            ", cr2 ", hex(e.fault_address));

    constexpr std::uint64_t efer_nxe = 1u << 11;
    if (rdmsr(msr_efer) & efer_nxe) {
        f = pattern(5, ring3_ud);
        f.rip = UserSpace::data_va;
        e = run(f);
        r.check(is_exception(e, pf, pf_present | pf_user | pf_fetch) && e.fault_address == UserSpace::data_va,
                "#PF executing the no-execute data page: error 0x15", "vector ", e.vector, ", error ",
                hex(e.error_code), ", cr2 ", hex(e.fault_address));
    } else {
        r.skip("#PF executing the no-execute data page", "the CPU has no NX");
    }

    f = pattern(6, ring3_cli);
    e = run(f);
    r.check(is_exception(e, gp, 0) && f.rip == at(ring3_cli), "#GP for cli at CPL 3", "vector ", e.vector,
            ", error ", hex(e.error_code));

    f = pattern(6, ring3_load);
    f.rax = 0x8000'0000'0000'0000;
    e = run(f);
    r.check(is_exception(e, gp, 0), "#GP reading a non-canonical address", "vector ", e.vector, ", error ",
            hex(e.error_code));

    f = pattern(6, ring3_divide);
    f.rcx = 0;
    e = run(f);
    r.check(is_exception(e, de, 0) && f.rip == at(ring3_divide), "#DE dividing by zero", "vector ", e.vector);

    // The error code names IDT entry 0x40: index << 3 | IDT bit (SDM vol. 3, 6.13). QEMU's TCG reports the
    // byte offset of the 16-byte gate instead (0x40 * 16 + 2); both name the same entry.
    recorded.clear();
    f = pattern(6, ring3_int);
    e = run(f);
    r.check((is_exception(e, gp, 0x40 * 8 + 2) || is_exception(e, gp, 0x40 * 16 + 2)) && recorded.count == 0,
            "int 0x40 from ring 3 is #GP (IDT entry 0x40), no interrupt", "vector ", e.vector, ", error ",
            hex(e.error_code), ", handler calls ", recorded.count);

    // The kernel switches the FPU/vector registers (extended_state.cpp): ring 3 may use them, so each snippet
    // runs its instruction and stops at the ud2 after it.
    f = pattern(7, ring3_x87);
    e = run(f);
    r.check(is_exception(e, ud, 0) && f.rip == at(ring3_x87) + 2,
            "an x87 instruction runs in ring 3 (no #NM)", "vector ", e.vector, ", rip ", hex(f.rip));
    f = pattern(7, ring3_sse);
    e = run(f);
    r.check(is_exception(e, ud, 0) && f.rip == at(ring3_sse) + 3,
            "an SSE instruction runs in ring 3 (no #UD)", "vector ", e.vector, ", rip ", hex(f.rip));

    if (protection().umip) {
        f = pattern(7, ring3_sgdt);
        f.rax = UserSpace::data_va;
        e = run(f);
        r.check(is_exception(e, gp, 0), "sgdt raises #GP under UMIP (no kernel address leaks)", "kind ",
                unsigned(e.kind), ", vector ", e.vector);
    } else {
        r.skip("sgdt raises #GP under UMIP", "the CPU has no UMIP");
    }
}

/// A segment selector ring 3 loaded is a register the next thread could read: every run starts with null
/// ones.
void selector_checks(Report& r) {
    UserFrame f = pattern(12, ring3_load_selectors);
    UserExit e = run(f);
    f = pattern(12, ring3_read_selectors);
    UserExit e2 = run(f);
    r.check(e.kind == Kind::syscall && e2.kind == Kind::syscall && f.rax == 0,
            "selectors ring 3 loaded are null when it runs again (ds, es, fs, gs)", "kinds ",
            unsigned(e.kind), " ", unsigned(e2.kind), ", selectors ", hex(f.rax));
}

void bad_frame_checks(Report& r) {
    struct Case {
        const char* what;
        std::uint64_t rip, rsp;
    } cases[] = {
        {"non-canonical rip", 0x0000'8000'0000'0000, UserSpace::stack_top},
        {"kernel rip", reinterpret_cast<std::uint64_t>(&run_user), UserSpace::stack_top},
        {"kernel rsp", at(ring3_ud), 0xffff'8000'0000'1000},
    };
    bool ok = true;
    const char* failed = "";
    for (const Case& c : cases) {
        UserFrame f = pattern(8, ring3_ud);
        f.rip = c.rip;
        f.rsp = c.rsp;
        UserExit e = run(f);
        if (!is_exception(e, gp, 0) || f.rip != c.rip || f.rsp != c.rsp) ok = false, failed = c.what;
    }
    r.check(ok, "a frame with a kernel or non-canonical rip/rsp ends in #GP without entering", "case ",
            failed);
}

void interrupt_checks(Report& r) {
    recorded.clear();
    UserFrame f = pattern(9, ring3_spin);
    const UserFrame before = f;
    std::uint64_t deadline = time_now() + 2 * ms;
    timer_arm(deadline, 0x50);
    UserExit e = run(f);
    std::uint64_t now = time_now();
    const Register* d = difference(f, before, true);
    r.check(e.kind == Kind::interrupt && e.vector == 0x50 && recorded.count == 1 &&
                recorded.vectors[0] == 0x50 && now >= deadline && f.rip == at(ring3_spin) && !d,
            "the timer preempts a ring-3 spin loop; handler called once", "kind ", unsigned(e.kind),
            ", vector ", e.vector, ", handler calls ", recorded.count, ", rip ", hex(f.rip), ", differs in ",
            name_of(d));

    f.rip = at(ring3_ud);
    e = run_poisoned(f);
    d = difference(f, before, true);
    r.check(is_exception(e, ud, 0) && !d, "after an interrupt exit iretq restores every register", "vector ",
            e.vector, ", differs in ", name_of(d));

    recorded.clear();
    ipi_send(cpu_id(), 0x41);
    f = pattern(9, ring3_spin);
    e = run(f);
    r.check(e.kind == Kind::interrupt && e.vector == 0x41 && recorded.count == 1 &&
                recorded.vectors[0] == 0x41,
            "a self-IPI interrupts ring 3", "kind ", unsigned(e.kind), ", vector ", e.vector,
            ", handler calls ", recorded.count);
}

void tlb_checks(Report& r) {
    auto read_probe = [] {
        UserFrame f = pattern(10, ring3_load);
        f.rax = UserSpace::probe_va;
        UserExit e = run(f);
        return e.kind == Kind::syscall ? f.rax : ~std::uint64_t{0};
    };
    std::uint64_t v0 = read_probe();
    kernel::mem::Flush flush = space.point_probe_at(1);
    bool asked = flush.kind == TlbScope::Kind::range && flush.start <= UserSpace::probe_va &&
                 flush.end > UserSpace::probe_va;
    std::uint64_t stale = read_probe();
    kernel::println("selftest user: note: without invalidation ring 3 read ",
                    stale == UserSpace::probe_value(0) ? "the stale frame" : "the new frame");
    tlb_invalidate(UserSpace::asid, flush);
    std::uint64_t v1 = read_probe();
    r.check(v0 == UserSpace::probe_value(0) && asked && v1 == UserSpace::probe_value(1),
            "tlb_invalidate drops a remapped page's translation", "before ", hex(v0), ", after ", hex(v1),
            ", flush asked ", asked);

    flush = space.point_probe_at(0);
    (void)read_probe();
    tlb_shootdown(CpuMask::all(), UserSpace::asid, flush);
    std::uint64_t v2 = read_probe();
    r.check(v2 == UserSpace::probe_value(0), "tlb_shootdown (this CPU only) drops it too", "read ", hex(v2));

    (void)space.point_probe_at(1);
    (void)read_probe();
    tlb_invalidate(UserSpace::asid, TlbScope{TlbScope::Kind::all, 0, 0});
    bool left = (read_cr3() & ~0xfffull) == kernel_root();
    std::uint64_t v3 = read_probe();
    r.check(left && v3 == UserSpace::probe_value(1),
            "invalidating all of the loaded user space leaves its tables; run_user reloads them",
            "kernel tables loaded ", left, ", read ", hex(v3));
}

} // namespace

void user(const kernel::boot::BootInfo& info) {
    Report r("user");
    irq_disable();
    set_interrupt_handler(record_interrupt);
    const std::span<const std::uint8_t> program(x86_selftest_user_program, x86_selftest_user_program_end);
    if (!build_user_space(info, program, space)) {
        r.check(false, "build a user address space with kernel/mem", "see above");
        r.finish();
    }
    syscall_checks(r);
    exception_register_checks(r);
    trap_flag_checks(r);
    fault_checks(r);
    selector_checks(r);
    bad_frame_checks(r);
    interrupt_checks(r);
    tlb_checks(r);
    load_kernel_address_space(this_cpu());
    set_interrupt_handler(nullptr);
    r.finish();
}

} // namespace arch::x86::selftest
