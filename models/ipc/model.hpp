// The IPC model: endpoints as two FIFO queues, calls with one-shot replies, notifications as a word of bits,
// timeouts on a clock, and what deleting things does to waiters — written from docs/ipc.md with plain
// standard-library containers, sharing no code with kernel/ (only the ABI constants).
//
// Threads are numbered 0..n-1 and live in one protection domain; each has its own reply slot (its UTCB's
// reply_sel). Every operation is made by a thread that is not waiting and returns that thread's immediate
// outcome, or nothing if it now waits; waits of other threads that ended meanwhile are reported by
// take_ended(). The model knows nothing of registers beyond the ABI's result layout (Outcome).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "kernel/abi/abi.hpp"
#include "kernel/abi/ipc.hpp"

namespace models::ipc {

using Word = std::uint64_t;
using Error = janus::abi::Error;

/// How a syscall ended, as far as the ABI says what registers then hold.
struct Outcome {
    Error status = Error::ok;
    bool message = false; ///< ok and a message arrived: info, badge and words are defined
    Word info = 0;
    Word badge = 0;
    std::array<Word, 3> words{};
    bool signalled = false; ///< ok from notify_wait: bits are defined
    Word bits = 0;
};

/// A short message: label, 0..3 words.
struct Message {
    Word label = 0;
    unsigned count = 0;
    std::array<Word, 3> words{};
};

enum class Wait { none, send, recv, reply, notify };

/// Timeouts as the ABI has them: 0 polls, all ones waits for ever, anything else is a relative deadline.
inline constexpr Word poll = janus::abi::timeout_poll;
inline constexpr Word forever = janus::abi::timeout_never;

class Model {
public:
    Model(unsigned threads, unsigned endpoints, unsigned notifications);

    std::optional<Outcome> call(int t, int ep, Word badge, const Message& m, Word timeout);
    std::optional<Outcome> send(int t, int ep, Word badge, const Message& m, Word timeout);
    std::optional<Outcome> recv(int t, int ep, Word timeout);
    std::optional<Outcome> reply_recv(int t, int ep, const Message& m, Word timeout);
    Outcome reply(int t, const Message& m);
    Outcome signal(int n, Word bits);
    std::optional<Outcome> wait(int t, int n, Word timeout);

    /// Time passes: waits whose deadline is reached end with `timeout`.
    void advance(Word ns);
    /// The endpoint is deleted (and a new one takes its place): everyone queued there is cancelled.
    void delete_endpoint(int ep);
    /// The capability in t's reply slot is deleted: the caller waiting for that reply is cancelled. False if
    /// the slot was empty.
    bool delete_reply(int t);
    /// The thread is stopped and started again: whatever it waited for is over (its own outcome is not
    /// observable, its frame starts afresh); a caller of it loses its reply capability.
    void restart(int t);

    Wait wait_of(int t) const { return threads_[t].wait; }
    bool holds_reply(int t) const { return held_.count(t) != 0; }
    const std::deque<int>& senders(int ep) const { return senders_[ep]; }
    const std::deque<int>& receivers(int ep) const { return receivers_[ep]; }
    Word bits(int n) const { return bits_[n]; }
    /// Threads whose waits ended since the last call, with their outcomes.
    std::vector<std::pair<int, Outcome>> take_ended();

private:
    struct Thread {
        Wait wait = Wait::none;
        int object = -1;   ///< endpoint or notification it waits on
        bool call = false; ///< its send is a call
        Message msg;       ///< what it sends
        Word badge = 0;    ///< of the capability it sends through
        Word deadline = 0; ///< 0: none
    };

    std::optional<Outcome> sending(int t, int ep, Word badge, const Message& m, Word timeout, bool call);
    std::optional<Outcome> receiving(int t, int ep, Word timeout);
    /// Hands t's message to receiver r; t's wait (if any) ends or becomes the wait for the reply. Returns the
    /// receiver's outcome.
    Outcome deliver(int t, int r);
    void end(int t, const Outcome& o);
    void leave_queue(int t);
    void wait_on(int t, Wait w, int object, Word timeout);
    static Outcome status(Error e);
    static Outcome message(const Message& m, Word badge, bool call_flag);

    std::vector<Thread> threads_;
    std::vector<std::deque<int>> senders_, receivers_, waiters_;
    std::vector<Word> bits_;
    std::map<int, int> held_; ///< holder of a reply capability -> the caller it answers
    std::vector<std::pair<int, Outcome>> ended_;
    Word now_ = 0;
};

} // namespace models::ipc
