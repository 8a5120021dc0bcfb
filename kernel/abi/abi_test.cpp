// The ABI specification is consistent, and docs/abi.md says exactly what it says.
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <string>

#include "kernel/abi/abi.hpp"
#include "kernel/abi/abi_markdown.hpp"

namespace spec = janus::abi;

namespace {

TEST(Spec, SyscallNumbersAndNamesAreUnique) {
    std::set<std::uint64_t> numbers;
    std::set<std::string> names;
    for (const auto& s : spec::syscalls) {
        EXPECT_TRUE(numbers.insert(static_cast<std::uint64_t>(s.number)).second) << s.name;
        EXPECT_TRUE(names.insert(s.name).second) << s.name;
        EXPECT_NE(static_cast<std::uint64_t>(s.number), 0u) << "0 is kept invalid so a zeroed rax fails";
        EXPECT_LE(s.arg_count, spec::max_args);
        EXPECT_LE(s.result_count, spec::max_results);
        EXPECT_EQ(s.error_mask & 1, 0u) << s.name << ": ok is implied, not listed";
    }
}

TEST(Spec, ErrorValuesAreDenseFromZeroAndFitTheMasks) {
    for (std::size_t i = 0; i < spec::error_count; ++i)
        EXPECT_EQ(static_cast<std::uint64_t>(spec::errors[i].code), i) << spec::errors[i].name;
    EXPECT_LT(spec::error_count, 64u);
}

TEST(Spec, EveryErrorButOkAndBadSyscallBelongsToSomeSyscall) {
    std::uint64_t all = 0;
    for (const auto& s : spec::syscalls) all |= s.error_mask;
    for (const auto& e : spec::errors) {
        if (e.code == spec::Error::ok || e.code == spec::Error::bad_syscall) continue;
        EXPECT_TRUE(all >> static_cast<std::uint64_t>(e.code) & 1) << e.name << " is returned by no syscall";
    }
}

TEST(Spec, FlexpageFieldsDoNotOverlap) {
    std::uint64_t order = spec::fpage::order_mask;
    std::uint64_t rights = spec::fpage::rights_mask << spec::fpage::rights_shift;
    EXPECT_EQ(order & rights, 0u);
    EXPECT_EQ((order | rights) & spec::fpage::reserved_mask, 0u);
    EXPECT_EQ((order | rights | spec::fpage::reserved_mask), 0xfffu) << "the low 12 bits are fully described";
    std::uint64_t f = spec::fpage::make(0x200000, 21, spec::rights::read | spec::rights::write);
    EXPECT_EQ(spec::fpage::base(f), 0x200000u);
    EXPECT_EQ(spec::fpage::order(f), 21u);
    EXPECT_EQ(spec::fpage::rights(f), spec::rights::read | spec::rights::write);
}

TEST(Docs, AbiMarkdownMatchesTheSpec) {
    std::ifstream in(JANUS_SOURCE_DIR "/docs/abi.md");
    ASSERT_TRUE(in) << "docs/abi.md missing";
    std::stringstream buf;
    buf << in.rdbuf();
    std::string text = buf.str();
    std::string begin = spec::doc_begin_marker, end = spec::doc_end_marker;
    auto b = text.find(begin), e = text.find(end);
    ASSERT_NE(b, std::string::npos);
    ASSERT_NE(e, std::string::npos);
    std::string generated = text.substr(b + begin.size() + 1, e - (b + begin.size() + 1));
    EXPECT_EQ(generated, spec::render_markdown()) << "docs/abi.md is stale: run ./janus abi-doc";
}

TEST(Docs, AbiMarkdownNamesEverySyscallAndErrorCode) {
    std::string md = spec::render_markdown();
    for (const auto& s : spec::syscalls)
        EXPECT_NE(md.find(std::string("`") + s.name + "`"), std::string::npos) << s.name;
    for (const auto& e : spec::errors)
        EXPECT_NE(md.find(std::string("`") + e.name + "`"), std::string::npos) << e.name;
}

} // namespace
