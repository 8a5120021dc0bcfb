// Checks shared by the error-path and hostile tests: a failed syscall returns the documented error and
// changes nothing the caller can observe (docs/abi.md: "operations are all or nothing"). From ring 3 that is
// the caller's quota (pd_quota) and the slots it names (cap_info).
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "user/lib/abi_types.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"

/// `expr` (a syscall stub's call) fails with `err`, and the caller's quota, limit and use, is as before.
#define CHECK_FAILS(expr, err)                                                                               \
    do {                                                                                                     \
        const auto checks_q0_ = ::janus::user::sys::pd_quota();                                              \
        CHECK_EQ((expr).error, (err));                                                                       \
        const auto checks_q1_ = ::janus::user::sys::pd_quota();                                              \
        CHECK_EQ(checks_q1_.used, checks_q0_.used);                                                          \
        CHECK_EQ(checks_q1_.limit, checks_q0_.limit);                                                        \
    } while (0)

/// Slot `sel` of the caller's space is empty.
#define CHECK_EMPTY(sel) CHECK_EQ(::janus::user::sys::cap_info(sel).error, ::janus::abi::Error::bad_selector)

namespace roottask {

/// Bytes the caller may still spend (limit - used).
inline std::uint64_t spare_quota() {
    auto q = janus::user::sys::pd_quota();
    return q.limit - q.used;
}

/// Moves every byte of the caller's spare quota into a new domain at `sink` (2^4 slots), so the caller can
/// pay for nothing more; cap_delete(sink) gives it all back. False (after a failed check) if that did not
/// work.
inline bool spend_all_quota(janus::user::test::Context& t, janus::user::Sel sink) {
    namespace charge = janus::abi::charge;
    const std::uint64_t cost = charge::pd + 16 * charge::cap_slot + charge::page_table;
    const std::uint64_t spare = spare_quota();
    if (!CHECK(spare > cost)) return false;
    if (!CHECK_EQ(janus::user::sys::pd_create(sink, spare - cost, 4).error, janus::abi::Error::ok))
        return false;
    return CHECK_EQ(spare_quota(), std::uint64_t{0});
}

/// A deterministic pseudo-random sequence (xorshift64*), the same on every machine for one seed.
class Prng {
public:
    explicit Prng(std::uint64_t seed) : s_(seed ? seed : 0x9e3779b97f4a7c15) {}
    std::uint64_t next() {
        s_ ^= s_ >> 12;
        s_ ^= s_ << 25;
        s_ ^= s_ >> 27;
        return s_ * 0x2545f4914f6cdd1d;
    }
    /// Uniform enough in 0 .. n-1 (n > 0).
    std::uint64_t below(std::uint64_t n) { return next() % n; }

private:
    std::uint64_t s_;
};

} // namespace roottask
