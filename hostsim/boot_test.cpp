// The portable kernel boots on hostsim from multiboot2 information placed in simulated RAM, exactly as GRUB
// would hand it over.
#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <optional>
#include <string>

#include "arch/cpu.hpp"
#include "kernel/panic.hpp"

#include "hostsim/machine.hpp"
#include "kernel/boot/bootinfo.hpp"
#include "kernel/main.hpp"

namespace {

// Writes a multiboot2 information block into simulated RAM, field by field per the specification.
class Mb2Writer {
public:
    Mb2Writer(std::byte* ram, std::uint64_t pa) : base_(ram + pa), off_(8) {}

    void u32(std::uint32_t v) { put(&v, 4); }
    void u64(std::uint64_t v) { put(&v, 8); }
    void mmap(std::initializer_list<std::array<std::uint64_t, 3>> entries) {
        std::size_t start = off_;
        u32(6);
        u32(16 + 24 * static_cast<std::uint32_t>(entries.size()));
        u32(24);
        u32(0);
        for (auto& e : entries) {
            u64(e[0]);
            u64(e[1]);
            u32(static_cast<std::uint32_t>(e[2]));
            u32(0);
        }
        align(start);
    }
    /// A module tag (type 3): the module's physical range [start, end) and its command line.
    void module(std::uint32_t start_pa, std::uint32_t end_pa, const char* name) {
        std::size_t start = off_;
        std::uint32_t n = static_cast<std::uint32_t>(std::strlen(name) + 1);
        u32(3);
        u32(16 + n);
        u32(start_pa);
        u32(end_pa);
        put(name, n);
        align(start);
    }
    void string_tag(std::uint32_t type, const char* s) {
        std::size_t start = off_;
        std::uint32_t n = static_cast<std::uint32_t>(std::strlen(s) + 1);
        u32(type);
        u32(8 + n);
        put(s, n);
        align(start);
    }
    std::uint32_t finish() {
        u32(0);
        u32(8);
        std::uint32_t total = static_cast<std::uint32_t>(off_);
        std::memcpy(base_, &total, 4);
        return total;
    }

private:
    void put(const void* p, std::size_t n) {
        std::memcpy(base_ + off_, p, n);
        off_ += n;
    }
    void align(std::size_t) { off_ = (off_ + 7) & ~std::size_t{7}; }

    std::byte* base_;
    std::size_t off_;
};

/// What GRUB's hand-over does next: the kernel parses the multiboot2 information at `info_pa` (a rejection
/// stops it with the panic status) and starts.
std::optional<arch::ExitStatus> boot_multiboot2(hostsim::Machine& m, std::uint64_t info_pa) {
    return m.run([info_pa] {
        kernel::boot::WindowReader reader;
        static kernel::boot::BootInfo info;
        auto r = kernel::boot::parse(kernel::boot::Protocol::multiboot2, reader, info_pa, info);
        if (!r) kernel::boot_rejected(r.error());
        kernel::start(info);
    });
}

// Without a root-task module the kernel has nothing to run: after the memory map it stops with the panic
// status and says what is missing (kernel/boot_root; boot_root.BootRoot.* boot one on hostsim).
TEST(Boot, Multiboot2KernelStartsPrintsMapAndStopsWithoutARootTask) {
    hostsim::Machine m;
    constexpr std::uint64_t info_pa = 0x10000;
    Mb2Writer w(m.ram(), info_pa);
    w.string_tag(2, "hostsim");
    w.string_tag(1, "verbose");
    w.mmap({{{0, 0x9fc00, 1}}, {{0x100000, 0x3f00000, 1}}, {{0xf0000, 0x10000, 2}}});
    w.finish();

    auto status = m.run([&] {
        kernel::print_banner();
        kernel::boot::WindowReader reader;
        static kernel::boot::BootInfo info;
        auto r = kernel::boot::parse(kernel::boot::Protocol::multiboot2, reader, info_pa, info);
        if (!r) kernel::boot_rejected(r.error());
        kernel::start(info);
    });

    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, arch::ExitStatus::panic);
    EXPECT_NE(m.console().find("boot: no root task"), std::string::npos) << m.console();
    EXPECT_NE(m.console().find("Janus "), std::string::npos) << m.console();
    EXPECT_NE(m.console().find("boot: multiboot2 from hostsim\n"), std::string::npos) << m.console();
    EXPECT_NE(m.console().find("command line \"verbose\""), std::string::npos) << m.console();
    // 636 KiB below 640 KiB (trimmed to whole pages) + 63 MiB above 1 MiB.
    EXPECT_NE(m.console().find("boot: 65148 KiB usable in 3 regions"), std::string::npos) << m.console();
}

TEST(Boot, CorruptInformationIsRejectedWithPanicStatusAndAClearMessage) {
    hostsim::Machine m;
    constexpr std::uint64_t info_pa = 0x10000;
    Mb2Writer w(m.ram(), info_pa);
    w.string_tag(2, "hostsim");
    w.finish(); // no memory map and no basic memory information: the kernel cannot know its RAM

    auto status = boot_multiboot2(m, info_pa);

    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, arch::ExitStatus::panic);
    EXPECT_NE(m.console().find("boot information rejected"), std::string::npos) << m.console();
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// The boot log names every module the loader handed over, once each, and no more: the log is what a developer
// reads to see what the kernel was given. The modules here are not programs, so the boot stops after the log.
TEST(Boot, TheBootLogNamesEachModuleOnce) {
    hostsim::Machine m;
    constexpr std::uint64_t info_pa = 0x10000;
    Mb2Writer w(m.ram(), info_pa);
    w.mmap({{{0, 0x9fc00, 1}}, {{0x100000, 0x3f00000, 1}}});
    w.module(0x200000, 0x201000, "first");
    w.module(0x300000, 0x300800, "second");
    w.finish();

    auto status = boot_multiboot2(m, info_pa);

    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(occurrences(m.console(), "boot: module "), 2u) << m.console();
    EXPECT_EQ(occurrences(m.console(), "boot: module 0x200000+0x1000 \"first\"\n"), 1u) << m.console();
    EXPECT_EQ(occurrences(m.console(), "boot: module 0x300000+0x800 \"second\"\n"), 1u) << m.console();
}

// With a root task the kernel can load but no way to run user code (kernel::start without a runner, as on a
// machine whose platform offers none), the boot gets as far as the root task, then says why it stops.
TEST(Boot, WithARootTaskButNoWayToRunUserCodeTheKernelSaysWhyItStops) {
    std::ifstream file(std::string(JANUS_USER_ELF_DIR) + "/roottask.elf", std::ios::binary);
    const std::string elf((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    ASSERT_GT(elf.size(), 64u) << "build user_roottask first";
    hostsim::Machine m;
    constexpr std::uint64_t info_pa = 0x10000, module_pa = 0x200000;
    std::memcpy(m.ram() + module_pa, elf.data(), elf.size());
    Mb2Writer w(m.ram(), info_pa);
    w.mmap({{{0, 0x9fc00, 1}}, {{0x100000, 0x3f00000, 1}}});
    w.module(module_pa, static_cast<std::uint32_t>(module_pa + elf.size()), "roottask");
    w.finish();

    auto status = boot_multiboot2(m, info_pa);

    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, arch::ExitStatus::panic);
    EXPECT_NE(m.console().find("boot: this machine has no way to run user code; stopping\n"),
              std::string::npos)
        << m.console();
    EXPECT_EQ(m.console().find("boot complete"), std::string::npos) << m.console();
}

// The bare-metal reader hands out a pointer only for memory the kernel can read whole; boot information that
// points past RAM, or reaches past its end, is refused rather than read (the parsers then reject it).
TEST(Boot, TheWindowReaderRefusesRangesOutsideReadableMemory) {
    hostsim::Machine m;
    const std::uint64_t ram = m.ram_size();
    m.run([&] {
        kernel::boot::WindowReader reader;
        EXPECT_NE(reader.read(0x1000, 64), nullptr);
        EXPECT_NE(reader.read(ram - 64, 64), nullptr) << "the last bytes of RAM";
        EXPECT_EQ(reader.read(0x1000, 0), nullptr) << "an empty read";
        EXPECT_EQ(reader.read(ram - 4, 8), nullptr) << "a read that runs past the end of RAM";
        EXPECT_EQ(reader.read(ram, 1), nullptr);
        EXPECT_EQ(reader.read(std::uint64_t{1} << 40, 8), nullptr);
        EXPECT_EQ(reader.read(~std::uint64_t{0} - 3, 8), nullptr) << "a range that wraps";
        arch::shutdown(arch::ExitStatus::success);
    });
    EXPECT_FALSE(m.outcome().failed()) << m.outcome().message;
}

// Boot information placed beyond RAM is rejected with a message, not followed.
TEST(Boot, InformationBeyondRamIsRejected) {
    hostsim::Machine m;
    const std::uint64_t info_pa = m.ram_size() + 0x10000;
    auto status = boot_multiboot2(m, info_pa);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, arch::ExitStatus::panic);
    EXPECT_NE(m.console().find("boot information rejected"), std::string::npos) << m.console();
}

// A panic stops the CPU with interrupts masked, even when it struck with them open: an interrupt handler must
// never run on top of a kernel whose invariants just broke.
TEST(Panic, StopsWithInterruptsMasked) {
    hostsim::Machine m;
    auto status = m.run([&] {
        arch::irq_enable();
        kernel::panic("planted by the test");
    });
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, arch::ExitStatus::panic);
    EXPECT_FALSE(m.outcome().irq_enabled_at_exit);
    EXPECT_NE(m.console().find("PANIC: planted by the test"), std::string::npos) << m.console();
}

} // namespace
