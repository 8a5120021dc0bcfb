// Port I/O from ring 3 under hostsim (user_cpu.hpp, arch/io_ports.hpp): an access is allowed iff the
// executing CPU's active set has every byte of it (Intel SDM vol. 1, 19.5.2; IOPL 0), goes to the machine's
// port bus and execution goes on after the instruction; anything else is #GP(0) at the instruction with the
// registers as it found them. A CPU in ring 3 that takes an io_shootdown leaves it with the kernel's
// `reenter` vector. Hand-assembled code on hand-built page tables, as in engine_test.cpp.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <initializer_list>
#include <memory>
#include <vector>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "arch/io_ports.hpp"
#include "arch/user.hpp"
#include "hostsim/io_ports.hpp"
#include "hostsim/machine.hpp"
#include "hostsim/port_bus.hpp"
#include "hostsim/strategy.hpp"
#include "hostsim/uart16550.hpp"
#include "hostsim/usermode/unicorn_user_mode.hpp"

namespace hostsim::usermode {
namespace {

constexpr std::uint64_t page = 4096;
constexpr std::uint64_t P = 1, RW = 2, US = 4, NX = std::uint64_t{1} << 63;
constexpr std::uint64_t code_va = 0x40'0000, data_va = 0x60'0000, stack_va = 0x70'0000;
constexpr std::uint32_t com1 = Uart16550::com1_base;
constexpr arch::Vector general_protection = 13;

/// A machine with COM1 on its port bus and user code at code_va; CPU 0 loads `ports` (first, count) under
/// key 1 before it enters ring 3.
class World {
public:
    explicit World(unsigned cpus = 1) : machine_(config(cpus)), uart_(machine_, Uart16550::com1_line) {
        UnicornUserMode::Config c;
        c.slice = 1000;
        c.settled = [] { return true; };
        user_ = std::make_unique<UnicornUserMode>(machine_, c);
        root_ = frame();
        EXPECT_TRUE(uart_.attach(bus_, com1));
        machine_.set_port_bus(&bus_);
    }

    static Config config(unsigned cpus) {
        Config c;
        c.cpus = cpus;
        c.memory_bytes = 16u << 20;
        c.step_budget = 1'000'000;
        return c;
    }

    std::uint64_t frame() {
        std::uint64_t f = next_;
        next_ += page;
        std::memset(machine_.ram() + f, 0, page);
        return f;
    }

    std::uint64_t& word(std::uint64_t pa) { return *reinterpret_cast<std::uint64_t*>(machine_.ram() + pa); }

    void map(std::uint64_t va, std::uint64_t pa, std::uint64_t flags) {
        std::uint64_t table = root_;
        for (int shift = 39; shift > 12; shift -= 9) {
            std::uint64_t& e = word(table + ((va >> shift) & 511) * 8);
            if (!(e & P)) e = frame() | P | RW | US;
            table = e & 0x000f'ffff'ffff'f000;
        }
        word(table + ((va >> 12) & 511) * 8) = pa | flags;
    }

    void code(std::initializer_list<std::uint8_t> bytes) {
        const std::uint64_t f = frame();
        std::memset(machine_.ram() + f, 0x90, page);
        std::size_t i = 0;
        for (std::uint8_t b : bytes) machine_.ram()[f + i++] = static_cast<std::byte>(b);
        map(code_va, f, P | US);
        map(stack_va, frame(), P | RW | US | NX);
    }

    /// A writable data page at data_va; returns its frame.
    std::uint64_t data() {
        const std::uint64_t f = frame();
        map(data_va, f, P | RW | US | NX);
        return f;
    }

    /// Runs `f` on CPU 0 with ports [first, first + count) under key 1 (count 0: key 0, no port).
    arch::UserExit enter(arch::UserFrame& f, std::uint32_t first, std::uint32_t count) {
        arch::UserExit exit{};
        machine_.start(0, [&] {
            arch::irq_disable();
            if (count) {
                arch::io_load(1);
                arch::io_allow(first, count);
            } else {
                arch::io_select(0);
            }
            exit = arch::run_user(f, {root_, 1});
        });
        machine_.run();
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
    Uart16550& uart() { return uart_; }
    UnicornUserMode& user() { return *user_; }
    std::uint64_t root() const { return root_; }

private:
    Machine machine_;
    PortBus bus_;
    Uart16550 uart_;
    std::unique_ptr<UnicornUserMode> user_;
    std::uint64_t root_ = 0;
    std::uint64_t next_ = 0x10'0000;
};

bool is_gp(const arch::UserExit& e) {
    return e.kind == arch::UserExit::Kind::exception && e.vector == general_protection && e.error_code == 0;
}

// mov dx, imm16 (66 ba lo hi)
#define MOV_DX(port)                                                                                         \
    0x66, 0xba, static_cast<std::uint8_t>((port)&0xff), static_cast<std::uint8_t>((port) >> 8)

TEST(PortIo, APermittedOutReachesTheUartAndExecutionGoesOn) {
    World w;
    w.code({MOV_DX(com1), 0xb0, 'J', // mov al, 'J'
            0xee,                    // out dx, al
            0xb0, 'x', 0xee,         // mov al, 'x'; out dx, al
            0x0f, 0x05});            // syscall
    arch::UserFrame f = World::at_code();
    const arch::UserExit e = w.enter(f, com1, 8);
    ASSERT_FALSE(w.machine().outcome().failed()) << w.machine().outcome().message;
    EXPECT_EQ(e.kind, arch::UserExit::Kind::syscall);
    EXPECT_EQ(f.rip, code_va + 12);
    EXPECT_EQ(w.uart().output(), "Jx");
    EXPECT_EQ(w.user().stats().port_accesses, 2u);
}

TEST(PortIo, InReadsTheDeviceIn8And16And32BitForms) {
    World w;
    w.code({MOV_DX(com1 + 7), 0xb0, 0x5a, 0xee, // SCR = 0x5a
            MOV_DX(com1 + 5), 0xec,             // in al, dx: LSR
            0x88, 0xc3,                         // mov bl, al
            MOV_DX(com1 + 4), 0x66, 0xed,       // in ax, dx: MCR, LSR
            0x89, 0xc6,                         // mov esi, eax
            0xed,                               // in eax, dx: MCR, LSR, MSR, SCR
            0x0f, 0x05});
    arch::UserFrame f = World::at_code();
    f.rax = 0xffff'ffff'ffff'ffff;
    f.rbx = 0;
    const arch::UserExit e = w.enter(f, com1, 8);
    ASSERT_EQ(e.kind, arch::UserExit::Kind::syscall) << w.machine().outcome().message;
    EXPECT_EQ(f.rbx, 0x60u);            // LSR: THRE | TEMT
    EXPECT_EQ(f.rsi & 0xffff, 0x6000u); // in ax keeps rax's upper bytes; MCR 0, LSR 0x60
    EXPECT_EQ(f.rax, 0x5ab0'6000u);     // in eax zero-extends: SCR, MSR (CTS DSR DCD), LSR, MCR
}

TEST(PortIo, SixteenAndThirtyTwoBitOutsWriteEveryByte) {
    World w;
    w.code({MOV_DX(com1 + 6), 0x66, 0xb8, 0x00, 0x77, // mov ax, 0x7700
            0x66, 0xef,                               // out dx, ax: MSR (read-only), SCR = 0x77
            MOV_DX(com1 + 7), 0xec,                   // in al, dx
            0x0f, 0x05});
    arch::UserFrame f = World::at_code();
    ASSERT_EQ(w.enter(f, com1, 8).kind, arch::UserExit::Kind::syscall) << w.machine().outcome().message;
    EXPECT_EQ(f.rax & 0xff, 0x77u);

    World v; // out dx, eax to THR, IER, FCR, LCR: 'O', 0, 0, 3 (8N1)
    v.code({MOV_DX(com1), 0xb8, 'O', 0x00, 0x00, 0x03, 0xef, 0x0f, 0x05});
    f = World::at_code();
    ASSERT_EQ(v.enter(f, com1, 8).kind, arch::UserExit::Kind::syscall) << v.machine().outcome().message;
    EXPECT_EQ(v.uart().output(), "O");
}

// Refused: a port outside the set, one byte of a 4-byte access outside it, and any port at key 0. The #GP is
// at the instruction and leaves rax as it was (in eax would zero-extend into it), the device untouched.
TEST(PortIo, AnAccessWithAnyByteNotPermittedIsAGeneralProtectionFaultAtTheInstruction) {
    struct Case {
        const char* what;
        std::uint32_t first, count;
        std::uint16_t port;
        std::uint8_t opcode; // ec in al; ed in eax; ee out al; ef out eax
    };
    const Case cases[] = {
        {"in al from a port outside the set", com1, 8, 0x60, 0xec},
        {"in eax with 0x3ff not permitted", com1, 7, com1 + 4, 0xed},
        {"out eax with 0x3ff not permitted", com1, 7, com1 + 4, 0xef},
        {"out al at key 0", 0, 0, com1, 0xee},
        {"in al one below the set", com1 + 1, 7, com1, 0xec},
    };
    for (const Case& c : cases) {
        World w;
        w.code({MOV_DX(c.port), c.opcode, 0x0f, 0x05});
        arch::UserFrame f = World::at_code();
        f.rax = 0x1122'3344'5566'7788;
        const arch::UserExit e = w.enter(f, c.first, c.count);
        ASSERT_FALSE(w.machine().outcome().failed()) << w.machine().outcome().message;
        EXPECT_TRUE(is_gp(e)) << c.what << ": exit kind " << int(e.kind) << " vector " << int(e.vector);
        EXPECT_EQ(f.rip, code_va + 4) << c.what;
        EXPECT_EQ(f.rax, 0x1122'3344'5566'7788u) << c.what;
        EXPECT_EQ(w.uart().output(), "") << c.what;
        EXPECT_EQ(w.user().stats().port_accesses, 0u) << c.what;
    }
    // The same 4-byte access with the eighth port in the set goes through.
    World w;
    w.code({MOV_DX(com1 + 4), 0xed, 0x0f, 0x05});
    arch::UserFrame f = World::at_code();
    EXPECT_EQ(w.enter(f, com1, 8).kind, arch::UserExit::Kind::syscall);
}

TEST(PortIo, APermittedPortNobodyClaimsReadsAllOnes) {
    World w;
    w.code({0xe4, 0x80,               // in al, 0x80
            0x88, 0xc3,               // mov bl, al
            0x66, 0xba, 0x82, 0x00,   // mov dx, 0x82
            0xed,                     // in eax, dx
            0xe6, 0x80, 0x0f, 0x05}); // out 0x80, al; syscall
    arch::UserFrame f = World::at_code();
    ASSERT_EQ(w.enter(f, 0x80, 8).kind, arch::UserExit::Kind::syscall) << w.machine().outcome().message;
    EXPECT_EQ(f.rbx & 0xff, 0xffu);
    EXPECT_EQ(f.rax, 0xffff'ffffu);
}

// String forms: Unicorn calls the port hook once per element; a permitted `rep outsb` sends every byte, a
// refused `rep insb` faults with rcx and rdi as the instruction found them and at most its first element
// written (with zeros, a documented difference).
TEST(PortIo, StringFormsWorkPerElementAndARefusedOneChangesNothing) {
    World w;
    const std::uint64_t d = w.data();
    std::memcpy(w.machine().ram() + d, "abc", 3);
    w.code({MOV_DX(com1), 0xf3, 0x6e, 0x0f, 0x0b}); // rep outsb; ud2 (syscall would overwrite rcx)
    arch::UserFrame f = World::at_code();
    f.rsi = data_va;
    f.rcx = 3;
    const arch::UserExit sent = w.enter(f, com1, 8);
    ASSERT_EQ(sent.kind, arch::UserExit::Kind::exception) << w.machine().outcome().message;
    EXPECT_EQ(sent.vector, 6);
    EXPECT_EQ(w.uart().output(), "abc");
    EXPECT_EQ(f.rcx, 0u);
    EXPECT_EQ(f.rsi, data_va + 3);

    World v;
    const std::uint64_t e = v.data();
    v.word(e) = 0x1111'1111'1111'1111;
    v.uart().receive('!');
    v.code({MOV_DX(0x60), 0xf3, 0x6c, 0x0f, 0x05}); // rep insb from a port outside the set
    f = World::at_code();
    f.rdi = data_va;
    f.rcx = 4;
    EXPECT_TRUE(is_gp(v.enter(f, com1, 8)));
    EXPECT_EQ(f.rip, code_va + 4);
    EXPECT_EQ(f.rcx, 4u);
    EXPECT_EQ(f.rdi, data_va);
    // Only the first element's byte may have changed (TCG's restartable dummy store, user_cpu.hpp).
    EXPECT_EQ(v.word(e) >> 8, 0x11'1111'1111'1111u);
}

// A CPU spinning in ring 3 with ports loaded takes another CPU's io_shootdown: its set is gone and run_user
// returns an interrupt exit with the `reenter` vector, which the kernel's handler never sees. A TLB shootdown
// does not end ring 3 (the arch layer's own business).
TEST(PortIo, AnIoShootdownTakenInRing3EndsRunUserWithTheReenterVector) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) { // a few interleavings; each one replays exactly
        World w(2);
        std::unique_ptr<Strategy> strategy = make_random(seed);
        w.machine().set_strategy(strategy.get()); // the default never preempts CPU 0's endless ring 3
        w.code({0xeb, 0xfe});                     // jmp $
        std::vector<unsigned> handled;
        w.machine().set_interrupt_handler([&](unsigned v) { handled.push_back(v); });
        arch::UserExit exit{};
        arch::Atomic<int> loaded{0};
        bool permitted_after = true;
        w.machine().start(0, [&] {
            arch::irq_disable();
            arch::io_load(4);
            arch::io_allow(com1, 8);
            loaded.store(1);
            arch::UserFrame f = World::at_code();
            exit = arch::run_user(f, {w.root(), 1});
            permitted_after = io_permitted(0, com1, 1);
        });
        w.machine().start(1, [&] {
            while (!loaded.load()) arch::cpu_relax();
            w.machine().shootdown(1u << 0, std::nullopt); // ring 3 goes on after a TLB shootdown
            arch::io_shootdown(arch::CpuMask::only(0), 0x77);
        });
        ASSERT_TRUE(w.machine().run()) << w.machine().outcome().message;
        EXPECT_EQ(exit.kind, arch::UserExit::Kind::interrupt) << seed;
        EXPECT_EQ(exit.vector, 0x77) << seed;
        EXPECT_FALSE(permitted_after) << seed;
        EXPECT_TRUE(handled.empty()) << seed;
    }
}

// A request already pending when the kernel enters ring 3 (taken as run_user opens interrupts) ends it
// before the first instruction.
TEST(PortIo, ARequestTakenAsRunUserOpensInterruptsReturnsAtOnce) {
    World w(2);
    w.code({MOV_DX(com1), 0xb0, 'X', 0xee, 0xeb, 0xfe}); // out 'X', then spin
    arch::UserExit exit{};
    arch::Atomic<int> loaded{0}, sent{0};
    w.machine().start(0, [&] {
        arch::irq_disable();
        arch::io_load(4);
        arch::io_allow(com1, 8);
        loaded.store(1);
        while (!w.machine().shootdown_pending(0)) arch::cpu_relax();
        arch::UserFrame f = World::at_code();
        exit = arch::run_user(f, {w.root(), 1});
    });
    w.machine().start(1, [&] {
        while (!loaded.load()) arch::cpu_relax();
        arch::io_shootdown(arch::CpuMask::only(0), 0x78);
        sent.store(1);
    });
    ASSERT_TRUE(w.machine().run()) << w.machine().outcome().message;
    EXPECT_EQ(exit.kind, arch::UserExit::Kind::interrupt);
    EXPECT_EQ(exit.vector, 0x78);
    EXPECT_EQ(w.uart().output(), ""); // not one instruction ran
}

} // namespace
} // namespace hostsim::usermode
