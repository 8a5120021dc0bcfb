// One step of a syscall program, as executed: a syscall made by an actor, or an event from outside user space
// (time passing, an interrupt line firing, user space writing its UTCB). Steps hold concrete values only, so
// a recorded trace replays without the generator that made it (fuzz/regressions/ do exactly that).
//
// Actors are threads by creation order in the run: actor 0 is the root thread, actor n the n-th thread that
// thread_create made.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "kernel/abi/abi.hpp"

namespace fuzzsys {

namespace abi = janus::abi;
using Word = std::uint64_t;
using Args = std::array<Word, abi::max_args>;

/// What a UTCB write event writes (janus::abi::Utcb).
enum class UtcbField : std::uint8_t { mr, item, reply_sel, cap_window, mem_window };
inline constexpr unsigned utcb_field_count = 5;

struct Step {
    enum class Kind : std::uint8_t { call, advance, interrupt, utcb };
    /// How the step ended: it ran to a status, it waits (an IPC wait, a stopped caller), or it could not run
    /// (its actor is dead, stopped or waiting: a replay of a recorded program on a changed kernel).
    enum class End : std::uint8_t { status, waits, skipped };

    Kind kind = Kind::call;
    unsigned actor = 0; ///< call, utcb
    unsigned cpu = 0;   ///< the simulated CPU it ran on (syscalls_smp)
    Word number = 0;    ///< call: syscall number; utcb: UtcbField
    Args arg{};         ///< call: a0..a5; advance: ns; interrupt: line; utcb: index, value
    End end = End::status;
    abi::Error status = abi::Error::ok;
    Args out{}; ///< the result registers rdi, rsi, rdx, r10, r8, r9 after the call
    bool modelled = false;
    abi::Error model_status = abi::Error::ok;
    std::array<Word, 3> model_out{};
};

/// The syscall's name per the spec ("bad_syscall" for other numbers).
const char* syscall_name(Word number);
/// Whether syscall `number` may have changed state although it returned an error: every syscall is all or
/// nothing except the two that do two things (abi.def): ipc_call delivers its message and then ends with
/// cancelled when the receiver takes no reply capability (reply_sel 0), and ipc_reply_recv answers and then
/// may fail to receive (would_block, timeout, slot_occupied). Found by fuzz_syscalls: the model, told
/// nothing changed, disagreed about the capability the message had moved (fuzz/regressions/).
bool may_change_on_error(Word number);
/// The error's name ("error <n>" for values the spec does not define).
std::string error_name(abi::Error e);

/// `step` as one C++ statement on a Sandbox named `w` (see fuzz/regressions/), with what happened as a
/// comment (the kernel's status and, where they differ, the model's) unless `outcome` is false.
std::string to_cpp(const Step& step, bool outcome = true);
/// Every step, one per line, each line starting with `indent`.
std::string to_cpp(const std::vector<Step>& steps, const std::string& indent);

} // namespace fuzzsys
