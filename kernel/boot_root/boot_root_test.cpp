// The boot path to a ready root task, on hostsim: the real frame allocator over simulated RAM, the real
// Kmem/FramePageSource and mapping database, the real root-task ELF placed in RAM as a boot module.
//
// Expectations come from outside the code under test: the ELF's program headers are read with the host's
// <elf.h> (not kernel/loader), the layout from janus::abi::root_mem (the documented ABI), the rights rule
// from docs/abi.md (the segment's R/W/X plus grant; stack and pool rw- plus grant).
#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hostsim/machine.hpp"
#include "hostsim/sanitizers.hpp"
#include "kernel/boot_root/boot_root.hpp"
#include "kernel/boot_root/run_root.hpp"
#include "kernel/check/check.hpp"
#include "kernel/loader/testing/elf_builder.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel {
namespace {

namespace layout = janus::abi::root_mem;
namespace R = janus::abi::rights;

constexpr std::uint64_t page = 4096;
constexpr std::uint64_t module_pa = 0x20'0000;

std::vector<std::byte> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::memcpy(bytes.data(), chars.data(), chars.size());
    return bytes;
}

std::vector<std::byte> roottask() {
    auto bytes = read_file(std::string(JANUS_USER_ELF_DIR) + "/roottask.elf");
    EXPECT_GT(bytes.size(), sizeof(Elf64_Ehdr)) << "build user_roottask first";
    return bytes;
}

struct Mapping {
    std::uint64_t va, frame, rights;
};

/// One boot on a fresh machine: `modules` placed one after another from module_pa, usable RAM from 1 MiB.
struct Boot {
    explicit Boot(const std::vector<std::pair<std::vector<std::byte>, std::string>>& modules,
                  unsigned cpus = 1) {
        hostsim::Config config;
        config.cpus = cpus;
        config.memory_bytes = 32u << 20;
        config.step_budget = 50'000'000;
        machine = std::make_unique<hostsim::Machine>(config);
        info = std::make_unique<boot::BootInfo>();
        info->memory.regions[0] = {0x10'0000, config.memory_bytes - 0x10'0000, boot::MemoryType::usable};
        info->memory.count = 1;
        std::uint64_t pa = module_pa;
        for (const auto& [bytes, name] : modules) {
            std::memcpy(machine->ram() + pa, bytes.data(), bytes.size());
            boot::Module& m = info->modules[info->module_count++];
            m.base = pa;
            m.size = bytes.size();
            std::snprintf(m.name, sizeof m.name, "%s", name.c_str());
            pa = (pa + bytes.size() + page - 1) / page * page;
        }
        modules_end = pa;
    }
    ~Boot() {
        // The kernel stays behind in simulated RAM with its slab chunks poisoned for ASan
        // (kernel/obj/kmem.cpp); the next machine may get the same memory.
        hostsim::san::asan_unpoison(machine->ram(), machine->ram_size());
    }
    Boot(const Boot&) = delete;
    Boot& operator=(const Boot&) = delete;

    /// Runs the boot path; afterwards (still on the machine) records what the root domain maps, and with a
    /// runner runs the root task to its end.
    void run(UserRunner* runner = nullptr) {
        auto status = machine->run([this, runner] {
            boot::WindowReader reader;
            booted = boot_root(*kernel, *pages, *info, {}, reader, out);
            if (!booted) return;
            if (runner) {
                RootSession session(*kernel, *runner);
                verdict = run_root(*kernel, session);
                return;
            }
            visit_mappings(*out.root.pd, [this](std::uint64_t va, std::uint64_t pa, std::uint64_t rights) {
                mappings.push_back({va, pa, rights});
            });
            checked = check_kernel(*kernel);
            utcb_mapped = page_in_use(*out.root.pd, layout::utcb);
            frame = out.root.thread->frame;
        });
        EXPECT_FALSE(status.has_value()) << "the boot path must not stop the machine itself";
    }

    const Mapping* at(std::uint64_t va) const {
        for (const Mapping& m : mappings)
            if (m.va == va) return &m;
        return nullptr;
    }
    const std::byte* frame_bytes(const Mapping& m) { return machine->ram() + m.frame; }
    std::string console() const { return machine->console(); }

    std::unique_ptr<hostsim::Machine> machine;
    std::unique_ptr<boot::BootInfo> info;
    std::unique_ptr<Kernel> kernel = std::make_unique<Kernel>();
    std::unique_ptr<FramePageSource> pages = std::make_unique<FramePageSource>(mem::frames());
    std::uint64_t modules_end = 0;
    bool booted = false;
    RootBoot out;
    std::vector<Mapping> mappings;
    CheckResult checked{};
    bool utcb_mapped = false;
    arch::UserFrame frame{};
    std::optional<arch::ExitStatus> verdict;
};

TEST(BootRoot, TheRootTaskIsMappedFromItsProgramHeadersAndReadyAtItsEntry) {
    const auto elf = roottask();
    Boot b({{elf, "roottask"}}, 3);
    b.run();
    ASSERT_TRUE(b.booted) << b.console();
    EXPECT_TRUE(b.checked.ok) << b.checked.text;

    Elf64_Ehdr eh;
    std::memcpy(&eh, elf.data(), sizeof eh);
    EXPECT_EQ(b.out.entry, eh.e_entry);
    std::size_t segment_pages = 0;
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph;
        std::memcpy(&ph, elf.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD) continue;
        std::uint64_t want = R::grant | (ph.p_flags & PF_R ? R::read : 0) |
                             (ph.p_flags & PF_W ? R::write : 0) | (ph.p_flags & PF_X ? R::exec : 0);
        for (std::uint64_t va = ph.p_vaddr & ~(page - 1); va < ph.p_vaddr + ph.p_memsz; va += page) {
            ++segment_pages;
            const Mapping* m = b.at(va);
            ASSERT_NE(m, nullptr) << "segment page " << std::hex << va << " not mapped";
            EXPECT_EQ(m->rights, want) << std::hex << va;
            // Contents: the file's bytes where the segment has them, zero elsewhere (.bss, page tails).
            const std::byte* got = b.frame_bytes(*m);
            for (std::uint64_t off = 0; off < page; ++off) {
                std::uint64_t a = va + off;
                std::byte expected{0};
                if (a >= ph.p_vaddr && a < ph.p_vaddr + ph.p_filesz)
                    expected = elf[ph.p_offset + (a - ph.p_vaddr)];
                ASSERT_EQ(got[off], expected) << "byte at " << std::hex << a;
            }
            // A private copy, never the module's own frames.
            EXPECT_TRUE(m->frame >= b.modules_end || m->frame + page <= module_pa) << std::hex << m->frame;
        }
    }

    std::size_t stack_pages = 0, pool_pages = 0;
    for (const Mapping& m : b.mappings) {
        EXPECT_FALSE((m.rights & R::write) && (m.rights & R::exec)) << "W+X at " << std::hex << m.va;
        EXPECT_GE(m.frame, 0x10'0000u) << "a frame below 1 MiB (not usable memory)";
        if (m.va >= layout::stack_top - layout::stack_bytes && m.va < layout::stack_top) {
            ++stack_pages;
            EXPECT_EQ(m.rights, R::read | R::write | R::grant);
        } else if (m.va >= layout::pool && m.va < layout::pool + b.out.pool_bytes) {
            ++pool_pages;
            EXPECT_EQ(m.rights, R::read | R::write | R::grant);
            const std::byte* bytes = b.frame_bytes(m);
            for (std::uint64_t off = 0; off < page; off += 512) ASSERT_EQ(bytes[off], std::byte{0});
        }
    }
    EXPECT_EQ(stack_pages, layout::stack_bytes / page);
    EXPECT_GT(b.out.pool_bytes, 0u);
    EXPECT_EQ(b.out.pool_bytes % page, 0u);
    EXPECT_EQ(pool_pages, b.out.pool_bytes / page);
    EXPECT_EQ(b.mappings.size(), segment_pages + stack_pages + pool_pages) << "nothing else is mapped";
    EXPECT_TRUE(b.utcb_mapped);

    // The first thread: at the entry, the documented stack, the start words, every other register 0.
    arch::UserFrame want{};
    want.rip = eh.e_entry;
    want.rsp = layout::stack_top;
    want.rdi = layout::pool;
    want.rsi = b.out.pool_bytes;
    want.rdx = 3; // the machine's CPUs
    EXPECT_EQ(std::memcmp(&b.frame, &want, sizeof want), 0);
    EXPECT_NE(b.console().find("root: quota "), std::string::npos) << b.console();
}

TEST(BootRoot, TheModuleNamedRoottaskIsChosenOverEarlierOnes) {
    std::vector<std::byte> text(5000, std::byte{'x'});
    Boot b({{text, "initrd"}, {roottask(), "/boot/roottask.elf roottask"}});
    b.run();
    EXPECT_TRUE(b.booted) << b.console();
}

TEST(BootRoot, WithoutAModuleTheBootIsRefusedWithAMessage) {
    Boot b({});
    b.run();
    EXPECT_FALSE(b.booted);
    EXPECT_NE(b.console().find("boot: no root task: give its ELF as a boot module"), std::string::npos)
        << b.console();
}

TEST(BootRoot, ATruncatedModuleIsRefusedNamingTheField) {
    auto elf = roottask();
    elf.resize(8192); // inside the first segment's file bytes
    Boot b({{elf, "roottask"}});
    b.run();
    EXPECT_FALSE(b.booted);
    EXPECT_NE(b.console().find("boot module \"roottask\" rejected: segment outside the image: p_filesz"),
              std::string::npos)
        << b.console();
}

TEST(BootRoot, APlainTextModuleIsRefused) {
    std::string text;
    for (int i = 0; i < 8; ++i) text += "not an executable\n"; // longer than an ELF header
    std::vector<std::byte> bytes(text.size());
    std::memcpy(bytes.data(), text.data(), text.size());
    Boot b({{bytes, ""}});
    b.run();
    EXPECT_FALSE(b.booted);
    EXPECT_NE(b.console().find("boot module at 0x200000 rejected: not an ELF64"), std::string::npos)
        << b.console();
}

TEST(BootRoot, ASegmentInTheStackWindowIsRefused) {
    loader::testing::ElfBuilder e;
    loader::testing::ProgramHeader code;
    code.offset = 0x1000;
    code.vaddr = layout::stack_top - page; // the stack's last page
    code.filesz = code.memsz = 16;
    e.headers.push_back(code);
    e.entry = code.vaddr;
    e.contents.push_back({0x1000, std::vector<std::uint8_t>(16, 0x90)});
    Boot b({{e.build(), "roottask"}});
    b.run();
    EXPECT_FALSE(b.booted);
    EXPECT_NE(b.console().find("overlaps the root task's stack"), std::string::npos) << b.console();
}

/// Stands in for ring 3: the root task's first entry asks pd_quota by syscall, the second ends the run the
/// way `ending` says (the exit convention with a status, or a fault).
class ScriptedRootTask final : public UserRunner {
public:
    enum class Ending { exit_status, general_protection };
    ScriptedRootTask(Ending ending, std::uint64_t status) : ending_(ending), status_(status) {}

    arch::UserExit run(arch::UserFrame& f, arch::AddressSpaceRoot space) override {
        ++entries;
        if (entries == 1) {
            first = f;
            first_space = space;
            f.rip += 2; // after the syscall instruction, as the CPU leaves it
            f.rax = static_cast<std::uint64_t>(janus::abi::Syscall::pd_quota);
            f.rcx = f.rip;
            f.r11 = f.rflags;
            return {arch::UserExit::Kind::syscall, 0, 0, 0};
        }
        if (entries == 2) {
            quota_status = f.rax;
            quota_limit = f.rdi;
            if (ending_ == Ending::general_protection) return {arch::UserExit::Kind::exception, 13, 0, 0};
            f.rax = 0x4a616e7573586974; // "JanusXit" (docs/user.md)
            f.rdi = status_;
            return {arch::UserExit::Kind::exception, 6, 0, 0};
        }
        ADD_FAILURE() << "the root task ran after it ended the run";
        return {arch::UserExit::Kind::exception, 6, 0, 0};
    }

    int entries = 0;
    arch::UserFrame first{};
    arch::AddressSpaceRoot first_space{};
    std::uint64_t quota_status = ~std::uint64_t{0}, quota_limit = 0;

private:
    Ending ending_;
    std::uint64_t status_;
};

TEST(RunRoot, TheRootTaskRunsInItsSpaceFromItsEntryAndExitZeroIsSuccess) {
    const auto elf = roottask();
    Elf64_Ehdr eh;
    std::memcpy(&eh, elf.data(), sizeof eh);
    Boot b({{elf, "roottask"}});
    ScriptedRootTask task(ScriptedRootTask::Ending::exit_status, 0);
    b.run(&task);
    ASSERT_TRUE(b.booted) << b.console();
    EXPECT_EQ(task.entries, 2);
    EXPECT_EQ(task.first.rip, eh.e_entry);
    EXPECT_EQ(task.first.rsp, layout::stack_top);
    EXPECT_EQ(task.first.rdi, layout::pool);
    EXPECT_EQ(task.first.rsi, b.out.pool_bytes);
    EXPECT_EQ(task.first_space.top_table, b.out.root.pd->memory.top_phys);
    EXPECT_EQ(task.quota_status, 0u); // the syscall went through the real dispatcher
    EXPECT_EQ(task.quota_limit, b.out.quota);
    ASSERT_TRUE(b.verdict.has_value());
    EXPECT_EQ(*b.verdict, arch::ExitStatus::success);
    EXPECT_NE(b.console().find("Janus: the root task exited with status 0 (success)"), std::string::npos);
}

TEST(RunRoot, ANonZeroExitStatusIsFailure) {
    Boot b({{roottask(), "roottask"}});
    ScriptedRootTask task(ScriptedRootTask::Ending::exit_status, 3);
    b.run(&task);
    ASSERT_TRUE(b.verdict.has_value());
    EXPECT_EQ(*b.verdict, arch::ExitStatus::failure);
    EXPECT_NE(b.console().find("exited with status 3 (failure)"), std::string::npos) << b.console();
}

TEST(RunRoot, AnUnhandledFaultOfTheRootTaskIsFailure) {
    Boot b({{roottask(), "roottask"}});
    ScriptedRootTask task(ScriptedRootTask::Ending::general_protection, 0);
    b.run(&task);
    ASSERT_TRUE(b.verdict.has_value());
    EXPECT_EQ(*b.verdict, arch::ExitStatus::failure);
    EXPECT_NE(b.console().find("took exception 13"), std::string::npos) << b.console();
    EXPECT_NE(b.console().find("Janus: the root task failed"), std::string::npos) << b.console();
}

} // namespace
} // namespace kernel
