// Arch contract: atomics, fences and scheduling points.
//
// Every access the kernel makes to memory shared between CPUs goes through arch::Atomic. On bare metal the
// operations are the compiler's __atomic builtins, inlined. In the hosted world (hostsim) each operation is
// an out-of-line call into the simulated machine, which makes it a scheduling point, can buffer stores
// (x86-TSO) and records what happened; the kernel source is identical in both worlds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace arch {

enum class MemoryOrder : int {
    relaxed = __ATOMIC_RELAXED,
    acquire = __ATOMIC_ACQUIRE,
    release = __ATOMIC_RELEASE,
    acq_rel = __ATOMIC_ACQ_REL,
    seq_cst = __ATOMIC_SEQ_CST,
};

#if JANUS_HOSTED
// Implemented by hostsim. Values travel as 64-bit words; `size` is 1, 2, 4 or 8 bytes.
namespace hosted {
std::uint64_t atomic_load(const volatile void* addr, unsigned size, MemoryOrder order);
void atomic_store(volatile void* addr, unsigned size, std::uint64_t value, MemoryOrder order);
std::uint64_t atomic_exchange(volatile void* addr, unsigned size, std::uint64_t value, MemoryOrder order);
bool atomic_compare_exchange(volatile void* addr, unsigned size, std::uint64_t* expected,
                             std::uint64_t desired, MemoryOrder order);
enum class RmwOp { add, sub, and_, or_, xor_ };
std::uint64_t atomic_fetch_op(volatile void* addr, unsigned size, RmwOp op, std::uint64_t operand,
                              MemoryOrder order);
void atomic_fence(MemoryOrder order);
void preemption_point();
void cpu_relax();
} // namespace hosted
#endif

/// Full memory fence of the given strength.
inline void fence(MemoryOrder order = MemoryOrder::seq_cst) {
#if JANUS_HOSTED
    hosted::atomic_fence(order);
#else
    __atomic_thread_fence(static_cast<int>(order));
#endif
}

/// A place where another CPU may run. Free on bare metal; a scheduling point under hostsim.
inline void preemption_point() {
#if JANUS_HOSTED
    hosted::preemption_point();
#endif
}

/// Spin-loop hint. Under hostsim a spinning CPU yields, so a spin loop never exhausts the step budget.
inline void cpu_relax() {
#if JANUS_HOSTED
    hosted::cpu_relax();
#else
    __builtin_ia32_pause();
#endif
}

/// An integer or pointer in memory shared between CPUs. Layout-compatible with T (page-table entries are
/// accessed in place through Atomic<std::uint64_t>*).
template <typename T>
class Atomic {
    static_assert(std::is_integral_v<T> || std::is_pointer_v<T> || std::is_enum_v<T>,
                  "Atomic holds integers, enums and pointers");
    static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);

public:
    constexpr Atomic() = default;
    constexpr explicit Atomic(T v) : value_(v) {}
    Atomic(const Atomic&) = delete;
    Atomic& operator=(const Atomic&) = delete;

    T load(MemoryOrder order = MemoryOrder::seq_cst) const {
#if JANUS_HOSTED
        return from_word(hosted::atomic_load(&value_, sizeof(T), order));
#else
        return __atomic_load_n(&value_, static_cast<int>(order));
#endif
    }

    void store(T v, MemoryOrder order = MemoryOrder::seq_cst) {
#if JANUS_HOSTED
        hosted::atomic_store(&value_, sizeof(T), to_word(v), order);
#else
        __atomic_store_n(&value_, v, static_cast<int>(order));
#endif
    }

    T exchange(T v, MemoryOrder order = MemoryOrder::seq_cst) {
#if JANUS_HOSTED
        return from_word(hosted::atomic_exchange(&value_, sizeof(T), to_word(v), order));
#else
        return __atomic_exchange_n(&value_, v, static_cast<int>(order));
#endif
    }

    /// Strong compare-and-swap. On failure `expected` receives the current value.
    bool compare_exchange(T& expected, T desired, MemoryOrder order = MemoryOrder::seq_cst) {
#if JANUS_HOSTED
        std::uint64_t e = to_word(expected);
        bool ok = hosted::atomic_compare_exchange(&value_, sizeof(T), &e, to_word(desired), order);
        expected = from_word(e);
        return ok;
#else
        return __atomic_compare_exchange_n(&value_, &expected, desired, false, static_cast<int>(order),
                                           failure_order(order));
#endif
    }

    T fetch_add(T v, MemoryOrder o = MemoryOrder::seq_cst) requires std::is_integral_v<T> {
        return rmw(RmwKind::add, v, o);
    }
    T fetch_sub(T v, MemoryOrder o = MemoryOrder::seq_cst) requires std::is_integral_v<T> {
        return rmw(RmwKind::sub, v, o);
    }
    T fetch_and(T v, MemoryOrder o = MemoryOrder::seq_cst) requires std::is_integral_v<T> {
        return rmw(RmwKind::and_, v, o);
    }
    T fetch_or(T v, MemoryOrder o = MemoryOrder::seq_cst) requires std::is_integral_v<T> {
        return rmw(RmwKind::or_, v, o);
    }
    T fetch_xor(T v, MemoryOrder o = MemoryOrder::seq_cst) requires std::is_integral_v<T> {
        return rmw(RmwKind::xor_, v, o);
    }

    /// Plain access for code that owns the object exclusively (construction, single-CPU tests).
    T raw() const {
        return value_;
    }

private:
    enum class RmwKind { add, sub, and_, or_, xor_ };

    T rmw(RmwKind kind, T v, MemoryOrder order) {
#if JANUS_HOSTED
        static constexpr hosted::RmwOp ops[] = {hosted::RmwOp::add, hosted::RmwOp::sub, hosted::RmwOp::and_,
                                                hosted::RmwOp::or_, hosted::RmwOp::xor_};
        return from_word(
            hosted::atomic_fetch_op(&value_, sizeof(T), ops[static_cast<int>(kind)], to_word(v), order));
#else
        int o = static_cast<int>(order);
        switch (kind) {
        case RmwKind::add:
            return __atomic_fetch_add(&value_, v, o);
        case RmwKind::sub:
            return __atomic_fetch_sub(&value_, v, o);
        case RmwKind::and_:
            return __atomic_fetch_and(&value_, v, o);
        case RmwKind::or_:
            return __atomic_fetch_or(&value_, v, o);
        case RmwKind::xor_:
            return __atomic_fetch_xor(&value_, v, o);
        }
        __builtin_unreachable();
#endif
    }

    static constexpr int failure_order(MemoryOrder order) {
        switch (order) {
        case MemoryOrder::release:
            return __ATOMIC_RELAXED;
        case MemoryOrder::acq_rel:
            return __ATOMIC_ACQUIRE;
        default:
            return static_cast<int>(order);
        }
    }

    static std::uint64_t to_word(T v) {
        if constexpr (std::is_pointer_v<T>)
            return reinterpret_cast<std::uintptr_t>(v);
        else if constexpr (std::is_enum_v<T>)
            return static_cast<std::uint64_t>(v);
        else
            return static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<T>>(v));
    }
    static T from_word(std::uint64_t w) {
        if constexpr (std::is_pointer_v<T>)
            return reinterpret_cast<T>(static_cast<std::uintptr_t>(w));
        else
            return static_cast<T>(w);
    }

    alignas(sizeof(T)) T value_{};
};

static_assert(sizeof(Atomic<std::uint64_t>) == 8 && alignof(Atomic<std::uint64_t>) == 8);

} // namespace arch
