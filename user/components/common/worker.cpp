#include "user/components/common/worker.hpp"

#include "user/lib/component.hpp"
#include "user/lib/string.hpp"
#include "user/lib/syscall.hpp"

namespace janus::components {

using namespace janus::user;
using abi::Error;

namespace {
std::uint64_t next_free = 0; // 0: not yet read from the environment
} // namespace

Sel take_selector() {
    const component::Env* env = component::env();
    if (!env) return Sel{0};
    // Atomic, so a worker and the first thread may both take selectors.
    std::uint64_t unset = 0;
    __atomic_compare_exchange_n(&next_free, &unset, env->free_sel, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return Sel{__atomic_fetch_add(&next_free, 1, __ATOMIC_SEQ_CST)};
}

Error start_worker(void (*entry)(), void* stack_top, Worker& out) {
    const component::Env* env = component::env();
    if (!env) return Error::bad_selector;
    const Sel thread = take_selector();
    Error e = Error::mapping_conflict;
    Vaddr utcb = worker_utcb_base;
    for (unsigned i = 0; i < worker_utcb_tries && e == Error::mapping_conflict; ++i) {
        utcb = worker_utcb_base + i * Vaddr{4096};
        e = sys::thread_create(thread, Sel{env->pd_sel}, utcb, worker_priority, env->cpu).error;
    }
    if (e != Error::ok) return e;
    out = {thread, reinterpret_cast<abi::Utcb*>(utcb)};
    // At a function's first instruction rsp + 8 is 16-byte aligned (as after a call pushed a return address).
    const Vaddr sp = reinterpret_cast<Vaddr>(stack_top) - 8;
    return sys::thread_start(thread, reinterpret_cast<Vaddr>(entry), sp).error;
}

void report(const char* text) {
    sys::debug_write(reinterpret_cast<Word>(text), strlen(text));
}

void park() {
    // A notification of our own that nobody signals. Should it fail to exist, yield for ever instead.
    const Sel never = take_selector();
    const bool have = sys::notification_create(never).ok();
    for (;;) {
        if (!have || !sys::notify_wait(never, abi::timeout_never).ok()) sys::thread_yield();
    }
}

} // namespace janus::components
