#include "hostsim/direct_atomics.hpp"

#include <cstdlib>

namespace hostsim::direct {

namespace {

constexpr int failure_order(int order) {
    return order == __ATOMIC_RELEASE   ? __ATOMIC_RELAXED
           : order == __ATOMIC_ACQ_REL ? __ATOMIC_ACQUIRE
                                       : order;
}

template <typename W>
W* word(const volatile void* addr) {
    return static_cast<W*>(const_cast<void*>(addr));
}

template <typename W>
std::uint64_t do_load(const volatile void* a, int o) {
    switch (o) { // constant orders, so the sanitizers and the compiler see exactly this one
    case __ATOMIC_RELAXED:
        return __atomic_load_n(word<W>(a), __ATOMIC_RELAXED);
    case __ATOMIC_ACQUIRE:
        return __atomic_load_n(word<W>(a), __ATOMIC_ACQUIRE);
    default:
        return __atomic_load_n(word<W>(a), __ATOMIC_SEQ_CST);
    }
}

template <typename W>
void do_store(volatile void* a, W v, int o) {
    switch (o) {
    case __ATOMIC_RELAXED:
        __atomic_store_n(word<W>(a), v, __ATOMIC_RELAXED);
        break;
    case __ATOMIC_RELEASE:
        __atomic_store_n(word<W>(a), v, __ATOMIC_RELEASE);
        break;
    default:
        __atomic_store_n(word<W>(a), v, __ATOMIC_SEQ_CST);
        break;
    }
}

template <typename W>
std::uint64_t do_exchange(volatile void* a, W v, int o) {
    return __atomic_exchange_n(word<W>(a), v, o);
}

template <typename W>
bool do_cas(volatile void* a, std::uint64_t* expected, W desired, int o) {
    W e = static_cast<W>(*expected);
    bool ok = __atomic_compare_exchange_n(word<W>(a), &e, desired, false, o, failure_order(o));
    *expected = e;
    return ok;
}

template <typename W>
std::uint64_t do_rmw(volatile void* a, arch::hosted::RmwOp op, W v, int o) {
    using arch::hosted::RmwOp;
    switch (op) {
    case RmwOp::add:
        return __atomic_fetch_add(word<W>(a), v, o);
    case RmwOp::sub:
        return __atomic_fetch_sub(word<W>(a), v, o);
    case RmwOp::and_:
        return __atomic_fetch_and(word<W>(a), v, o);
    case RmwOp::or_:
        return __atomic_fetch_or(word<W>(a), v, o);
    case RmwOp::xor_:
        return __atomic_fetch_xor(word<W>(a), v, o);
    }
    std::abort();
}

#define HOSTSIM_BY_SIZE(size, call)                                                                          \
    switch (size) {                                                                                          \
    case 1:                                                                                                  \
        return call(std::uint8_t);                                                                           \
    case 2:                                                                                                  \
        return call(std::uint16_t);                                                                          \
    case 4:                                                                                                  \
        return call(std::uint32_t);                                                                          \
    default:                                                                                                 \
        return call(std::uint64_t);                                                                          \
    }

} // namespace

std::uint64_t load(const volatile void* addr, unsigned size, arch::MemoryOrder order) {
#define CALL(W) do_load<W>(addr, static_cast<int>(order))
    HOSTSIM_BY_SIZE(size, CALL)
#undef CALL
}

void store(volatile void* addr, unsigned size, std::uint64_t value, arch::MemoryOrder order){
#define CALL(W) do_store<W>(addr, static_cast<W>(value), static_cast<int>(order))
    HOSTSIM_BY_SIZE(size, CALL)
#undef CALL
}

std::uint64_t exchange(volatile void* addr, unsigned size, std::uint64_t value, arch::MemoryOrder order) {
#define CALL(W) do_exchange<W>(addr, static_cast<W>(value), static_cast<int>(order))
    HOSTSIM_BY_SIZE(size, CALL)
#undef CALL
}

bool compare_exchange(volatile void* addr, unsigned size, std::uint64_t* expected, std::uint64_t desired,
                      arch::MemoryOrder order){
#define CALL(W) do_cas<W>(addr, expected, static_cast<W>(desired), static_cast<int>(order))
    HOSTSIM_BY_SIZE(size, CALL)
#undef CALL
}

std::uint64_t fetch_op(volatile void* addr, unsigned size, arch::hosted::RmwOp op, std::uint64_t operand,
                       arch::MemoryOrder order) {
#define CALL(W) do_rmw<W>(addr, op, static_cast<W>(operand), static_cast<int>(order))
    HOSTSIM_BY_SIZE(size, CALL)
#undef CALL
}

void fence(arch::MemoryOrder order) {
    __atomic_thread_fence(static_cast<int>(order));
}

} // namespace hostsim::direct
