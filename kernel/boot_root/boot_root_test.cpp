// The boot path to a ready root task, on hostsim: the real frame allocator over simulated RAM, the real
// Kmem/FramePageSource and mapping database, the real root-task ELF placed in RAM as a boot module.
//
// Expectations come from outside the code under test: the ELF's program headers are read with the host's
// <elf.h> (not kernel/loader), the layout from janus::abi::root_mem (the documented ABI), the rights rule
// from docs/abi.md (the segment's R/W/X plus grant; stack and pool rw- plus grant; modules r-x plus grant,
// their table r-- plus grant), what the root task reads through hostsim's own page walker
// (hostsim/pagewalk.hpp).
#include <elf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "hostsim/machine.hpp"
#include "hostsim/pagewalk.hpp"
#include "hostsim/sanitizers.hpp"
#include "kernel/boot_root/boot_root.hpp"
#include "kernel/boot_root/root_platform.hpp"
#include "kernel/boot_root/run_root.hpp"
#include "kernel/check/check.hpp"
#include "kernel/lib/spinlock.hpp"
#include "kernel/lifecycle/root.hpp"
#include "kernel/loader/testing/elf_builder.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/mem/frames.hpp"
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

/// A boot module of a test: its bytes (copied into RAM), its command line, and where it goes.
struct ModuleSpec {
    std::vector<std::byte> bytes;
    std::string name;
    std::uint64_t gap = 0;  ///< bytes between the previous module's page-aligned end and this one's base
    std::uint64_t base = 0; ///< if not 0: here instead (nothing copied; the boot information says so)
    std::uint64_t size = 0; ///< with base: the size the boot information claims
};

constexpr std::uint64_t ram_bytes = 32u << 20;

/// One boot on a fresh machine: `modules` placed one after another from module_pa (each from a page
/// boundary plus its gap), usable RAM from 1 MiB, nothing reserved unless the test says so.
struct Boot {
    explicit Boot(const std::vector<ModuleSpec>& modules, unsigned cpus = 1) {
        hostsim::Config config;
        config.cpus = cpus;
        config.memory_bytes = ram_bytes;
        config.step_budget = 50'000'000;
        machine = std::make_unique<hostsim::Machine>(config);
        info = std::make_unique<boot::BootInfo>();
        info->memory.regions[0] = {0x10'0000, config.memory_bytes - 0x10'0000, boot::MemoryType::usable};
        info->memory.count = 1;
        std::uint64_t pa = module_pa;
        for (const ModuleSpec& spec : modules) {
            boot::Module& m = info->modules[info->module_count++];
            std::snprintf(m.name, sizeof m.name, "%s", spec.name.c_str());
            if (spec.base) {
                m.base = spec.base;
                m.size = spec.size;
                continue;
            }
            pa += spec.gap;
            std::memcpy(machine->ram() + pa, spec.bytes.data(), spec.bytes.size());
            m.base = pa;
            m.size = spec.bytes.size();
            pa = (pa + spec.bytes.size() + page - 1) / page * page;
        }
        modules_end = pa;
    }
    ~Boot() {
        // The kernel stays behind in simulated RAM with its slab chunks poisoned for ASan
        // (kernel/kmem/kmem.cpp); the next machine may get the same memory.
        hostsim::san::asan_unpoison(machine->ram(), machine->ram_size());
    }
    Boot(const Boot&) = delete;
    Boot& operator=(const Boot&) = delete;

    /// Runs the boot path; afterwards (still on the machine) records what the root domain maps, and with a
    /// runner runs the root task to its end; then `after`, if any.
    void run(UserRunner* runner = nullptr, const std::function<void()>& after = {}) {
        auto status = machine->run([this, runner, &after] {
            boot::WindowReader reader;
            booted = boot_root(*kernel, *pages, *info, reserved, reader, out);
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
            if (after) after();
        });
        EXPECT_FALSE(status.has_value()) << "the boot path must not stop the machine itself";
    }

    /// What the root task's MMU makes of `va` (hostsim's walker over the root's page tables in RAM).
    hostsim::PageWalk walk(std::uint64_t va) const {
        const std::byte* ram = machine->ram();
        auto read = [ram](std::uint64_t pa) {
            std::uint64_t word;
            std::memcpy(&word, ram + pa, sizeof word);
            return word;
        };
        return hostsim::walk(read, out.root.pd->memory.top_phys, va);
    }

    /// The read-only page at `va` as the root task reads it, as a T (the module table, the platform page).
    template <typename T>
    T read_only_page(std::uint64_t va, const char* what) const {
        static_assert(sizeof(T) <= 4096);
        T value{};
        const hostsim::PageWalk w = walk(va);
        EXPECT_EQ(w.outcome, hostsim::PageWalk::Outcome::mapped) << "no " << what;
        EXPECT_TRUE(w.user && !w.writable && !w.executable) << "the " << what << " is r--";
        if (w.outcome == hostsim::PageWalk::Outcome::mapped)
            std::memcpy(&value, machine->ram() + w.phys, sizeof value);
        return value;
    }
    janus::abi::ModuleTable table() const {
        return read_only_page<janus::abi::ModuleTable>(layout::module_table, "module table");
    }
    janus::abi::Platform platform() const {
        return read_only_page<janus::abi::Platform>(layout::platform, "platform page");
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
    std::vector<mem::PhysRange> reserved; ///< what the machine keeps (a kernel image, say)
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

    std::size_t stack_pages = 0, pool_pages = 0, module_pages = 0, table_pages = 0, platform_pages = 0;
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
        } else if (m.va >= layout::modules && m.va < layout::modules + layout::modules_max_bytes) {
            ++module_pages; // the module's own frames, read-only
            EXPECT_EQ(m.rights, R::read | R::exec | R::grant);
            EXPECT_EQ(m.frame, module_pa + (m.va - layout::modules));
        } else if (m.va == layout::module_table) {
            ++table_pages;
            EXPECT_EQ(m.rights, R::read | R::grant);
        } else if (m.va == layout::platform) {
            ++platform_pages;
            EXPECT_EQ(m.rights, R::read | R::grant);
            // This boot information names no ECAM window (no ACPI here): the page says so.
            const auto& platform = *reinterpret_cast<const janus::abi::Platform*>(b.frame_bytes(m));
            EXPECT_EQ(platform.ecam_count, 0u);
        }
    }
    EXPECT_EQ(stack_pages, layout::stack_bytes / page);
    EXPECT_GT(b.out.pool_bytes, 0u);
    EXPECT_EQ(b.out.pool_bytes % page, 0u);
    EXPECT_EQ(pool_pages, b.out.pool_bytes / page);
    EXPECT_EQ(module_pages, (elf.size() + page - 1) / page);
    EXPECT_EQ(table_pages, 1u);
    EXPECT_EQ(platform_pages, 1u);
    EXPECT_EQ(b.mappings.size(),
              segment_pages + stack_pages + pool_pages + module_pages + table_pages + platform_pages)
        << "nothing else is mapped";
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
    // docs/abi.md: the pool is a quarter of the free memory, the boot quota half of what is left; the boot
    // itself (module, metadata, the kernel's own pages) takes a little of the 31 MiB of usable RAM first.
    const std::uint64_t usable = ram_bytes - 0x10'0000;
    EXPECT_LE(b.out.pool_bytes + 2 * b.out.quota, usable);
    EXPECT_LE(b.out.pool_bytes, usable / 4);
    EXPECT_GE(b.out.quota, usable / 4) << "half of three quarters of nearly all of it";
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

TEST(BootRoot, ASegmentInTheModuleWindowIsRefused) {
    loader::testing::ElfBuilder e;
    loader::testing::ProgramHeader code;
    code.offset = 0x1000;
    code.vaddr = layout::modules + (std::uint64_t{5} << 30); // well inside the window
    code.filesz = code.memsz = 16;
    e.headers.push_back(code);
    e.entry = code.vaddr;
    e.contents.push_back({0x1000, std::vector<std::uint8_t>(16, 0x90)});
    Boot b({{e.build(), "roottask"}});
    b.run();
    EXPECT_FALSE(b.booted);
    EXPECT_NE(b.console().find("overlaps the root task's module window"), std::string::npos) << b.console();
}

/// `n` bytes of a pattern that differs from module to module and from page to page.
std::vector<std::byte> pattern(std::size_t n, unsigned seed) {
    std::vector<std::byte> bytes(n);
    std::uint32_t x = 0x9e37'79b9u * (seed + 1);
    for (std::byte& b : bytes) {
        x = x * 1'103'515'245u + 12'345u;
        b = static_cast<std::byte>(x >> 24);
    }
    return bytes;
}

constexpr std::uint64_t two_mib = std::uint64_t{2} << 20;

std::uint64_t round_up(std::uint64_t v, std::uint64_t granule) {
    return (v + granule - 1) / granule * granule;
}

/// Where docs/abi.md puts the modules of a boot that hands over all of `bases`/`sizes`: module after module,
/// each from a fresh 2 MiB boundary of the window, the first byte at its offset in its first page.
std::vector<std::uint64_t> documented_addresses(const std::vector<std::uint64_t>& bases,
                                                const std::vector<std::uint64_t>& sizes) {
    std::vector<std::uint64_t> out;
    std::uint64_t slot = layout::modules;
    for (std::size_t i = 0; i < bases.size(); ++i) {
        out.push_back(slot + bases[i] % page);
        const std::uint64_t first = bases[i] / page * page, end = round_up(bases[i] + sizes[i], page);
        slot += round_up(end - first, two_mib);
    }
    return out;
}

TEST(BootRoot, EveryModuleIsReadableReadOnlyInTheWindowAndTheTableNamesThem) {
    const auto elf = roottask();
    const auto config = pattern(5000, 1);             // less than two pages
    const auto blob = pattern(3 * two_mib + 4097, 2); // more than one 2 MiB slot
    const std::string long_name(100, 'n');            // longer than a table name holds
    Boot b({{elf, "roottask"}, {config, "config.txt init", 0x123}, {blob, long_name, 0xff1}});
    b.run();
    ASSERT_TRUE(b.booted) << b.console();
    EXPECT_TRUE(b.checked.ok) << b.checked.text;
    EXPECT_EQ(b.out.modules, 3u);

    std::vector<std::uint64_t> bases, sizes;
    for (std::size_t i = 0; i < b.info->module_count; ++i) {
        bases.push_back(b.info->modules[i].base);
        sizes.push_back(b.info->modules[i].size);
    }
    ASSERT_NE(bases[1] % page, 0u) << "the test wants unaligned modules";
    ASSERT_NE(bases[2] % page, 0u) << "the test wants unaligned modules";
    const auto want = documented_addresses(bases, sizes);
    const std::vector<const std::vector<std::byte>*> contents = {&elf, &config, &blob};

    const janus::abi::ModuleTable t = b.table();
    ASSERT_EQ(t.count, 3u);
    EXPECT_STREQ(t.entries[0].name, "roottask");
    EXPECT_STREQ(t.entries[1].name, "config.txt init");
    EXPECT_EQ(std::string(t.entries[2].name), long_name.substr(0, 63)) << "truncated, NUL-terminated";
    for (std::size_t i = 0; i < 3; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(t.entries[i].address, want[i]);
        EXPECT_EQ(t.entries[i].size, contents[i]->size());
        // Every byte as the root task reads it; every page read-only, user, no exec.
        const std::vector<std::byte>& bytes = *contents[i];
        for (std::uint64_t off = 0; off < bytes.size();) {
            const std::uint64_t va = t.entries[i].address + off;
            const hostsim::PageWalk w = b.walk(va);
            ASSERT_EQ(w.outcome, hostsim::PageWalk::Outcome::mapped) << std::hex << va;
            EXPECT_FALSE(w.writable) << std::hex << va;
            EXPECT_TRUE(w.executable) << std::hex << va;
            EXPECT_TRUE(w.user) << std::hex << va;
            const std::uint64_t run = std::min<std::uint64_t>(page - va % page, bytes.size() - off);
            ASSERT_EQ(std::memcmp(b.machine->ram() + w.phys, bytes.data() + off, run), 0) << std::hex << va;
            off += run;
        }
        const std::string line =
            "boot: module " + std::to_string(i) + " \"" + std::string(b.info->modules[i].name) + "\" ";
        EXPECT_NE(b.console().find(line), std::string::npos) << line << "\n" << b.console();
    }
    {
        std::ostringstream line;
        line << "boot: module 1 \"config.txt init\" 5000 bytes at 0x" << std::hex << want[1];
        EXPECT_NE(b.console().find(line.str()), std::string::npos) << line.str() << "\n" << b.console();
    }
    // The mapping database agrees: every page of the window is r-x with grant, the table r-- with grant,
    // nothing writable; each window page names the module's own frame.
    std::size_t window_pages = 0;
    for (const Mapping& m : b.mappings) {
        if (m.va == layout::module_table) EXPECT_EQ(m.rights, R::read | R::grant);
        if (m.va < layout::modules || m.va >= layout::modules + layout::modules_max_bytes) continue;
        ++window_pages;
        EXPECT_EQ(m.rights, R::read | R::exec | R::grant) << std::hex << m.va;
        EXPECT_TRUE(m.frame >= module_pa && m.frame < b.modules_end) << std::hex << m.frame;
    }
    std::size_t module_pages = 0;
    for (std::size_t i = 0; i < 3; ++i)
        module_pages += (round_up(bases[i] + sizes[i], page) - bases[i] / page * page) / page;
    EXPECT_EQ(window_pages, module_pages);
    EXPECT_EQ(b.walk(round_up(want[2] + blob.size(), page)).outcome, hostsim::PageWalk::Outcome::not_present)
        << "nothing after the last module";
}

TEST(BootRoot, TheRootTaskIsEntryZeroWhereverItsModuleIs) {
    const auto text = pattern(3000, 3);
    Boot b({{text, "first"}, {roottask(), "/boot/roottask.elf roottask"}, {text, "third"}});
    b.run();
    ASSERT_TRUE(b.booted) << b.console();
    const janus::abi::ModuleTable t = b.table();
    ASSERT_EQ(t.count, 3u);
    EXPECT_STREQ(t.entries[0].name, "/boot/roottask.elf roottask");
    EXPECT_STREQ(t.entries[1].name, "first");
    EXPECT_STREQ(t.entries[2].name, "third");
    EXPECT_EQ(t.entries[0].address, layout::modules);
}

TEST(BootRoot, ThePlatformPageCarriesTheEcamWindowsOfTheBootInformation) {
    Boot b({{roottask(), "roottask"}});
    const janus::abi::PciEcam windows[] = {{0xb000'0000, 0, 0, 255, 0}, {0xe000'0000, 1, 16, 31, 0}};
    for (const auto& w : windows) b.info->ecam[b.info->ecam_count++] = w;
    b.run();
    ASSERT_TRUE(b.booted) << b.console();
    const janus::abi::Platform p = b.platform();
    ASSERT_EQ(p.ecam_count, 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(p.ecam[i].base, windows[i].base);
        EXPECT_EQ(p.ecam[i].segment, windows[i].segment);
        EXPECT_EQ(p.ecam[i].start_bus, windows[i].start_bus);
        EXPECT_EQ(p.ecam[i].end_bus, windows[i].end_bus);
    }
    EXPECT_EQ(p.ecam[2].base, 0u) << "nothing after the windows";
    const Mapping* m = b.at(layout::platform);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->rights, R::read | R::grant);
}

// The boot writes only memory it took from the frame allocator: every frame still free afterwards holds what
// was there before (a stray write past a page the boot filled, say the platform page, lands in a free
// neighbour). RAM outside the modules is filled with a pattern first; afterwards every free frame is taken,
// checked and given back.
TEST(BootRoot, TheBootWritesNoFrameItDidNotAllocate) {
    Boot b({{roottask(), "roottask"}});
    constexpr std::uint8_t pattern = 0xa5;
    for (std::uint64_t pa = 0x10'0000; pa < ram_bytes; pa += page) {
        bool module = false;
        for (std::size_t i = 0; i < b.info->module_count; ++i) {
            const boot::Module& m = b.info->modules[i];
            module |= pa + page > m.base && pa < m.base + m.size;
        }
        if (!module) std::memset(b.machine->ram() + pa, pattern, page);
    }
    std::size_t checked = 0;
    std::vector<std::uint64_t> written;
    b.run(nullptr, [&] {
        std::vector<mem::PhysAddr> taken;
        while (auto pa = mem::frames().allocate(0)) taken.push_back(*pa);
        for (mem::PhysAddr pa : taken) {
            const std::byte* bytes = b.machine->ram() + pa;
            for (std::size_t i = 0; i < page; ++i)
                if (bytes[i] != std::byte{pattern}) {
                    written.push_back(pa + i);
                    break;
                }
            ++checked;
        }
        for (mem::PhysAddr pa : taken) EXPECT_TRUE(mem::frames().release(pa, 0));
    });
    ASSERT_TRUE(b.booted) << b.console();
    EXPECT_GT(checked, 1000u) << "most of the 32 MiB stay free";
    EXPECT_TRUE(written.empty()) << written.size() << " free frames were written, the first at 0x" << std::hex
                                 << written.front();
}

// The platform page is cleared and filled within its own frame: the frame above it, allocated to someone
// else, keeps every byte. (At boot the pool takes and clears the frames above, which would hide a stray
// write; here the platform page is made again from a two-frame allocator whose upper frame is in use.)
TEST(BootRoot, ThePlatformPageIsWrittenWithinItsFrame) {
    Boot b({{roottask(), "roottask"}});
    const mem::PhysAddr base = ram_bytes - 2 * page;
    b.reserved = {{base, ram_bytes}};
    bool intact = false, allocated_lower = false;
    b.run(nullptr, [&] {
        const auto span = mem::FrameAllocator::span_covering(base, base + 2 * page);
        ASSERT_TRUE(span);
        std::vector<mem::FrameInfo> info(span->frames);
        mem::FrameAllocator two;
        two.init(*span, info.data());
        ASSERT_TRUE(two.add_free_range(base, base + 2 * page));
        const auto first = two.allocate(0), second = two.allocate(0);
        ASSERT_TRUE(first && second);
        const mem::PhysAddr lower = std::min(*first, *second), upper = std::max(*first, *second);
        std::memset(b.machine->ram() + upper, 0x5a, page);
        ASSERT_TRUE(two.release(lower, 0));
        map_root_platform(*b.kernel, *b.out.root.pd, two, *b.info); // maps nothing: the page is there already
        allocated_lower = two.free_frames() == 0;
        intact = std::all_of(b.machine->ram() + upper, b.machine->ram() + upper + page,
                             [](std::byte x) { return x == std::byte{0x5a}; });
    });
    ASSERT_TRUE(b.booted) << b.console();
    EXPECT_TRUE(allocated_lower) << "the platform page took the lower frame";
    EXPECT_TRUE(intact) << "the frame above the platform page was written";
}

TEST(BootRoot, ModulesThatCannotBeHandedOverAreSkippedWithTheirReason) {
    const auto small = pattern(100, 4);
    Boot b({{roottask(), "roottask"},
            {{}, "huge", 0, 0x1f0'0000, std::uint64_t{65} << 30},   // larger than the whole window
            {{}, "beyond", 0, ram_bytes + 0x1000, 0x2000},          // past the end of RAM
            {{}, "on-kernel", 0, 0x17'f800, 0x1000},                // a page shared with the kernel
            {{}, "wrapping", 0, ~std::uint64_t{0} - 0xfff, 0x1000}, // to the last byte, rounded: wraps
            {small, "small", 0x10}});
    b.reserved = {{0x10'0000, 0x18'0000}}; // the kernel image
    b.run();
    ASSERT_TRUE(b.booted) << b.console();
    const std::string c = b.console();
    EXPECT_NE(c.find("boot module \"huge\" skipped: its 65 GiB do not fit the root task's module window ("),
              std::string::npos)
        << c;
    EXPECT_NE(c.find(" left of 64 GiB at 0x5000000000)"), std::string::npos) << c;
    EXPECT_NE(c.find("boot module \"beyond\" skipped: its 8 KiB at 0x2001000 are not inside usable memory"),
              std::string::npos)
        << c;
    EXPECT_NE(
        c.find("boot module \"on-kernel\" skipped: its pages 0x17f000-0x181000 overlap memory the kernel "
               "keeps (0x100000-0x180000)"),
        std::string::npos)
        << c;
    EXPECT_NE(c.find("boot module \"wrapping\" skipped: its range 0xfffffffffffff000+0x1000 wraps around"),
              std::string::npos)
        << c;
    const janus::abi::ModuleTable t = b.table();
    ASSERT_EQ(t.count, 2u);
    EXPECT_STREQ(t.entries[1].name, "small");
    EXPECT_EQ(t.entries[1].size, small.size());
    const hostsim::PageWalk w = b.walk(t.entries[1].address);
    ASSERT_EQ(w.outcome, hostsim::PageWalk::Outcome::mapped);
    EXPECT_EQ(std::memcmp(b.machine->ram() + w.phys, small.data(), small.size()), 0);
    EXPECT_TRUE(b.checked.ok) << b.checked.text;
}

TEST(BootRoot, ARootModuleOnMemoryTheKernelKeepsIsRejected) {
    Boot b({{roottask(), "roottask"}});
    b.reserved = {{0x10'0000, module_pa + 1}}; // ends in the module's first page
    b.run();
    EXPECT_FALSE(b.booted);
    EXPECT_NE(b.console().find("boot module \"roottask\" rejected: its pages 0x200000-"), std::string::npos)
        << b.console();
    EXPECT_NE(b.console().find("overlap memory the kernel keeps (0x100000-0x200001)"), std::string::npos)
        << b.console();
}

TEST(BootRoot, ModuleFramesNeverReachTheAllocatorWhenTheRootLetsGoOrDies) {
    const auto data = pattern(3 * page + 5, 5);
    Boot b({{roottask(), "roottask"}, {data, "data", 0x234}});
    CheckResult after_unmap{}, after_destroy{};
    std::vector<std::uint64_t> drained;
    bool window_empty = false;
    b.run(nullptr, [&] {
        Kernel& k = *b.kernel;
        {
            SpinGuard guard(k.lock);
            unmap_pages(k.mapdb, *b.out.root.pd, layout::module_table, page + layout::modules_max_bytes,
                        true);
        }
        window_empty = !page_in_use(*b.out.root.pd, layout::modules) &&
                       !page_in_use(*b.out.root.pd, layout::module_table);
        after_unmap = check_kernel(k);
        destroy_all(k);
        after_destroy = check_kernel(k);
        while (auto pa = mem::frames().allocate(0)) drained.push_back(*pa);
    });
    ASSERT_TRUE(b.booted) << b.console();
    EXPECT_TRUE(window_empty);
    EXPECT_TRUE(after_unmap.ok) << after_unmap.text;
    EXPECT_TRUE(after_destroy.ok) << after_destroy.text;
    EXPECT_GT(drained.size(), 0u);
    for (std::uint64_t pa : drained)
        EXPECT_TRUE(pa >= b.modules_end || pa + page <= module_pa) << "module frame " << std::hex << pa;
}

/// Stands in for ring 3: the root task's first entry asks pd_quota by syscall, the second ends the run the
/// way `ending` says (the exit convention with a status, or a fault).
class ScriptedRootTask final : public UserRunner {
public:
    enum class Ending { exit_status, general_protection };
    ScriptedRootTask(Ending ending, std::uint64_t status) : ending_(ending), status_(status) {}

    arch::UserExit run(arch::UserFrame& f, arch::AddressSpaceRoot space, const arch::SyscallHook*) override {
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
