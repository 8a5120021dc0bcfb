// The timer protocol (docs/components.md): how a client has the timer service signal one of its own
// notifications after a delay, once (oneshot) or every period (periodic), and how it cancels that.
//
//   oneshot / periodic  label 1 / 2, words: w0 = nanoseconds (> 0), w1 = the bits to signal (non-zero);
//                       one typed item: a capability to a notification the client created (copied, the write
//                       right is all the service needs). Answer: label = Status, w0 = the timer's id.
//   cancel              label 3, w0 = an id this client got. Answer: label = Status.
//
// Resolution: the service counts the ticks of interrupt line 0, the legacy periodic timer at 100 Hz, so
// delays are whole ticks of tick_ns = 10 ms. A delay of ns is ceil(ns / tick_ns) ticks, and the first expiry
// comes one tick later than that, since the subscription falls somewhere inside a tick: a timer never fires
// early, and at most one tick (plus scheduling) late. A periodic timer then fires every ceil(ns / tick_ns)
// ticks, in phase with its first expiry. Ticks the service misses (it was not scheduled for longer than a
// tick) are not made up, so under load timers run late, never early.
//
// A client's timers are its own: the service knows callers by the badge of their endpoint capability, and an
// id names a timer of that badge only. A timer whose notification is gone is dropped at its next expiry.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "kernel/abi/ipc.hpp"
#include "user/lib/syscall.hpp"

namespace janus::timer {

inline constexpr std::uint64_t label_oneshot = 1;
inline constexpr std::uint64_t label_periodic = 2;
inline constexpr std::uint64_t label_cancel = 3;

/// One tick of line 0 (100 Hz): the service's resolution.
inline constexpr std::uint64_t tick_ns = 10'000'000;
/// Timers the service keeps at once, for all clients together.
inline constexpr std::size_t max_timers = 16;

enum class Status : std::uint64_t {
    ok = 0,
    unknown_request = 1, ///< a label the service does not serve
    bad_argument = 2,    ///< 0 ns, no bits, missing words
    no_notification = 3, ///< oneshot/periodic without exactly one capability item naming a notification
    table_full = 4,      ///< max_timers timers are running
    no_such_timer = 5,   ///< cancel: the id names no running timer of this client
};

/// Ticks a delay of `ns` stands for: ceil(ns / tick_ns), at least one.
constexpr std::uint64_t ticks_for(std::uint64_t ns) {
    const std::uint64_t t = ns / tick_ns + (ns % tick_ns != 0);
    return t == 0 ? 1 : t;
}

struct Result {
    abi::Error error; ///< the kernel's error of the call (refused: the service takes no capability now)
    Status status;
    std::uint64_t id; ///< oneshot/periodic: the timer's id
    constexpr bool ok() const { return error == abi::Error::ok && status == Status::ok; }
};

namespace detail {

inline Result subscribe(abi::Utcb& utcb, user::Sel ep, std::uint64_t label, user::Sel notification,
                        std::uint64_t ns, std::uint64_t bits) {
    utcb.item[0] = abi::item::cap(abi::rights::write);
    utcb.item[1] = user::raw(notification);
    auto r = user::sys::ipc_call(ep, abi::msg::info(label, 2, 1), abi::timeout_never, ns, bits, 0);
    if (r.error != abi::Error::ok) return {r.error, Status::ok, 0};
    return {abi::Error::ok, static_cast<Status>(abi::msg::label(r.info)), r.w0};
}

} // namespace detail

/// Signal `bits` on `notification` once, `ns` from now. The capability item goes through `utcb`, the
/// calling thread's UTCB.
inline Result oneshot(abi::Utcb& utcb, user::Sel ep, user::Sel notification, std::uint64_t ns,
                      std::uint64_t bits = 1) {
    return detail::subscribe(utcb, ep, label_oneshot, notification, ns, bits);
}

/// Signal `bits` on `notification` every `ns`, the first time `ns` from now.
inline Result periodic(abi::Utcb& utcb, user::Sel ep, user::Sel notification, std::uint64_t ns,
                       std::uint64_t bits = 1) {
    return detail::subscribe(utcb, ep, label_periodic, notification, ns, bits);
}

/// Stop timer `id`. Needs no UTCB. A signal already made stays in the notification.
inline Result cancel(user::Sel ep, std::uint64_t id) {
    auto r = user::sys::ipc_call(ep, abi::msg::info(label_cancel, 1), abi::timeout_never, id, 0, 0);
    if (r.error != abi::Error::ok) return {r.error, Status::ok, 0};
    return {abi::Error::ok, static_cast<Status>(abi::msg::label(r.info)), id};
}

} // namespace janus::timer
