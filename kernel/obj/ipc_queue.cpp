#include "kernel/obj/ipc_state.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel {

Thread* IpcQueue::next(const Thread& t) {
    return t.ipc.next;
}

void IpcQueue::push_back(Thread& t) {
    t.ipc.queue = this;
    t.ipc.next = nullptr;
    t.ipc.prev = tail_;
    if (tail_)
        tail_->ipc.next = &t;
    else
        head_ = &t;
    tail_ = &t;
}

void IpcQueue::remove(Thread& t) {
    if (t.ipc.prev)
        t.ipc.prev->ipc.next = t.ipc.next;
    else
        head_ = t.ipc.next;
    if (t.ipc.next)
        t.ipc.next->ipc.prev = t.ipc.prev;
    else
        tail_ = t.ipc.prev;
    t.ipc.next = t.ipc.prev = nullptr;
    t.ipc.queue = nullptr;
}

} // namespace kernel
