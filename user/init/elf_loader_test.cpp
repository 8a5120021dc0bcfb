// check_elf against the real ring-3 ELFs of this build and against hand-made files, each broken in one way.
#include "user/init/elf_loader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "kernel/abi/abi.hpp"

namespace janus::init {
namespace {

namespace R = janus::abi::rights;
using Bytes = std::vector<unsigned char>;

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void put(Bytes& b, std::size_t at, std::uint64_t value, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) b.at(at + i) = static_cast<unsigned char>(value >> (8 * i));
}

// A minimal valid executable written here from the ELF-64 layout (not from the loader): a text segment
// (r-x, 0x100 bytes at 0x400000 from file offset 0x1000) and a data segment (rw-, 0x10 file bytes at 0x402000
// from offset 0x2000, 0x2000 in memory), entry 0x400010.
struct Elf {
    static constexpr std::size_t phoff = 64;
    Bytes b = Bytes(0x3000, 0);

    Elf() {
        const unsigned char ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0};
        std::memcpy(b.data(), ident, sizeof ident);
        put(b, 16, 2, 2);        // e_type ET_EXEC
        put(b, 18, 62, 2);       // e_machine EM_X86_64
        put(b, 20, 1, 4);        // e_version
        put(b, 24, 0x400010, 8); // e_entry
        put(b, 32, phoff, 8);    // e_phoff
        put(b, 52, 64, 2);       // e_ehsize
        put(b, 54, 56, 2);       // e_phentsize
        put(b, 56, 2, 2);        // e_phnum
        phdr(0, 1, 5, 0x1000, 0x400000, 0x100, 0x100, 0x1000);
        phdr(1, 1, 6, 0x2000, 0x402000, 0x10, 0x2000, 0x1000);
        for (int i = 0; i < 0x100; ++i) b[0x1000 + i] = static_cast<unsigned char>(0x90);
        for (int i = 0; i < 0x10; ++i) b[0x2000 + i] = static_cast<unsigned char>(i + 1);
    }
    std::size_t ph(std::size_t i) const { return phoff + 56 * i; }
    void phdr(std::size_t i, std::uint32_t type, std::uint32_t flags, std::uint64_t offset,
              std::uint64_t vaddr, std::uint64_t filesz, std::uint64_t memsz, std::uint64_t align) {
        put(b, ph(i), type, 4);
        put(b, ph(i) + 4, flags, 4);
        put(b, ph(i) + 8, offset, 8);
        put(b, ph(i) + 16, vaddr, 8);
        put(b, ph(i) + 24, vaddr, 8); // p_paddr
        put(b, ph(i) + 32, filesz, 8);
        put(b, ph(i) + 40, memsz, 8);
        put(b, ph(i) + 48, align, 8);
    }
};

/// The refusal message, or "accepted".
std::string verdict(const Bytes& b) {
    ElfProgram p;
    ElfRefusal why;
    std::memset(why.message, 'x', sizeof why.message);
    if (check_elf(b.data(), b.size(), p, why)) return "accepted";
    EXPECT_NE(std::memchr(why.message, '\0', sizeof why.message), nullptr) << "message not NUL-terminated";
    return why.message;
}

TEST(ElfLoader, AcceptsTheHandMadeExecutable) {
    Elf e;
    ElfProgram p;
    ElfRefusal why;
    ASSERT_TRUE(check_elf(e.b.data(), e.b.size(), p, why)) << why.message;
    EXPECT_EQ(p.entry, 0x400010u);
    ASSERT_EQ(p.count, 2u);
    EXPECT_EQ(p.segments[0].vaddr, 0x400000u);
    EXPECT_EQ(p.segments[0].rights, R::read | R::exec);
    EXPECT_EQ(p.segments[0].page_begin, 0x400000u);
    EXPECT_EQ(p.segments[0].page_end, 0x401000u);
    EXPECT_EQ(p.segments[1].rights, R::read | R::write);
    EXPECT_EQ(p.segments[1].offset, 0x2000u);
    EXPECT_EQ(p.segments[1].filesz, 0x10u);
    EXPECT_EQ(p.segments[1].page_end, 0x404000u);
}

struct Broken {
    const char* what;
    void (*damage)(Elf&);
    const char* expect; ///< a piece of the refusal message
};

const Broken broken[] = {
    {"no magic", [](Elf& e) { e.b[1] = 'X'; }, "no ELF magic"},
    {"32-bit class", [](Elf& e) { e.b[4] = 1; }, "little-endian ELF64"},
    {"big endian", [](Elf& e) { e.b[5] = 2; }, "little-endian ELF64"},
    {"Linux OS ABI", [](Elf& e) { e.b[7] = 3; }, "OS ABI 3"},
    {"shared object", [](Elf& e) { put(e.b, 16, 3, 2); }, "e_type 3"},
    {"other machine", [](Elf& e) { put(e.b, 18, 183, 2); }, "e_machine 183"},
    {"e_version 0", [](Elf& e) { put(e.b, 20, 0, 4); }, "e_version 0"},
    {"e_ehsize", [](Elf& e) { put(e.b, 52, 52, 2); }, "e_ehsize 52"},
    {"e_phentsize", [](Elf& e) { put(e.b, 54, 32, 2); }, "e_phentsize 32"},
    {"no program headers", [](Elf& e) { put(e.b, 56, 0, 2); }, "0 program headers"},
    {"too many program headers", [](Elf& e) { put(e.b, 56, 65, 2); }, "65 program headers"},
    {"program headers past the end", [](Elf& e) { put(e.b, 32, 0x2ff0, 8); }, "program headers 0x2ff0"},
    {"program header offset overflows", [](Elf& e) { put(e.b, 32, ~std::uint64_t{0} - 8, 8); },
     "outside the 12288-byte file"},
    {"PT_INTERP", [](Elf& e) { put(e.b, e.ph(1), 3, 4); }, "type 3 needs a dynamic linker"},
    {"PT_TLS", [](Elf& e) { put(e.b, e.ph(1), 7, 4); }, "type 7"},
    {"empty segment", [](Elf& e) { e.phdr(1, 1, 6, 0x2000, 0x402000, 0, 0, 0x1000); }, "segment 1: empty"},
    {"filesz above memsz", [](Elf& e) { e.phdr(1, 1, 6, 0x2000, 0x402000, 0x20, 0x10, 0x1000); },
     "p_filesz 0x20 exceeds p_memsz 0x10"},
    {"file bytes past the end", [](Elf& e) { e.phdr(1, 1, 6, 0x2000, 0x402000, 0x1001, 0x2000, 0x1000); },
     "outside the 12288-byte file"},
    {"file offset overflows",
     [](Elf& e) { e.phdr(1, 1, 6, ~std::uint64_t{0} - 0xfff, 0x402000 - 0x1000, 0x10, 0x10, 0); },
     "outside the 12288-byte file"},
    {"alignment not a power of two", [](Elf& e) { e.phdr(1, 1, 6, 0x2000, 0x402000, 0x10, 0x2000, 0x3000); },
     "p_align 0x3000"},
    {"vaddr and offset disagree", [](Elf& e) { e.phdr(1, 1, 6, 0x2000, 0x402010, 0x10, 0x2000, 0x1000); },
     "disagree modulo the alignment"},
    {"page zero", [](Elf& e) { e.phdr(1, 1, 6, 0x2000, 0x0, 0x10, 0x100, 0x1000); },
     "outside the component image"},
    {"above the image window",
     [](Elf& e) { e.phdr(1, 1, 6, 0x2000, 0x0000'0010'0000'0000, 0x10, 0x100, 0x1000); },
     "outside the component image"},
    {"reaching past the image window",
     [](Elf& e) { e.phdr(1, 1, 6, 0x2000, 0x0000'000f'ffff'f000, 0x10, 0x2000, 0x1000); },
     "outside the component image"},
    {"address wraps",
     [](Elf& e) { e.phdr(1, 1, 6, 0x2000, 0x402000, 0x10, ~std::uint64_t{0} - 0x1000, 0x1000); },
     "outside the component image"},
    {"unknown flags", [](Elf& e) { e.phdr(1, 1, 6 | 8, 0x2000, 0x402000, 0x10, 0x2000, 0x1000); },
     "unknown flags 0xe"},
    {"not readable", [](Elf& e) { e.phdr(1, 1, 2, 0x2000, 0x402000, 0x10, 0x2000, 0x1000); }, "not readable"},
    {"writable and executable", [](Elf& e) { e.phdr(1, 1, 7, 0x2000, 0x402000, 0x10, 0x2000, 0x1000); },
     "writable and executable"},
    {"text with a zero-filled part", [](Elf& e) { e.phdr(0, 1, 5, 0x1000, 0x400000, 0x100, 0x200, 0x1000); },
     "executable with a zero-filled part"},
    {"segments share a page", [](Elf& e) { e.phdr(1, 1, 6, 0x1000 + 0x800, 0x400800, 0x10, 0x10, 0x1000); },
     "overlap another segment"},
    {"segments overlap", [](Elf& e) { e.phdr(1, 1, 4, 0x1000, 0x400000, 0x10, 0x10, 0x1000); },
     "overlap another segment"},
    {"no loadable segment",
     [](Elf& e) {
         put(e.b, e.ph(0), 4, 4);
         put(e.b, e.ph(1), 6, 4);
     },
     "no loadable segment"},
    {"entry outside every segment", [](Elf& e) { put(e.b, 24, 0x500000, 8); }, "entry point 0x500000"},
    {"entry in the data segment", [](Elf& e) { put(e.b, 24, 0x402000, 8); }, "entry point 0x402000"},
    {"entry past the text's file bytes", [](Elf& e) { put(e.b, 24, 0x400100, 8); }, "entry point 0x400100"},
};

TEST(ElfLoader, RefusesEachBrokenFileWithItsReason) {
    for (const Broken& c : broken) {
        Elf e;
        c.damage(e);
        const std::string v = verdict(e.b);
        EXPECT_NE(v.find(c.expect), std::string::npos) << c.what << ": got \"" << v << "\"";
    }
}

TEST(ElfLoader, RefusesMoreLoadableSegmentsThanItHolds) {
    Elf e;
    put(e.b, 56, 10, 2);
    e.b.resize(0x10000);
    for (std::size_t i = 0; i < 10; ++i)
        e.phdr(i, 1, i == 0 ? 5 : 4, 0x1000 * (i + 1), 0x400000 + 0x1000 * i, 0x10, 0x10, 0x1000);
    EXPECT_NE(verdict(e.b).find("more than 8 loadable segments"), std::string::npos) << verdict(e.b);
}

TEST(ElfLoader, IgnoresNotesAndStackHeaders) {
    Elf e;
    put(e.b, 56, 3, 2);
    e.phdr(2, 0x6474e551, 6, 0, 0, 0, 0, 16); // PT_GNU_STACK
    EXPECT_EQ(verdict(e.b), "accepted");
}

TEST(ElfLoader, EveryTruncationOfAValidFileIsRefusedNotACrash) {
    Elf e;
    for (std::size_t n = 0; n < 0x2010; ++n) {
        Bytes cut(e.b.begin(), e.b.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_NE(verdict(cut), "accepted") << n << " bytes";
    }
    Bytes cut(e.b.begin(), e.b.begin() + 0x2010); // the data segment's last file byte is the last byte
    EXPECT_EQ(verdict(cut), "accepted");
}

TEST(ElfLoader, RandomDamageNeverCrashes) {
    // Flipped bytes in the headers (the only part read besides segment bytes): every outcome must be a clean
    // accept or refusal; ASan/UBSan builds catch any stray read.
    std::mt19937_64 rng(20240601);
    std::size_t refused = 0;
    for (int round = 0; round < 20000; ++round) {
        Elf e;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < flips; ++i)
            e.b[rng() % (Elf::phoff + 2 * 56)] = static_cast<unsigned char>(rng());
        if (verdict(e.b) != "accepted") ++refused;
    }
    EXPECT_GT(refused, 10000u);
}

TEST(ElfLoader, PageFillSplitsTheFileBytesAmongPages) {
    ElfSegment s{0x402800, 0x3000, 0x2800, 0x1900, R::read | R::write, 0x402000, 0x406000};
    PageFill f = page_fill(s, 0x402000);
    EXPECT_EQ(f.file_offset, 0x2800u);
    EXPECT_EQ(f.page_offset, 0x800u);
    EXPECT_EQ(f.length, 0x800u);
    f = page_fill(s, 0x403000);
    EXPECT_EQ(f.file_offset, 0x3000u);
    EXPECT_EQ(f.page_offset, 0u);
    EXPECT_EQ(f.length, 0x1000u);
    f = page_fill(s, 0x404000);
    EXPECT_EQ(f.file_offset, 0x4000u);
    EXPECT_EQ(f.length, 0x100u); // 0x402800 + 0x1900 = 0x404100
    f = page_fill(s, 0x405000);
    EXPECT_EQ(f.length, 0u);
}

// The ring-3 programs of this build: user.ld gives each a text (r-x, entry first at its base: 0x400000, or
// the component's own, user/components/CMakeLists.txt), a rodata (r--) and a data (rw-) segment.
void expect_user_program(const std::string& name, bool required, std::uint64_t base = 0x400000) {
    const Bytes b = read_file(std::string(JANUS_USER_ELF_DIR) + "/" + name);
    if (b.empty()) {
        if (required) ADD_FAILURE() << name << " missing in " << JANUS_USER_ELF_DIR;
        return;
    }
    ElfProgram p;
    ElfRefusal why;
    ASSERT_TRUE(check_elf(b.data(), b.size(), p, why)) << name << ": " << why.message;
    EXPECT_EQ(p.entry, base) << name;
    EXPECT_EQ(p.segments[0].vaddr, base) << name;
    ASSERT_EQ(p.count, 3u) << name;
    EXPECT_EQ(p.segments[0].rights, R::read | R::exec) << name;
    EXPECT_EQ(p.segments[1].rights, R::read) << name;
    EXPECT_EQ(p.segments[2].rights, R::read | R::write) << name;
    EXPECT_GT(p.segments[2].memsz, 65536u) << name << ": the 64 KiB start stack lives in .bss";
    // Cut short inside its last segment's file bytes: refused.
    const ElfSegment& last = p.segments[p.count - 1];
    if (last.filesz > 0) {
        EXPECT_NE(
            verdict(Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(last.offset + last.filesz - 1))),
            "accepted")
            << name;
    }
}

TEST(ElfLoader, AcceptsTheRingThreePrograms) {
    expect_user_program("init.elf", true);
    expect_user_program("roottask.elf", true);
    expect_user_program("bench.elf", true);
    // The components (user/components) when this build has them.
    expect_user_program("uart.elf", false, 0x1000000);
    expect_user_program("timer.elf", false, 0x2000000);
    expect_user_program("hello.elf", false, 0x3000000);
    expect_user_program("crasher.elf", false, 0x4000000);
}

} // namespace
} // namespace janus::init
