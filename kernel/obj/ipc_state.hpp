// A thread's IPC state, and the FIFO queues threads wait in at endpoints and notifications.
//
// A waiting thread is its saved register frame plus this state: what it waits for, on which queue, and the
// part of its message that travelled in registers (captured when it entered the kernel, so the frame can stay
// as user space left it). Invariants (kernel/check): wait == send/recv/notify exactly when the thread is on
// `queue`, which belongs to `waiting_on`; wait == reply exactly when it called and has not been answered;
// a waiting or stopped thread is never on a run queue; only send/recv/notify waits carry a timeout.
#pragma once

#include <cstdint>

namespace kernel {

class Object;
class Thread;

/// Threads waiting at one endpoint side or one notification, first come first served.
class IpcQueue {
public:
    constexpr IpcQueue() = default;
    IpcQueue(const IpcQueue&) = delete;
    IpcQueue& operator=(const IpcQueue&) = delete;

    bool empty() const { return head_ == nullptr; }
    Thread* first() const { return head_; }
    static Thread* next(const Thread& t);

    void push_back(Thread& t);
    void remove(Thread& t);

private:
    Thread* head_ = nullptr;
    Thread* tail_ = nullptr;
};

enum class Life : std::uint8_t {
    inactive, ///< made, never started
    active,   ///< started; runs when not waiting
    stopped,  ///< stopped by thread_stop or by an exception nobody handles
};

enum class Wait : std::uint8_t {
    none,
    send,   ///< on an endpoint's send queue (a send, a call, or a fault message)
    recv,   ///< on an endpoint's receive queue
    reply,  ///< called (or faulted) and was received: waits for the reply
    notify, ///< on a notification's wait queue
};

/// What a sender's message is: the syscall's own message, or one the kernel made for a fault.
enum class Origin : std::uint8_t { syscall, page_fault, exception };

struct IpcState {
    Life life = Life::inactive;
    Wait wait = Wait::none;
    bool call = false;               ///< its send is a call: it wants a reply
    Origin origin = Origin::syscall; ///< of the message it sends or the call it waits on
    IpcQueue* queue = nullptr;       ///< the queue it is on
    Object* waiting_on = nullptr;    ///< the endpoint or notification owning `queue`
    Thread* next = nullptr;
    Thread* prev = nullptr;
    std::uint64_t badge = 0;     ///< sending: the badge of the endpoint capability it sends through
    std::uint64_t info = 0;      ///< sending: the message info word
    std::uint64_t words[4] = {}; ///< sending: words 0..2 from registers; word 3 of a kernel-made message
};

} // namespace kernel
