// PagePool: the fuzzer's PageSource. One block of host memory reserved once; pages handed out from a free
// stack, so resetting the kernel between inputs costs no allocation. A page given back is poisoned for
// AddressSanitizer (a kernel access to a freed page is reported), and a page handed out is filled with a
// pattern (code relying on fresh memory being zero misbehaves visibly).
//
// Pages are handed out in a fixed order after every reset(), so a run is a function of its input alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernel/obj/page_source.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define FUZZSYS_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define FUZZSYS_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#endif
#endif
#ifndef FUZZSYS_POISON
#define FUZZSYS_POISON(p, n) ((void)(p), (void)(n))
#define FUZZSYS_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace fuzzsys {

class PagePool final : public kernel::PageSource {
public:
    static constexpr std::uint64_t physical_base = 0x100000;

    /// `pages` for the kernel's objects, then `frames` user frames (boot memory the root may map; the kernel
    /// reads them only through physical addresses, e.g. debug_write), right after them in the physical space.
    PagePool(std::size_t pages, std::size_t frames) : count_(pages), frames_(frames) {
        base_ = static_cast<std::byte*>(std::aligned_alloc(page_bytes, (pages + frames) * page_bytes));
        for (std::size_t i = 0; i < frames * page_bytes; ++i)
            base_[pages * page_bytes + i] =
                static_cast<std::byte>('a' + i % 26); // printable, for debug_write
        taken_.assign(pages, false);
        FUZZSYS_POISON(base_, count_ * page_bytes);
        reset();
    }
    ~PagePool() {
        FUZZSYS_UNPOISON(base_, count_ * page_bytes);
        std::free(base_);
    }

    /// The physical address of user frame `i` (< frames).
    std::uint64_t user_frame(std::size_t i) const { return physical_base + (count_ + i) * page_bytes; }
    /// Whether [physical, physical + bytes) lies within the pool's pages and frames.
    bool covers(std::uint64_t physical, std::uint64_t bytes) const {
        return physical >= physical_base && bytes <= (count_ + frames_) * page_bytes &&
               physical - physical_base <= (count_ + frames_) * page_bytes - bytes;
    }
    PagePool(const PagePool&) = delete;
    PagePool& operator=(const PagePool&) = delete;

    /// Every page free again, handed out from the lowest address up. Free pages are poisoned already (the
    /// constructor and give_page() poison them), so only pages still out (a run that failed before
    /// destroy_all gave everything back) are poisoned here; poisoning all 4 MiB on every reset took about
    /// 1.5% of fuzz_syscalls' time.
    void reset() {
        for (std::size_t i = 0; i < count_; ++i)
            if (taken_[i]) FUZZSYS_POISON(base_ + i * page_bytes, page_bytes);
        free_.clear();
        for (std::size_t i = count_; i-- > 0;) free_.push_back(i);
        taken_.assign(count_, false);
        outstanding_ = 0;
        bad_gives_ = 0;
    }

    // No `override` on these: physical()/at_physical() are newer in PageSource than this pool, and marking
    // none keeps it building against either version of the interface.
    void* take_page() {
        if (free_.empty()) return nullptr;
        std::size_t i = free_.back();
        free_.pop_back();
        taken_[i] = true;
        ++outstanding_;
        std::byte* p = base_ + i * page_bytes;
        FUZZSYS_UNPOISON(p, page_bytes);
        std::memset(p, 0xa5, page_bytes);
        return p;
    }

    void give_page(void* page) {
        auto* p = static_cast<std::byte*>(page);
        std::size_t offset = static_cast<std::size_t>(p - base_);
        if (p < base_ || offset % page_bytes || offset / page_bytes >= count_ ||
            !taken_[offset / page_bytes]) {
            ++bad_gives_;
            return;
        }
        taken_[offset / page_bytes] = false;
        --outstanding_;
        FUZZSYS_POISON(p, page_bytes);
        free_.push_back(offset / page_bytes);
    }

    /// Physical addresses are offsets into the pool above a fixed base, not host addresses: the same in every
    /// process, so whatever the kernel derives from them (page-table entries, frames) replays identically.
    std::uint64_t physical(const void* page) const {
        return physical_base + static_cast<std::uint64_t>(static_cast<const std::byte*>(page) - base_);
    }
    void* at_physical(std::uint64_t physical) const { return base_ + (physical - physical_base); }

    std::size_t outstanding() const { return outstanding_; }
    /// give_page() calls for pages not handed out (a double free or a stray pointer); must stay 0.
    std::size_t bad_gives() const { return bad_gives_; }

private:
    std::byte* base_ = nullptr;
    std::size_t count_;
    std::size_t frames_;
    std::vector<std::size_t> free_;
    std::vector<bool> taken_;
    std::size_t outstanding_ = 0;
    std::size_t bad_gives_ = 0;
};

} // namespace fuzzsys
