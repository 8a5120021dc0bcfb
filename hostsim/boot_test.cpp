// The portable kernel boots on hostsim from multiboot2 information placed in simulated RAM, exactly as GRUB
// would hand it over.
#include <cstring>
#include <gtest/gtest.h>

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
    EXPECT_NE(m.console().find("from hostsim"), std::string::npos) << m.console();
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

    auto status = m.run([&] {
        kernel::boot::WindowReader reader;
        static kernel::boot::BootInfo info;
        auto r = kernel::boot::parse(kernel::boot::Protocol::multiboot2, reader, info_pa, info);
        if (!r) kernel::boot_rejected(r.error());
        kernel::start(info);
    });

    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, arch::ExitStatus::panic);
    EXPECT_NE(m.console().find("boot information rejected"), std::string::npos) << m.console();
}

} // namespace
