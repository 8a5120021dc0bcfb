// The syscall mechanism itself: numbers outside the table and the registers the kernel must keep.
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"

using namespace janus::user;
namespace spec = janus::abi;

namespace {

/// One past the highest syscall number in the specification.
constexpr std::uint64_t past_last_syscall() {
    std::uint64_t highest = 0;
    for (const spec::SyscallSpec& s : spec::syscalls)
        if (static_cast<std::uint64_t>(s.number) > highest) highest = static_cast<std::uint64_t>(s.number);
    return highest + 1;
}

} // namespace

JANUS_TEST(unknown_syscall_numbers) {
    constexpr std::uint64_t cap_info = static_cast<std::uint64_t>(spec::Syscall::cap_info);
    for (std::uint64_t n : {std::uint64_t{0}, past_last_syscall(), ~std::uint64_t{0},
                            // the whole of rax counts: no truncation to 32 bits
                            (std::uint64_t{1} << 32) | cap_info}) {
        RawReply r = raw_syscall(n, ArgWords{{1, 0, 0, 0, 0, 0}});
        CHECK_EQ(r.status, static_cast<std::uint64_t>(spec::Error::bad_syscall));
    }
}

JANUS_TEST(syscall_preserves_registers) {
    // Every register but rax (status), rdi/rsi/rdx (results) and rcx/r11 (syscall/sysret) survives a syscall,
    // so none of them can carry kernel data out either.
    register std::uint64_t rax asm("rax") = static_cast<std::uint64_t>(spec::Syscall::pd_quota);
    register std::uint64_t rbx asm("rbx") = 0x0b0b0b0b0b0b0b0b;
    register std::uint64_t r8 asm("r8") = 0x0808080808080808;
    register std::uint64_t r9 asm("r9") = 0x0909090909090909;
    register std::uint64_t r10 asm("r10") = 0x1010101010101010;
    register std::uint64_t r12 asm("r12") = 0x1212121212121212;
    register std::uint64_t r13 asm("r13") = 0x1313131313131313;
    register std::uint64_t r14 asm("r14") = 0x1414141414141414;
    register std::uint64_t r15 asm("r15") = 0x1515151515151515;
    asm volatile("syscall"
                 : "+r"(rax), "+r"(rbx), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r12), "+r"(r13), "+r"(r14),
                   "+r"(r15)
                 :
                 : "rcx", "r11", "rdi", "rsi", "rdx", "memory", "cc");
    // Plain copies: the checks take references, which register variables cannot give.
    const std::uint64_t status = rax;
    const std::uint64_t kept[] = {rbx, r8, r9, r10, r12, r13, r14, r15};
    const std::uint64_t expected[] = {0x0b0b0b0b0b0b0b0b, 0x0808080808080808, 0x0909090909090909,
                                      0x1010101010101010, 0x1212121212121212, 0x1313131313131313,
                                      0x1414141414141414, 0x1515151515151515};
    static const char* const names[] = {"rbx", "r8", "r9", "r10", "r12", "r13", "r14", "r15"};
    CHECK_EQ(status, static_cast<std::uint64_t>(spec::Error::ok));
    for (unsigned i = 0; i < 8; ++i)
        if (!CHECK_EQ(kept[i], expected[i])) t.note("register {} changed", names[i]);
}
