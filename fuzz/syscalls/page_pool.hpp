// PagePool: the fuzzer's PageSource. One block of host memory reserved once; pages handed out from a free
// stack, so resetting the kernel between inputs costs no allocation. A page given back is poisoned for
// AddressSanitizer (a kernel access to a freed page is reported), and a page handed out is filled with a
// pattern (code relying on fresh memory being zero misbehaves visibly).
//
// Pages are handed out in a fixed order after every reset(), so a run is a function of its input alone.
//
// Snapshots (snapshot.hpp): snapshot() records the pages out, their contents and shadow, and the free stack;
// restore() brings all of it back. Every page handed out or taken back after a snapshot goes into a journal,
// so a restore visits only those and the pages the snapshot holds (it compares those and copies back the
// ones that differ). The user frames after the kernel's pages are read-only: the kernel never writes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz/syscalls/snapshot.hpp"
#include "kernel/kmem/page_source.hpp"
#include "kernel/lifecycle/root.hpp"

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
        journaled_.assign(pages, 0);
        FUZZSYS_POISON(base_, count_ * page_bytes);
        protect_frames(true);
        reset();
    }
    ~PagePool() {
        protect_frames(false);
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
        forget_journal();
        base_snapshot_ = nullptr; // the next restore() cannot rely on the journal
    }

    /// Records the pool's state into `s` (which must stay where it is while the pool may restore it).
    void snapshot(PoolSnapshot& s);
    /// The same without making it the base of the journal: a picture of the state, to compare.
    void capture(PoolSnapshot& s) const;
    /// Back to the state of snapshot `s`: pages out then are out again with their contents and shadow, every
    /// other page is free and poisoned, the free stack is as it was. Returns the pages whose contents it
    /// copied. Visits the journal and the snapshot's pages if the pool's state derives from `s` (it was taken
    /// or restored last), every page out otherwise.
    std::size_t restore(const PoolSnapshot& s);
    /// Test hook: restore() skips the first page it would copy back (the snapshot tests check that a
    /// comparison with a fresh boot catches it).
    void plant_skipped_page(bool on) { plant_skip_ = on; }

    void* take_page() override {
        if (free_.empty()) return nullptr;
        std::size_t i = free_.back();
        free_.pop_back();
        taken_[i] = true;
        ++outstanding_;
        note(i);
        if (free_.size() < low_water_) low_water_ = free_.size();
        std::byte* p = base_ + i * page_bytes;
        FUZZSYS_UNPOISON(p, page_bytes);
        std::memset(p, 0xa5, page_bytes);
        return p;
    }

    void give_page(void* page) override {
        auto* p = static_cast<std::byte*>(page);
        std::size_t offset = static_cast<std::size_t>(p - base_);
        if (p < base_ || offset % page_bytes || offset / page_bytes >= count_ ||
            !taken_[offset / page_bytes]) {
            ++bad_gives_;
            return;
        }
        taken_[offset / page_bytes] = false;
        --outstanding_;
        note(offset / page_bytes);
        FUZZSYS_POISON(p, page_bytes);
        free_.push_back(offset / page_bytes);
    }

    /// Physical addresses are offsets into the pool above a fixed base, not host addresses: the same in every
    /// process, so whatever the kernel derives from them (page-table entries, frames) replays identically.
    std::uint64_t physical(const void* page) const override {
        return physical_base + static_cast<std::uint64_t>(static_cast<const std::byte*>(page) - base_);
    }
    void* at_physical(std::uint64_t physical) const override { return base_ + (physical - physical_base); }

    std::size_t outstanding() const { return outstanding_; }
    /// give_page() calls for pages not handed out (a double free or a stray pointer); must stay 0.
    std::size_t bad_gives() const { return bad_gives_; }

    /// Where page `i` is (host address) and how many kernel pages there are.
    std::byte* page(std::size_t i) const { return base_ + i * page_bytes; }
    std::size_t pages() const { return count_; }
    bool taken(std::size_t i) const { return taken_[i]; }
    const std::vector<std::size_t>& free_stack() const { return free_; }
    /// The user frames, [frames(), frames() + frame_count() * page_bytes).
    const std::byte* frames() const { return base_ + count_ * page_bytes; }
    std::size_t frame_count() const { return frames_; }

private:
    void note(std::size_t i) {
        if (journaled_[i]) return;
        journaled_[i] = 1;
        journal_.push_back(static_cast<std::uint32_t>(i));
    }
    void forget_journal() {
        for (std::uint32_t i : journal_) journaled_[i] = 0;
        journal_.clear();
        low_water_ = free_.size();
    }
    void protect_frames(bool read_only);

    std::byte* base_ = nullptr;
    std::size_t count_;
    std::size_t frames_;
    std::vector<std::size_t> free_;
    std::vector<bool> taken_;
    std::size_t outstanding_ = 0;
    std::size_t bad_gives_ = 0;
    // Since the last snapshot() or restore() (of base_snapshot_): the pages handed out or taken back, and the
    // lowest the free stack went (entries below it are as they were).
    std::vector<std::uint32_t> journal_;
    std::vector<std::uint8_t> journaled_;
    std::size_t low_water_ = 0;
    const PoolSnapshot* base_snapshot_ = nullptr;
    bool plant_skip_ = false;
};

} // namespace fuzzsys
