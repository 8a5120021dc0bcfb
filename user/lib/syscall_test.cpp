// The generated syscall stubs against the ABI specification's register table.
//
// The stubs are compiled here with the `syscall` instruction replaced by a call to a recording trap
// (testing/syscall_trap.S). One test per syscall, generated from abi.def, calls the stub with a distinct
// value per argument and checks, using only janus::abi's tables: the number went to rax, argument k to the
// register spec::arg_registers[k] names, unused argument registers were 0, the status came back from rax and
// result k from spec::result_registers[k] into the member the specification names.
#include <cstring>
#include <gtest/gtest.h>
#include <set>
#include <string>

// Skip the caller's red zone (the host compiler uses one), then call the trap.
#define JANUS_USER_SYSCALL_INSTRUCTION "sub $128, %%rsp\n\tcall janus_syscall_trap\n\tadd $128, %%rsp"
#include "user/lib/syscall.hpp"

extern "C" {
struct TrapSeen {
    std::uint64_t rax, rdi, rsi, rdx, r10, r8, r9;
};
struct TrapReply {
    std::uint64_t rax, rdi, rsi, rdx, r10, r8, r9;
};
extern TrapSeen janus_trap_seen;
extern TrapReply janus_trap_reply;
extern std::uint64_t janus_trap_count;
}

namespace spec = janus::abi;
using namespace janus::user;

namespace {

/// A register the trap saw, by its name in the specification.
std::uint64_t seen(const std::string& reg) {
    const TrapSeen& s = janus_trap_seen;
    if (reg == "rax") return s.rax;
    if (reg == "rdi") return s.rdi;
    if (reg == "rsi") return s.rsi;
    if (reg == "rdx") return s.rdx;
    if (reg == "r10") return s.r10;
    if (reg == "r8") return s.r8;
    if (reg == "r9") return s.r9;
    ADD_FAILURE() << "the specification names a register the trap does not record: " << reg;
    return 0;
}

/// The reply register of that name.
std::uint64_t reply(const std::string& reg) {
    const TrapReply& r = janus_trap_reply;
    if (reg == "rdi") return r.rdi;
    if (reg == "rsi") return r.rsi;
    if (reg == "rdx") return r.rdx;
    if (reg == "r10") return r.r10;
    if (reg == "r8") return r.r8;
    if (reg == "r9") return r.r9;
    ADD_FAILURE() << "the specification names a result register the trap cannot set: " << reg;
    return 0;
}

/// The value passed for the argument called `name` of the syscall under test: distinct per name and syscall,
/// never 0, with high bits set so a truncation to 32 bits shows.
std::uint64_t current_number = 0;
std::uint64_t value_for(const char* name) {
    std::uint64_t h = 0xcbf29ce484222325; // FNV-1a
    for (const char* p = name; *p != '\0'; ++p) h = (h ^ static_cast<unsigned char>(*p)) * 0x100000001b3;
    return h ^ (current_number << 56) ^ 0x8000000100000000;
}

template <spec::ArgType T>
Arg<T> input(const char* name) {
    return static_cast<Arg<T>>(value_for(name));
}

const spec::SyscallSpec& spec_of(std::uint64_t number) {
    const spec::SyscallSpec* s = spec::find(number);
    EXPECT_NE(s, nullptr);
    return *s;
}

/// Prepare the trap's reply: a status from the error table and distinct result registers.
void arm(std::uint64_t number) {
    current_number = number;
    janus_trap_seen = {};
    janus_trap_reply = {number % spec::error_count,  0x1111000000000000 | number, 0x2222000000000000 | number,
                        0x3333000000000000 | number, 0x4444000000000000 | number, 0x5555000000000000 | number,
                        0x6666000000000000 | number};
}

void expect_inputs(const spec::SyscallSpec& s, std::uint64_t count_before) {
    EXPECT_EQ(janus_trap_count, count_before + 1) << "the stub must enter the kernel exactly once";
    EXPECT_EQ(seen("rax"), static_cast<std::uint64_t>(s.number)) << "syscall number";
    std::set<std::uint64_t> distinct;
    for (std::size_t k = 0; k < spec::max_args; ++k) {
        std::string reg = spec::arg_registers[k];
        if (k < s.arg_count) {
            EXPECT_EQ(seen(reg), value_for(s.args[k].name))
                << s.name << ": argument " << k << " (" << s.args[k].name << ") belongs in " << reg;
            distinct.insert(value_for(s.args[k].name));
        } else {
            EXPECT_EQ(seen(reg), 0u) << s.name << ": unused argument register " << reg << " must be 0";
        }
    }
    EXPECT_EQ(distinct.size(), s.arg_count) << "test values must differ to tell registers apart";
}

template <typename R>
void expect_status(const R& r, std::uint64_t number) {
    EXPECT_EQ(static_cast<std::uint64_t>(r.error), number % spec::error_count);
    EXPECT_EQ(r.ok(), number % spec::error_count == 0);
}

void expect_result(const spec::SyscallSpec& s, std::size_t& k, const char* member, std::uint64_t value) {
    ASSERT_LT(k, s.result_count) << s.name << ": more result members than the specification lists";
    EXPECT_STREQ(member, s.results[k]) << s.name << ": result " << k;
    std::string reg = spec::result_registers[k];
    EXPECT_EQ(value, reply(reg)) << s.name << ": result " << member << " comes from " << reg;
    ++k;
}

} // namespace

#define JANUS_USER_DROP_FIRST_(first, ...) __VA_ARGS__
#define JANUS_USER_DROP_FIRST(...) JANUS_USER_DROP_FIRST_(__VA_ARGS__)
#define JANUS_IN(type, name) , input<spec::ArgType::type>(#name)
#define JANUS_OUT(name) expect_result(s, k, #name, r.name);
#define JANUS_SYSCALL(number, name, meaning, inputs, results)                                                \
    TEST(UserStubs, name) {                                                                                  \
        const spec::SyscallSpec& s = spec_of(number);                                                        \
        arm(number);                                                                                         \
        std::uint64_t count_before = janus_trap_count;                                                       \
        auto r = sys::name(JANUS_USER_DROP_FIRST(_ inputs));                                                 \
        expect_inputs(s, count_before);                                                                      \
        expect_status(r, number);                                                                            \
        std::size_t k = 0;                                                                                   \
        results EXPECT_EQ(k, s.result_count) << #name << ": result members missing";                         \
    }
#include "kernel/abi/abi.def"

TEST(UserStubs, RawSyscallPassesTheWholeNumberAndEveryArgument) {
    janus_trap_reply = {0x77, 1, 2, 3, 4, 5, 6};
    RawReply r = raw_syscall(0xfedcba9876543210, ArgWords{{11, 22, 33, 44, 55, 66}});
    const TrapSeen& s = janus_trap_seen;
    EXPECT_EQ(s.rax, 0xfedcba9876543210u);
    EXPECT_EQ(s.rdi, 11u);
    EXPECT_EQ(s.rsi, 22u);
    EXPECT_EQ(s.rdx, 33u);
    EXPECT_EQ(s.r10, 44u);
    EXPECT_EQ(s.r8, 55u);
    EXPECT_EQ(s.r9, 66u);
    EXPECT_EQ(r.status, 0x77u);
    for (std::uint64_t k = 0; k < spec::max_args; ++k) EXPECT_EQ(r.r[k], k + 1) << "register " << k;
}

TEST(UserStubs, SelectorsAreNotWords) {
    // A selector cannot be passed where a word belongs (or the reverse) without saying so.
    static_assert(!std::is_convertible_v<std::uint64_t, Sel>);
    static_assert(!std::is_convertible_v<Sel, std::uint64_t>);
    static_assert(std::is_invocable_v<decltype(&sys::cap_info), Sel>);
    static_assert(!std::is_invocable_v<decltype(&sys::cap_info), std::uint64_t>);
    EXPECT_EQ(raw(Sel{42}), 42u);
}
