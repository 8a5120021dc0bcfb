// arch::run_user under hostsim against hand-built x86-64 page tables in simulated RAM: what each kind of user
// instruction ends with must be what the bare-metal kernel sees on hardware (Intel SDM vol. 3A ch. 4.7 and
// 6; arch/x86_64/user.cpp), and the engine's mappings must behave as a TLB.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <vector>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "arch/timer.hpp"
#include "arch/tlb.hpp"
#include "arch/user.hpp"
#include "hostsim/machine.hpp"
#include "hostsim/usermode/unicorn_user_mode.hpp"

namespace hostsim::usermode {
namespace {

constexpr std::uint64_t page = 4096;
constexpr std::uint64_t P = 1, RW = 2, US = 4, NX = std::uint64_t{1} << 63;
constexpr std::uint64_t code_va = 0x40'0000, data_va = 0x60'0000, stack_va = 0x70'0000;
// #PF error code bits (SDM 4.7).
constexpr std::uint64_t pf_p = 1, pf_w = 2, pf_u = 4, pf_i = 16;

/// A tiny machine: page tables built entry by entry in its RAM, a user mode, one or two CPUs.
class World {
public:
    explicit World(unsigned cpus = 1) : machine_(config(cpus)) {
        UnicornUserMode::Config c;
        c.slice = 1000;
        c.settled = [this] { return settled; };
        user_ = std::make_unique<UnicornUserMode>(machine_, c);
        root = frame();
    }

    static Config config(unsigned cpus) {
        Config c;
        c.cpus = cpus;
        c.memory_bytes = 16u << 20;
        c.step_budget = 1'000'000;
        return c;
    }

    /// A fresh zeroed frame from a bump allocator above 1 MiB.
    std::uint64_t frame() {
        std::uint64_t f = next_;
        next_ += page;
        std::memset(machine_.ram() + f, 0, page);
        return f;
    }

    std::uint64_t& word(std::uint64_t pa) { return *reinterpret_cast<std::uint64_t*>(machine_.ram() + pa); }

    /// The leaf entry for `va` in the tables at `top` (made with P|RW|US above it), 4 KiB pages.
    std::uint64_t& pte(std::uint64_t va, std::uint64_t top = 0) {
        std::uint64_t table = top ? top : root;
        for (int shift = 39; shift > 12; shift -= 9) {
            std::uint64_t& e = word(table + ((va >> shift) & 511) * 8);
            if (!(e & P)) e = frame() | P | RW | US;
            table = e & 0x000f'ffff'ffff'f000;
        }
        return word(table + ((va >> 12) & 511) * 8);
    }

    void map(std::uint64_t va, std::uint64_t pa, std::uint64_t flags, std::uint64_t top = 0) {
        pte(va, top) = pa | flags;
    }

    /// Rewrites a leaf entry as the kernel does: an atomic store on a simulated CPU (the machine sees memory
    /// change, which is what makes it audit the TLBs again).
    void kernel_map(std::uint64_t va, std::uint64_t pa, std::uint64_t flags) {
        std::uint64_t* entry = &pte(va);
        machine_.start(0, [entry, pa, flags] {
            arch::hosted::atomic_store(entry, 8, pa | flags, arch::MemoryOrder::release);
        });
        machine_.run();
    }

    /// Maps code at code_va (read + execute) and a stack; returns the code frame.
    std::uint64_t code(std::initializer_list<std::uint8_t> bytes) {
        return code(std::vector<std::uint8_t>(bytes));
    }
    std::uint64_t code(const std::vector<std::uint8_t>& bytes) {
        std::uint64_t f = frame();
        std::memset(machine_.ram() + f, 0x90, page); // nops after the code
        std::size_t i = 0;
        for (std::uint8_t b : bytes) machine_.ram()[f + i++] = static_cast<std::byte>(b);
        map(code_va, f, P | US);
        map(stack_va, frame(), P | RW | US | NX);
        return f;
    }

    /// Runs `f` on CPU 0 until its next kernel entry, `before` first (on the CPU, interrupts masked); false
    /// if the machine failed the run.
    bool run(arch::UserFrame& f, arch::UserExit& exit, const std::function<void()>& before = {},
             std::uint64_t top = 0) {
        machine_.start(0, [&] {
            arch::irq_disable();
            if (before) before();
            exit = arch::run_user(f, {top ? top : root, 1});
        });
        return machine_.run();
    }

    /// run() for the exit alone.
    arch::UserExit enter(arch::UserFrame& f, std::uint64_t top = 0) {
        arch::UserExit exit{};
        run(f, exit, {}, top);
        return exit;
    }

    static arch::UserFrame at_code() {
        arch::UserFrame f{};
        f.rip = code_va;
        f.rsp = stack_va + page;
        f.rflags = 0x202;
        return f;
    }

    Machine& machine() { return machine_; }
    UnicornUserMode& user() { return *user_; }

    std::uint64_t root = 0;
    bool settled = true;

private:
    Machine machine_;
    std::unique_ptr<UnicornUserMode> user_;
    std::uint64_t next_ = 0x10'0000;
};

arch::UserExit exception(arch::Vector v, std::uint64_t error = 0, std::uint64_t address = 0) {
    return {arch::UserExit::Kind::exception, v, error, address};
}

void expect_exit(const arch::UserExit& got, const arch::UserExit& want) {
    EXPECT_EQ(got.kind, want.kind);
    EXPECT_EQ(static_cast<unsigned>(got.vector), static_cast<unsigned>(want.vector));
    EXPECT_EQ(got.error_code, want.error_code);
    EXPECT_EQ(got.fault_address, want.fault_address);
}

TEST(Engine, SyscallReturnsWithRipPastItAndRcxR11AsTheInstructionSetsThem) {
    World w;
    w.code({0x48, 0xc7, 0xc3, 0x2a, 0, 0, 0, // mov rbx, 42
            0x0f, 0x05});                    // syscall
    arch::UserFrame f = World::at_code();
    f.rax = 7;
    f.r15 = 0x1515;
    f.rflags = 0x202 | 0x1; // CF set
    arch::UserExit e = w.enter(f);
    ASSERT_FALSE(w.machine().outcome().failed()) << w.machine().outcome().message;
    EXPECT_EQ(e.kind, arch::UserExit::Kind::syscall);
    EXPECT_EQ(f.rip, code_va + 9);
    EXPECT_EQ(f.rcx, f.rip);
    EXPECT_EQ(f.r11, f.rflags);
    EXPECT_EQ(f.rflags & 0x201, 0x201u); // IF on, CF kept
    EXPECT_EQ(f.rbx, 42u);
    EXPECT_EQ(f.rax, 7u);
    EXPECT_EQ(f.r15, 0x1515u);
}

TEST(Engine, RflagsAreSanitisedOnEntry) {
    World w;
    w.code({0x9c, 0x58, 0x0f, 0x05}); // pushf; pop rax; syscall
    arch::UserFrame f = World::at_code();
    f.rflags = 0x3000 | 0x100 | 0x40000 | 0x4000 | 0x1; // IOPL 3, TF, AC, NT, CF
    w.enter(f);
    EXPECT_EQ(f.rax & (0x3000 | 0x100 | 0x40000 | 0x4000), 0u) << std::hex << f.rax;
    EXPECT_EQ(f.rax & 0x203, 0x203u) << std::hex << f.rax; // IF and bit 1 forced, CF kept
}

TEST(Engine, AKernelHalfRipFaultsBeforeAnyInstruction) {
    World w;
    w.code({0x0f, 0x05});
    arch::UserFrame f = World::at_code();
    f.rip = 0xffff'8000'0000'0000;
    expect_exit(w.enter(f), exception(13));
    EXPECT_EQ(w.user().stats().instructions, 0u);
}

TEST(Engine, ReadOfAnUnmappedPageIsAPageFaultAtTheInstruction) {
    World w;
    w.code({0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x50, 0x00}); // mov rax, [0x500000]
    arch::UserFrame f = World::at_code();
    expect_exit(w.enter(f), exception(14, pf_u, 0x50'0000));
    EXPECT_EQ(f.rip, code_va);
}

TEST(Engine, WriteToAReadOnlyPageIsAProtectionFault) {
    World w;
    w.code({0x48, 0x89, 0x04, 0x25, 0x08, 0x00, 0x60, 0x00}); // mov [0x600008], rax
    w.map(data_va, w.frame(), P | US | NX);
    arch::UserFrame f = World::at_code();
    expect_exit(w.enter(f), exception(14, pf_p | pf_w | pf_u, data_va + 8));
}

TEST(Engine, FetchFromANoExecutePageIsAnInstructionFetchFault) {
    World w;
    w.code({0xff, 0xe0}); // jmp rax
    w.map(data_va, w.frame(), P | RW | US | NX);
    arch::UserFrame f = World::at_code();
    f.rax = data_va;
    expect_exit(w.enter(f), exception(14, pf_p | pf_u | pf_i, data_va));
    EXPECT_EQ(f.rip, data_va);
}

TEST(Engine, ASupervisorPageIsAProtectionFaultForRing3) {
    World w;
    w.code({0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00}); // mov rax, [0x600000]
    w.map(data_va, w.frame(), P | RW | NX);                   // no US
    arch::UserFrame f = World::at_code();
    expect_exit(w.enter(f), exception(14, pf_p | pf_u, data_va));
}

TEST(Engine, ANonCanonicalAddressIsAGeneralProtectionFault) {
    World w;
    w.code({0x48, 0x8b, 0x00}); // mov rax, [rax]
    arch::UserFrame f = World::at_code();
    f.rax = 0x8000'0000'0000'0000;
    expect_exit(w.enter(f), exception(13));
    EXPECT_EQ(f.rip, code_va);
}

TEST(Engine, SoftwareInterruptsAreGeneralProtectionFaultsAtTheInstruction) {
    {
        World w;
        w.code({0x90, 0xcd, 0x80}); // nop; int 0x80
        arch::UserFrame f = World::at_code();
        expect_exit(w.enter(f), exception(13, (0x80 << 3) | 2));
        EXPECT_EQ(f.rip, code_va + 1);
    }
    {
        World w;
        w.code({0x90, 0xcc}); // nop; int3
        arch::UserFrame f = World::at_code();
        expect_exit(w.enter(f), exception(13, (3 << 3) | 2));
        EXPECT_EQ(f.rip, code_va + 1);
    }
}

TEST(Engine, PrivilegedAndPortInstructionsAreGeneralProtectionFaults) {
    const std::initializer_list<std::uint8_t> programs[] = {
        {0x90, 0xf4},             // hlt
        {0x90, 0xfa},             // cli
        {0x90, 0xe4, 0x60},       // in al, 0x60
        {0x90, 0xe6, 0x80},       // out 0x80, al
        {0x90, 0x0f, 0x20, 0xd8}, // mov rax, cr3
    };
    for (const auto& p : programs) {
        World w;
        w.code(p);
        arch::UserFrame f = World::at_code();
        expect_exit(w.enter(f), exception(13));
        EXPECT_EQ(f.rip, code_va + 1) << "program starting " << std::hex << unsigned{*(p.begin() + 1)};
    }
}

TEST(Engine, ExceptionsStayThemselvesOneAfterAnother) {
    // Unicorn turns a second hooked exception into #DF unless its state is reset: each entry must see #DE.
    World w;
    w.code({0x31, 0xc9, 0xf7, 0xf1}); // xor ecx, ecx; div ecx
    for (int i = 0; i < 3; ++i) {
        arch::UserFrame f = World::at_code();
        expect_exit(w.enter(f), exception(0));
        EXPECT_EQ(f.rip, code_va + 2);
    }
    World u;
    u.code({0x0f, 0x0b}); // ud2
    arch::UserFrame f = World::at_code();
    expect_exit(u.enter(f), exception(6));
    EXPECT_EQ(f.rip, code_va);
}

TEST(Engine, RdtscReadsVirtualTime) {
    World w;
    w.code({0x0f, 0x31, 0x0f, 0x05}); // rdtsc; syscall
    arch::UserFrame f = World::at_code();
    std::uint64_t before = 0;
    arch::UserExit e{};
    w.run(f, e, [&] { before = arch::time_now(); });
    EXPECT_EQ(e.kind, arch::UserExit::Kind::syscall);
    const std::uint64_t tsc = (f.rdx << 32) | (f.rax & 0xffff'ffff);
    EXPECT_GE(tsc, before);
    EXPECT_LE(tsc, w.machine().now());
    EXPECT_EQ(f.rip, code_va + 4);
}

TEST(Engine, TheBudgetIsATimerStandInWhoseInterruptEndsTheRun) {
    World w;
    w.code({0xeb, 0xfe}); // jmp $ (forever)
    arch::UserFrame f = World::at_code();
    arch::UserExit e{};
    std::vector<unsigned> handled;
    w.machine().set_interrupt_handler([&](unsigned v) { handled.push_back(v); });
    ASSERT_TRUE(w.run(f, e, [] { arch::timer_arm(arch::time_now() + 50'000, 0xef); })) // 50 us virtual
        << w.machine().outcome().message;
    EXPECT_EQ(e.kind, arch::UserExit::Kind::interrupt);
    EXPECT_EQ(e.vector, 0xef);
    EXPECT_EQ(handled, std::vector<unsigned>{0xef});
    const std::uint64_t due = 50'000 / UnicornUserMode::Config{}.ns_per_instruction; // instructions in 50 us
    EXPECT_GE(w.user().stats().instructions, due);
    EXPECT_LE(w.user().stats().instructions, due + 1000); // within a slice of the deadline
    EXPECT_EQ(f.rip, code_va);
}

// The instruction budget is exact: every count below follows from the program's semantics, not from a run.
// A slice's count advances virtual time (and so decides when timers fire and where the machine preempts), so
// a count off by one anywhere changes every run after it.

/// A loop of three instructions a pass, which Unicorn translates as one block:
///   +0: add rax, 1   +4: dec rcx   +7: jnz +0   +9: syscall
std::vector<std::uint8_t> loop_code() {
    return {0x48, 0x83, 0xc0, 0x01, 0x48, 0xff, 0xc9, 0x75, 0xf7, 0x0f, 0x05};
}

/// The loop's registers after `n` instructions from its start with rax = 0 and rcx = `c` (c > n / 3 + 1, so
/// the jnz never falls through): a pass per three instructions, and of the pass in progress the add (and the
/// dec) if it has begun, with rip at the next instruction.
struct LoopState {
    std::uint64_t rax, rcx, rip;
};
LoopState loop_after(std::uint64_t n, std::uint64_t c) {
    const std::uint64_t passes = n / 3, rest = n % 3;
    const std::uint64_t offset[] = {0, 4, 7};
    return {passes + (rest >= 1 ? 1 : 0), c - passes - (rest >= 2 ? 1 : 0), code_va + offset[rest]};
}

/// A CPU's user-mode core of its own over `w`'s page tables: each run() is exactly one slice (no machine,
/// no scheduling point between slices).
struct Core {
    explicit Core(World& w) : cpu(Ram{w.machine().ram(), w.machine().ram_size()}, 64) {
        cpu.tlb().load(w.root);
    }
    Slice run(arch::UserFrame& f, std::uint64_t budget) { return cpu.run(f, vectors, budget); }
    UserCpu cpu;
    VectorRegisters vectors = VectorRegisters::initial();
};

void expect_loop_at(const arch::UserFrame& f, std::uint64_t n, std::uint64_t c) {
    const LoopState want = loop_after(n, c);
    EXPECT_EQ(f.rax, want.rax) << "after " << n << " instructions";
    EXPECT_EQ(f.rcx, want.rcx) << "after " << n << " instructions";
    EXPECT_EQ(f.rip, want.rip) << "after " << n << " instructions";
}

TEST(Engine, ABudgetEndingInsideABlockStopsAtExactlyThatInstruction) {
    World w;
    w.code(loop_code());
    Core core(w);
    constexpr std::uint64_t c = 1'000'000;
    for (const std::uint64_t budget : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 999u, 1000u, 1001u, 100'000u, 100'001u}) {
        arch::UserFrame f = World::at_code();
        f.rcx = c;
        const Slice s = core.run(f, budget);
        EXPECT_EQ(s.kind, Slice::Kind::budget) << s.message;
        EXPECT_EQ(s.instructions, budget);
        expect_loop_at(f, budget, c);
    }
}

TEST(Engine, SlicesEndingInsideBlocksAddUpToOneLongSlice) {
    // Slices of 7, 5, 1 and 2 instructions (none a multiple of the loop's 3) resume where the last one
    // stopped, inside the block, and 300 of them leave exactly what one slice of their sum does.
    World w;
    w.code(loop_code());
    Core core(w);
    constexpr std::uint64_t c = 1'000'000;
    arch::UserFrame f = World::at_code();
    f.rcx = c;
    const std::uint64_t budgets[] = {7, 5, 1, 2};
    std::uint64_t total = 0;
    for (int i = 0; i < 300; ++i) {
        const std::uint64_t budget = budgets[i % 4];
        const Slice s = core.run(f, budget);
        ASSERT_EQ(s.kind, Slice::Kind::budget) << s.message;
        ASSERT_EQ(s.instructions, budget) << "slice " << i;
        total += budget;
        expect_loop_at(f, total, c);
    }
    arch::UserFrame g = World::at_code();
    g.rcx = c;
    EXPECT_EQ(core.run(g, total).instructions, total);
    EXPECT_EQ(g.rax, f.rax);
    EXPECT_EQ(g.rcx, f.rcx);
    EXPECT_EQ(g.rip, f.rip);
}

TEST(Engine, ASliceEndingInAKernelEntryCountsTheInstructionsBegunExactly) {
    // inc rbx; inc rbx; mov rax, [0x500000] (unmapped); inc rbx; ... and the same with a syscall third: a
    // slice counts every instruction begun, the faulting load and the syscall included, and none after.
    World w;
    w.code({0x48, 0xff, 0xc3, 0x48, 0xff, 0xc3, 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x50, 0x00, 0x48, 0xff,
            0xc3, 0x90});
    Core core(w);
    arch::UserFrame f = World::at_code();
    Slice s = core.run(f, 1000);
    EXPECT_EQ(s.kind, Slice::Kind::kernel_entry);
    expect_exit(s.exit, exception(14, pf_u, 0x50'0000));
    EXPECT_EQ(s.instructions, 3u);
    EXPECT_EQ(f.rbx, 2u);
    EXPECT_EQ(f.rip, code_va + 6);
    // The same budget ending just before the load: a budget stop at it, nothing faulted yet.
    f = World::at_code();
    s = core.run(f, 2);
    EXPECT_EQ(s.kind, Slice::Kind::budget);
    EXPECT_EQ(s.instructions, 2u);
    EXPECT_EQ(f.rip, code_va + 6);

    World v;
    v.code({0x48, 0xff, 0xc3, 0x48, 0xff, 0xc3, 0x0f, 0x05, 0x48, 0xff, 0xc3}); // inc; inc; syscall; inc
    Core other(v);
    for (const std::uint64_t budget : {2u, 3u, 1000u}) {
        arch::UserFrame g = World::at_code();
        s = other.run(g, budget);
        EXPECT_EQ(s.instructions, std::min<std::uint64_t>(budget, 3)) << "budget " << budget;
        EXPECT_EQ(s.kind, budget == 2 ? Slice::Kind::budget : Slice::Kind::kernel_entry)
            << "budget " << budget;
        EXPECT_EQ(g.rbx, 2u);
        EXPECT_EQ(g.rip, code_va + (budget == 2 ? 6 : 8)) << "budget " << budget;
    }
}

/// Every port permitted; reads give 0x5a, writes are dropped.
struct OpenPorts final : PortHandler {
    bool permitted(std::uint32_t, unsigned) override { return true; }
    std::uint32_t read(std::uint32_t, unsigned) override { return 0x5a; }
    void write(std::uint32_t, unsigned, std::uint32_t) override {}
};

TEST(Engine, APermittedPortAccessEndsTheSliceRightAfterItsInstruction) {
    // inc rbx; out 0x80, al; inc rbx; in al, 0x60; inc rbx: each access is the last instruction of its slice,
    // counted, and the next slice begins right after it.
    World w;
    w.code({0x48, 0xff, 0xc3, 0xe6, 0x80, 0x48, 0xff, 0xc3, 0xe4, 0x60, 0x48, 0xff, 0xc3, 0x0f, 0x05});
    Core core(w);
    OpenPorts ports;
    core.cpu.set_ports(&ports);
    arch::UserFrame f = World::at_code();
    Slice s = core.run(f, 1000);
    EXPECT_EQ(s.kind, Slice::Kind::port_access);
    EXPECT_EQ(s.instructions, 2u);
    EXPECT_EQ(f.rbx, 1u);
    EXPECT_EQ(f.rip, code_va + 5);
    s = core.run(f, 1000);
    EXPECT_EQ(s.kind, Slice::Kind::port_access);
    EXPECT_EQ(s.instructions, 2u);
    EXPECT_EQ(f.rbx, 2u);
    EXPECT_EQ(f.rax & 0xff, 0x5au);
    EXPECT_EQ(f.rip, code_va + 10);
    s = core.run(f, 1000);
    EXPECT_EQ(s.kind, Slice::Kind::kernel_entry);
    EXPECT_EQ(s.instructions, 2u);
    EXPECT_EQ(f.rbx, 3u);
}

TEST(Engine, TheTimerEndsTheRunAfterExactlyTheSlicesItsDeadlineTakes) {
    // Slices of 1000 instructions at 4 ns each (World's user mode): a deadline 50 us ahead has passed after
    // the 13th slice, at whose scheduling point the interrupt arrives, so the loop has run exactly 13,000
    // instructions.
    World w;
    w.code(loop_code());
    arch::UserFrame f = World::at_code();
    constexpr std::uint64_t c = 1'000'000;
    f.rcx = c;
    arch::UserExit e{};
    w.machine().set_interrupt_handler([](unsigned) {});
    ASSERT_TRUE(w.run(f, e, [] { arch::timer_arm(arch::time_now() + 50'000, 0xef); }))
        << w.machine().outcome().message;
    EXPECT_EQ(e.kind, arch::UserExit::Kind::interrupt);
    const UnicornUserMode::Config config;
    const std::uint64_t slice = 1000, slices = (50'000 + slice * config.ns_per_instruction - 1) /
                                               (slice * config.ns_per_instruction);
    EXPECT_EQ(w.user().stats().instructions, slices * slice);
    expect_loop_at(f, slices * slice, c);
}

/// Code reading data_va into rax, data_va mapped to a frame holding 0xaaaa and read once (so the TLB holds
/// it); returns another frame holding 0xbbbb to remap it to.
std::uint64_t cached_read(World& w) {
    w.code({0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00, 0x0f, 0x05}); // mov rax, [0x600000]; syscall
    const std::uint64_t a = w.frame(), b = w.frame();
    w.word(a) = 0xaaaa;
    w.word(b) = 0xbbbb;
    w.map(data_va, a, P | US | NX);
    arch::UserFrame f = World::at_code();
    w.enter(f);
    EXPECT_EQ(f.rax, 0xaaaau);
    return b;
}

TEST(Engine, ARemappedPageWithoutInvalidationIsAStaleAccessOnceTheKernelIsSettled) {
    World w;
    const std::uint64_t b = cached_read(w);
    w.settled = false; // while a kernel operation is in flight ...
    w.kernel_map(data_va, b,
                 P | US | NX); // ... it remaps, and until its shootdown the old translation is legal
    arch::UserFrame f = World::at_code();
    w.enter(f);
    ASSERT_FALSE(w.machine().outcome().failed()) << w.machine().outcome().message;
    EXPECT_EQ(f.rax, 0xaaaau);
    w.settled = true; // the operation ended without its shootdown
    f = World::at_code();
    arch::UserExit e{};
    EXPECT_FALSE(w.run(f, e));
    EXPECT_EQ(w.machine().outcome().verdict, Verdict::stale_translation);
    EXPECT_NE(w.machine().outcome().message.find("stale translation"), std::string::npos)
        << w.machine().outcome().message;
}

TEST(Engine, AStaleEntryIsAnErrorOnlyForAnAccessTheTablesNoLongerAllow) {
    // The write right goes without an invalidation: a read through the old entry reaches the same bytes a
    // fresh walk would (no error), a write does not (a stale access).
    for (const bool write : {false, true}) {
        World w;
        // mov rax, [0x600000]; syscall; mov [0x600000], rbx; syscall
        w.code({0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00, 0x0f, 0x05,
                0x48, 0x89, 0x1c, 0x25, 0x00, 0x00, 0x60, 0x00, 0x0f, 0x05});
        const std::uint64_t a = w.frame();
        w.word(a) = 0xaaaa;
        w.map(data_va, a, P | RW | US | NX);
        arch::UserFrame f = World::at_code();
        f.rip = code_va + 10; // the write: the entry is cached writable
        f.rbx = 0xaaaa;
        w.enter(f);
        w.kernel_map(data_va, a, P | US | NX); // read-only now, not invalidated; the kernel is settled
        f = World::at_code();
        if (write) f.rip = code_va + 10;
        arch::UserExit e{};
        const bool ran = w.run(f, e);
        if (write) {
            EXPECT_FALSE(ran);
            EXPECT_EQ(w.machine().outcome().verdict, Verdict::stale_translation)
                << w.machine().outcome().message;
        } else {
            EXPECT_TRUE(ran) << w.machine().outcome().message;
            EXPECT_EQ(f.rax, 0xaaaau);
        }
    }
}

TEST(Engine, AnInvalidationMakesTheNewTranslationVisible) {
    World w;
    const std::uint64_t b = cached_read(w);
    w.kernel_map(data_va, b, P | US | NX);
    arch::UserFrame f = World::at_code();
    arch::UserExit e{};
    ASSERT_TRUE(w.run(f, e, [] {
        arch::tlb_invalidate(1, {arch::TlbScope::Kind::range, data_va, data_va + page});
    })) << w.machine().outcome().message;
    EXPECT_EQ(f.rax, 0xbbbbu);
}

TEST(Engine, RightsGoingUpNeedNoInvalidation) {
    World w;
    // mov rax, [0x600000]; mov [0x600000], rbx; syscall
    w.code({0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00, 0x48, 0x89, 0x1c, 0x25, 0x00, 0x00, 0x60, 0x00,
            0x0f, 0x05});
    const std::uint64_t a = w.frame();
    w.map(data_va, a, P | US | NX);
    arch::UserFrame f = World::at_code();
    expect_exit(w.enter(f), exception(14, pf_p | pf_w | pf_u, data_va)); // the read cached it read-only
    w.map(data_va, a, P | RW | US | NX);
    f = World::at_code();
    f.rbx = 0x5151;
    EXPECT_EQ(w.enter(f).kind, arch::UserExit::Kind::syscall) << w.machine().outcome().message;
    EXPECT_EQ(w.word(a), 0x5151u);
}

TEST(Engine, AnotherAddressSpaceDropsEveryTranslation) {
    World w;
    const std::uint64_t b = cached_read(w);
    // A second space with the same code but another frame at data_va.
    const std::uint64_t other = w.frame();
    w.map(code_va, w.pte(code_va) & ~std::uint64_t{0xfff}, P | US, other);
    w.map(stack_va, w.frame(), P | RW | US | NX, other);
    w.map(data_va, b, P | US | NX, other);
    arch::UserFrame f = World::at_code();
    w.enter(f, other);
    ASSERT_FALSE(w.machine().outcome().failed()) << w.machine().outcome().message;
    EXPECT_EQ(f.rax, 0xbbbbu);
}

TEST(Engine, AnotherAddressSpaceRunsItsOwnCodeAtTheSameAddress) {
    // Two programs with the same first instructions (as every Janus program starts with the same _start) and
    // different code after them, at the same addresses in two address spaces, run one after the other: each
    // must run its own (Unicorn keeps translated code past uc_mem_unmap, engine.cpp).
    //   0x00: jmp 0x10; 0x10: mov eax, imm32; syscall
    auto program = [](std::uint8_t tag) {
        std::vector<std::uint8_t> b(0x20, 0x90);
        b[0] = 0xeb;
        b[1] = 0x0e;
        const std::uint8_t rest[] = {0xb8, tag, tag, 0x00, 0x00, 0x0f, 0x05};
        std::memcpy(&b[0x10], rest, sizeof rest);
        return b;
    };
    World w;
    std::uint64_t top[2] = {w.root, w.frame()};
    for (int i = 0; i < 2; ++i) {
        const std::uint64_t text = w.frame();
        const auto code = program(static_cast<std::uint8_t>(0x11 * (i + 1)));
        std::memcpy(w.machine().ram() + text, code.data(), code.size());
        w.map(code_va, text, P | US, top[i]);
        w.map(stack_va, w.frame(), P | RW | US | NX, top[i]);
    }
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 2; ++i) {
            arch::UserFrame f = World::at_code();
            EXPECT_EQ(w.enter(f, top[i]).kind, arch::UserExit::Kind::syscall)
                << w.machine().outcome().message;
            EXPECT_EQ(f.rax, 0x1111u * (i + 1)) << "space " << i << " ran the other space's code";
        }
    }
}

TEST(Engine, ManyPagesStayCorrectThroughTlbEvictions) {
    World w;
    // rcx = 100 pages from 0x1000000: sum the first word of each into rax; syscall.
    //   loop: add rax, [rdx]; add rdx, 0x1000; dec rcx; jnz loop; syscall
    w.code({0x48, 0x03, 0x02, 0x48, 0x81, 0xc2, 0x00, 0x10, 0x00, 0x00, 0x48, 0xff, 0xc9, 0x75, 0xf1, 0x0f,
            0x05});
    std::uint64_t expected = 0;
    for (std::uint64_t i = 0; i < 100; ++i) {
        const std::uint64_t fr = w.frame();
        w.word(fr) = i * 3 + 1;
        expected += i * 3 + 1;
        w.map(0x100'0000 + i * page, fr, P | US | NX);
    }
    for (int round = 0; round < 2; ++round) {
        arch::UserFrame f = World::at_code();
        f.rcx = 100;
        f.rdx = 0x100'0000;
        EXPECT_EQ(w.enter(f).kind, arch::UserExit::Kind::syscall) << w.machine().outcome().message;
        EXPECT_EQ(f.rax, expected);
    }
}

} // namespace
} // namespace hostsim::usermode
