// How a Janus user program starts and ends.
//
// Entry (_start, user/lib/start.S): the kernel starts a thread at the ELF entry point with three start words
// in rdi, rsi, rdx (the registers that carry syscall results); every other register is undefined. _start
// switches to the program's own stack (in .bss, so the kernel need not provide one), runs static constructors
// and calls
//
//   int main(const janus::user::StartInfo& start);
//
// which every program defines. The meaning of the start words is the starter's: for the root task the kernel
// will describe them in docs/user.md ("Starting the root task").
//
// Exit: the ABI has no exit syscall yet, so a program ends with a defined fault: exit() puts exit_marker in
// rax and the status (sign-extended) in rdi and executes ud2. The kernel (or hostsim) sees an invalid-opcode
// exception at the symbol janus_user_exit_fault with that marker, and stops the thread; the status is in rdi.
#pragma once

#include <cstdint>

#include "user/lib/exit_marker.h"

extern "C" [[noreturn]] void janus_user_exit(std::int64_t status); // start.S

namespace janus::user {

struct StartInfo {
    std::uint64_t word0; ///< rdi at entry
    std::uint64_t word1; ///< rsi at entry
    std::uint64_t word2; ///< rdx at entry
};

inline constexpr std::uint64_t exit_marker = JANUS_USER_EXIT_MARKER;

/// End the program with `status` (0 = success). Never returns.
[[noreturn]] inline void exit(int status) {
    janus_user_exit(status);
}

} // namespace janus::user

/// Every program defines it; its return value is passed to janus::user::exit.
int main(const janus::user::StartInfo& start);
