#include "fuzz/syscalls/snapshot.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "arch/cpu.hpp"
#include "fuzz/syscalls/page_pool.hpp"
#include "kernel/kernel.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZSYS_ASAN 1
extern "C" void __asan_get_shadow_mapping(std::size_t* shadow_scale, std::size_t* shadow_offset);
#endif
#endif

// Everything here reads memory ASan may call poisoned (free slab chunks, its own shadow), so none of it is
// instrumented, and the loops are not turned into calls of memcpy/memcmp, which ASan intercepts and checks.
// Nor does UBSan check them: its checks of every pointer step kept the loops from being vectorised (a copy of
// a page took ten times as long).
#define FUZZSYS_RAW __attribute__((no_sanitize("address", "undefined"), no_builtin))

namespace fuzzsys {

namespace raw {

FUZZSYS_RAW void copy(void* to, const void* from, std::size_t bytes) {
    auto* d = static_cast<std::uint64_t*>(to);
    const auto* s = static_cast<const std::uint64_t*>(from);
    const std::size_t words = bytes / 8;
    for (std::size_t i = 0; i < words; ++i) d[i] = s[i];
    for (std::size_t i = words * 8; i < bytes; ++i)
        static_cast<std::uint8_t*>(to)[i] = static_cast<const std::uint8_t*>(from)[i];
}

FUZZSYS_RAW bool equal(const void* a, const void* b, std::size_t bytes) {
    const auto* x = static_cast<const std::uint64_t*>(a);
    const auto* y = static_cast<const std::uint64_t*>(b);
    const std::size_t words = bytes / 8;
    std::size_t i = 0;
    // Blocks of 64 bytes without an early exit inside, so the compiler vectorises them.
    for (; i + 8 <= words; i += 8) {
        std::uint64_t d = 0;
        for (std::size_t j = 0; j < 8; ++j) d |= x[i + j] ^ y[i + j];
        if (d) return false;
    }
    for (; i < words; ++i)
        if (x[i] != y[i]) return false;
    for (std::size_t k = words * 8; k < bytes; ++k)
        if (static_cast<const std::uint8_t*>(a)[k] != static_cast<const std::uint8_t*>(b)[k]) return false;
    return true;
}

#ifdef FUZZSYS_ASAN
namespace {
struct Mapping {
    std::size_t scale = 0, offset = 0;
    Mapping() { __asan_get_shadow_mapping(&scale, &offset); }
};
const Mapping& mapping() {
    static const Mapping m;
    return m;
}
std::uint8_t* shadow_of(const void* p) {
    const Mapping& m = mapping();
    return reinterpret_cast<std::uint8_t*>((reinterpret_cast<std::uintptr_t>(p) >> m.scale) + m.offset);
}
} // namespace

std::size_t shadow_bytes(std::size_t bytes) {
    return bytes >> mapping().scale;
}
void read_shadow(const void* p, std::size_t bytes, std::uint8_t* out) {
    copy(out, shadow_of(p), shadow_bytes(bytes));
}
void write_shadow(const void* p, std::size_t bytes, const std::uint8_t* in) {
    copy(shadow_of(p), in, shadow_bytes(bytes));
}
bool shadow_equal(const void* p, std::size_t bytes, const std::uint8_t* want) {
    return equal(shadow_of(p), want, shadow_bytes(bytes));
}
#else
std::size_t shadow_bytes(std::size_t) {
    return 0;
}
void read_shadow(const void*, std::size_t, std::uint8_t*) {}
void write_shadow(const void*, std::size_t, const std::uint8_t*) {}
bool shadow_equal(const void*, std::size_t, const std::uint8_t*) {
    return true;
}
#endif

} // namespace raw

// ---- PagePool's snapshots

void PagePool::protect_frames(bool read_only) {
    if (frames_ == 0) return;
    if (mprotect(base_ + count_ * page_bytes, frames_ * page_bytes,
                 read_only ? PROT_READ : PROT_READ | PROT_WRITE) != 0) {
        std::perror("fuzzsys: mprotect of the user frames");
        std::abort();
    }
}

void PagePool::capture(PoolSnapshot& s) const {
    const std::size_t shadow = raw::shadow_bytes(page_bytes);
    s.pages.clear();
    s.slot_of.assign(count_, -1);
    s.free_poisoned = true;
    std::vector<std::uint8_t> free_shadow(shadow);
    for (std::size_t i = 0; i < count_; ++i) {
        if (taken_[i]) {
            s.slot_of[i] = static_cast<std::int32_t>(s.pages.size());
            s.pages.push_back(static_cast<std::uint32_t>(i));
        } else if (shadow && s.free_poisoned) {
            raw::read_shadow(page(i), page_bytes, free_shadow.data());
            for (std::uint8_t b : free_shadow)
                if (b != raw::user_poisoned) s.free_poisoned = false;
        }
    }
    s.contents.resize(s.pages.size() * page_bytes);
    s.shadow.resize(s.pages.size() * shadow);
    for (std::size_t k = 0; k < s.pages.size(); ++k) {
        raw::copy(&s.contents[k * page_bytes], page(s.pages[k]), page_bytes);
        raw::read_shadow(page(s.pages[k]), page_bytes, s.shadow.data() + k * shadow);
    }
    s.free = free_;
    s.outstanding = outstanding_;
    s.bad_gives = bad_gives_;
}

void PagePool::snapshot(PoolSnapshot& s) {
    capture(s);
    forget_journal();
    base_snapshot_ = &s;
}

std::size_t PagePool::restore(const PoolSnapshot& s) {
    const std::size_t shadow = raw::shadow_bytes(page_bytes);
    if (base_snapshot_ != &s) {
        // The state derives from another snapshot or from reset(): a page may differ from `s` wherever one of
        // them has a page out.
        for (std::size_t i = 0; i < count_; ++i)
            if (taken_[i]) note(i);
        for (std::uint32_t i : s.pages) note(i);
        low_water_ = 0;
    }
    bool skip = plant_skip_;
    std::size_t copied = 0;
    auto put_back = [&](std::size_t i, std::size_t k) {
        if (skip) {
            skip = false;
            return;
        }
        raw::copy(page(i), &s.contents[k * page_bytes], page_bytes);
        raw::write_shadow(page(i), page_bytes, s.shadow.data() + k * shadow);
        ++copied;
    };
    // Pages handed out or taken back since: out again as they were, or free (and poisoned) again.
    for (std::uint32_t i : journal_) {
        const std::int32_t k = s.slot_of[i];
        if (k >= 0) {
            put_back(i, static_cast<std::size_t>(k));
            taken_[i] = true;
        } else {
            if (taken_[i]) FUZZSYS_POISON(page(i), page_bytes);
            taken_[i] = false;
        }
    }
    // Pages out all along: copied back where the kernel wrote them (or changed what ASan may touch).
    for (std::size_t k = 0; k < s.pages.size(); ++k) {
        const std::uint32_t i = s.pages[k];
        if (journaled_[i]) continue;
        if (!raw::equal(page(i), &s.contents[k * page_bytes], page_bytes) ||
            !raw::shadow_equal(page(i), page_bytes, s.shadow.data() + k * shadow))
            put_back(i, k);
    }
    // The free stack: entries below the lowest point it reached are as they were.
    const std::size_t keep = std::min(low_water_, s.free.size());
    free_.resize(s.free.size());
    for (std::size_t j = keep; j < s.free.size(); ++j) free_[j] = s.free[j];
    outstanding_ = s.outstanding;
    bad_gives_ = s.bad_gives;
    forget_journal();
    base_snapshot_ = &s;
    return copied;
}

std::string difference(const PoolSnapshot& a, const PoolSnapshot& b) {
    const std::size_t shadow = raw::shadow_bytes(PagePool::page_bytes);
    if (a.slot_of.size() != b.slot_of.size()) return "pools of different sizes";
    for (std::size_t i = 0; i < a.slot_of.size(); ++i) {
        const std::int32_t ka = a.slot_of[i], kb = b.slot_of[i];
        const std::string which = "pool page " + std::to_string(i);
        if ((ka >= 0) != (kb >= 0))
            return which + (ka >= 0 ? " is out in the first, free in the second"
                                    : " is free in the first, out in the second");
        if (ka < 0) continue;
        const auto ia = static_cast<std::size_t>(ka), ib = static_cast<std::size_t>(kb);
        if (!raw::equal(&a.contents[ia * PagePool::page_bytes], &b.contents[ib * PagePool::page_bytes],
                        PagePool::page_bytes))
            return which + "'s contents differ";
        if (!raw::equal(&a.shadow[ia * shadow], &b.shadow[ib * shadow], shadow))
            return which + "'s AddressSanitizer shadow differs";
    }
    if (a.free_poisoned != b.free_poisoned) return "free pages are poisoned in one, not in the other";
    if (a.free != b.free) return "the free stacks differ";
    if (a.outstanding != b.outstanding || a.bad_gives != b.bad_gives) return "the pools' counters differ";
    return {};
}

// ---- KernelImage

void KernelImage::take(const kernel::Kernel& k, unsigned cpus) {
    static_assert(arch::max_cpus >= 2);
    const auto* base = reinterpret_cast<const std::byte*>(&k);
    auto offset = [base](const void* p) {
        return static_cast<std::size_t>(reinterpret_cast<const std::byte*>(p) - base);
    };
    // The scheduler's per-CPU entries, found through its inspection interface (each entry starts with its run
    // queue; kernel/sched/scheduler.hpp): CPU c's run queue and timeout queue lie within
    // [per_cpu_ + c * stride_, per_cpu_ + (c + 1) * stride_).
    per_cpu_ = offset(&k.sched.run_queue(0));
    stride_ = offset(&k.sched.run_queue(1)) - per_cpu_;
    last_cpu_ = per_cpu_ + (arch::max_cpus - 1) * stride_;
    const bool layout_ok =
        offset(&k.sched.run_queue(arch::max_cpus - 1)) == last_cpu_ &&
        offset(&k.sched.timeouts(0)) > per_cpu_ && offset(&k.sched.timeouts(0)) < per_cpu_ + stride_ &&
        last_cpu_ + stride_ <= sizeof(kernel::Kernel) && cpus >= 1 && cpus <= arch::max_cpus;
    if (!layout_ok) {
        std::fprintf(stderr, "fuzzsys: the scheduler's per-CPU entries are not where KernelImage expects\n");
        std::abort();
    }
    cpus_ = cpus;
    bytes_.resize(sizeof(kernel::Kernel));
    raw::copy(bytes_.data(), &k, bytes_.size());
}

std::size_t KernelImage::restored_bytes(unsigned cpus) const {
    const std::size_t used = per_cpu_ + std::min<std::size_t>(cpus, arch::max_cpus) * stride_;
    return std::min(used, last_cpu_) + (bytes_.size() - last_cpu_);
}

void KernelImage::restore(kernel::Kernel& k, unsigned cpus) const {
    auto* to = reinterpret_cast<std::byte*>(&k);
    // [0, the end of the used CPUs' entries) and [the last CPU's entry, the end): the entries of the CPUs in
    // between were never written (nor the last one's, unless the kernel had all of them).
    const std::size_t used =
        std::min(per_cpu_ + std::min<std::size_t>(cpus, arch::max_cpus) * stride_, last_cpu_);
    raw::copy(to, bytes_.data(), used);
    raw::copy(to + last_cpu_, bytes_.data() + last_cpu_, bytes_.size() - last_cpu_);
}

std::string KernelImage::difference(const kernel::Kernel& k) const {
    return difference(reinterpret_cast<const std::byte*>(&k));
}

std::string KernelImage::difference(const KernelImage& other) const {
    if (other.bytes_.size() != bytes_.size()) return "one of the Kernel images is missing";
    return difference(other.bytes_.data());
}

std::string KernelImage::difference(const std::byte* now) const {
    for (std::size_t i = 0; i < bytes_.size(); ++i) {
        if (now[i] == bytes_[i]) continue;
        std::string part;
        if (i < per_cpu_)
            part = "before the scheduler's per-CPU entries";
        else if (i < per_cpu_ + arch::max_cpus * stride_)
            part = "in CPU " + std::to_string((i - per_cpu_) / stride_) + "'s scheduler entry";
        else
            part = "after the scheduler's per-CPU entries";
        return "the Kernel object differs at byte " + std::to_string(i) + " of " +
               std::to_string(bytes_.size()) + " (" + part + ")";
    }
    return {};
}

std::string difference(const StateImage& a, const StateImage& b) {
    if (std::string d = a.kernel.difference(b.kernel); !d.empty()) return d;
    if (std::string d = difference(a.pool, b.pool); !d.empty()) return d;
    if (a.frames != b.frames) return "the user frames differ";
    if (a.irq_lines_unmasked != b.irq_lines_unmasked) return "hostsim's device-line masks differ";
    if (a.io_loaded != b.io_loaded || a.io_active != b.io_active || a.io_ports != b.io_ports)
        return "the host thread's I/O-port states differ";
    return {};
}

} // namespace fuzzsys
