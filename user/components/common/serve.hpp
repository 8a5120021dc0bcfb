// A server's receive-answer loop over one endpoint, shared by the components that serve one.
//
// The handler sees each request once, copied out of registers and UTCB, and returns the answer; the loop
// answers calls with ipc_reply_recv and receives the next request in the same syscall. A caller that died
// while its request was handled took its reply capability with it: ipc_reply_recv then finds no reply
// capability at reply_sel and only receives, so the server goes on. Should the answer itself fail (the
// kernel refused it), the reply capability is deleted (the caller gets cancelled) and the loop receives
// afresh, so one bad exchange never wedges the server.
//
// Handler:  void prepare(abi::Utcb&);                         before every receive (open a capability window)
//           Answer handle(const Request&, abi::Utcb&);        one request
#pragma once

#include <cstdint>

#include "kernel/abi/ipc.hpp"
#include "user/components/common/worker.hpp"
#include "user/lib/syscall.hpp"

namespace janus::components {

struct Request {
    std::uint64_t info;
    std::uint64_t
        badge;      ///< the caller's endpoint capability's badge: who asks (0: unbadged, the server's own)
    unsigned count; ///< words in the message
    std::uint64_t words[abi::msg::max_words];

    std::uint64_t label() const { return abi::msg::label(info); }
    unsigned items() const { return abi::msg::items(info); }
    /// Word i of the message, 0 past its end.
    std::uint64_t word(unsigned i) const { return i < count ? words[i] : 0; }
};

struct Answer {
    std::uint64_t label;
    std::uint64_t w0 = 0;
};

namespace detail {
/// What ipc_recv and ipc_reply_recv both return.
struct Received {
    abi::Error error;
    std::uint64_t info, badge, w0, w1, w2;
    template <typename R>
    static Received from(const R& r) {
        return {r.error, r.info, r.badge, r.w0, r.w1, r.w2};
    }
};
} // namespace detail

template <typename Handler>
[[noreturn]] void serve(user::Sel ep, abi::Utcb& utcb, user::Sel reply_slot, Handler& handler) {
    using abi::Error;
    utcb.reply_sel = user::raw(reply_slot);
    handler.prepare(utcb);
    auto r = detail::Received::from(user::sys::ipc_recv(ep, abi::timeout_never));
    for (;;) {
        if (r.error != Error::ok) {
            // A reply capability the failed answer left behind would block every later receive.
            (void)user::sys::cap_delete(reply_slot);
            handler.prepare(utcb);
            r = detail::Received::from(user::sys::ipc_recv(ep, abi::timeout_never));
            if (r.error == Error::bad_selector || r.error == Error::wrong_type ||
                r.error == Error::missing_rights) {
                report("server: its endpoint capability is unusable; stopping\n");
                park();
            }
            continue;
        }
        Request q{r.info, r.badge, abi::msg::words(r.info), {}};
        if (q.count > abi::msg::max_words) q.count = abi::msg::max_words;
        const std::uint64_t in_registers[abi::msg::register_words] = {r.w0, r.w1, r.w2};
        for (unsigned i = 0; i < q.count; ++i)
            q.words[i] = i < abi::msg::register_words ? in_registers[i] : utcb.mr[i];
        const Answer a = handler.handle(q, utcb);
        handler.prepare(utcb);
        if (r.info & abi::msg::call_flag)
            r = detail::Received::from(
                user::sys::ipc_reply_recv(ep, abi::msg::info(a.label, 1), abi::timeout_never, a.w0, 0, 0));
        else
            r = detail::Received::from(
                user::sys::ipc_recv(ep, abi::timeout_never)); // a plain send expects no answer
    }
}

} // namespace janus::components
