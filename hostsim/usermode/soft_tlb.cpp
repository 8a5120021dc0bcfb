#include "hostsim/usermode/soft_tlb.hpp"

#include <cinttypes>
#include <cstdio>

#include "hostsim/machine.hpp"

namespace hostsim::usermode {

namespace {

// #PF error code bits (Intel SDM vol. 3A, 4.7).
constexpr std::uint64_t pf_present = 1, pf_write = 2, pf_user = 4, pf_reserved = 8, pf_fetch = 16;

std::uint32_t prot_of(const PageWalk& w) {
    return UC_PROT_READ | (w.writable ? UC_PROT_WRITE : 0) | (w.executable ? UC_PROT_EXEC : 0);
}

std::string describe(const PageWalk& w, bool outside) {
    char buf[160];
    if (outside) return "tables that lead outside simulated RAM";
    switch (w.outcome) {
    case PageWalk::Outcome::mapped:
        std::snprintf(buf, sizeof buf, "frame %#" PRIx64 " (%" PRIu64 " KiB page)%s%s%s",
                      w.phys & ~(w.page_size - 1), w.page_size >> 10, w.user ? "" : ", supervisor only",
                      w.writable ? ", writable" : ", read-only", w.executable ? ", executable" : "");
        return buf;
    case PageWalk::Outcome::not_present:
        return "nothing (not present)";
    case PageWalk::Outcome::reserved_bit:
        return "an entry with a reserved bit set";
    case PageWalk::Outcome::non_canonical:
        return "a non-canonical address";
    }
    return "?";
}

} // namespace

PageWalk SoftTlb::walk(std::uint64_t va, bool& outside) const {
    outside = false;
    const Ram ram = ram_;
    auto read = [&](std::uint64_t pa) -> std::uint64_t {
        if (pa > ram.size - 8) {
            outside = true;
            return 0;
        }
        return peek(ram.base + pa, 8);
    };
    PageWalk w = hostsim::walk(read, root_, va);
    if (w.outcome == PageWalk::Outcome::mapped) {
        const std::uint64_t frame = w.phys & ~(w.page_size - 1);
        if (frame > ram.size || w.page_size > ram.size - frame) outside = true;
    }
    return w;
}

bool SoftTlb::allows(const Entry& e, MemoryHandler::Access access) const {
    using A = MemoryHandler::Access;
    bool outside = false;
    const PageWalk w = walk(e.va, outside);
    return !outside && w.outcome == PageWalk::Outcome::mapped && w.user && w.page_size == e.size &&
           (w.phys & ~(w.page_size - 1)) == e.frame && (access != A::write || w.writable) &&
           (access != A::fetch || w.executable);
}

void SoftTlb::load(std::uint64_t root) {
    if (root == root_) return;
    flush();
    root_ = root;
}

const SoftTlb::Entry* SoftTlb::find(std::uint64_t va) const {
    for (const Entry& e : entries_)
        if (va - e.va < e.size) return &e;
    return nullptr;
}

void SoftTlb::drop(std::size_t index) {
    const Entry& e = entries_[index];
    engine_.unmap(e.va, e.size);
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(index));
}

void SoftTlb::drop_overlapping(std::uint64_t va, std::uint64_t size) {
    for (std::size_t i = entries_.size(); i-- > 0;) {
        const Entry& e = entries_[i];
        if (e.va < va + size && va < e.va + e.size) drop(i);
    }
}

void SoftTlb::invalidate(std::uint64_t va) {
    for (std::size_t i = entries_.size(); i-- > 0;)
        if (va - entries_[i].va < entries_[i].size) drop(i);
}

bool SoftTlb::note_code(std::uint64_t va, std::uint64_t size, std::uint64_t frame, bool fetching) {
    auto it = translated_.find(va);
    if (it != translated_.end() && it->second.size == size && it->second.frame == frame) return false;
    const bool other = it != translated_.end();
    translated_[va] = {va, size, frame};
    if (!other) return false;
    if (fetching) return true; // the run stops and drops this page's translations (Fill::new_code)
    forget_all_ = true;        // a data access: the code may run later in this run; drop all before the next
    return false;
}

bool SoftTlb::forget_other_code() {
    // Code reaches Unicorn only through fills (a switch of address space or an invalidation drops the
    // entries, and the next access fills again), and a fill by a fetch drops the page's old translations at
    // once: only a fill by another access leaves work for here.
    if (!forget_all_) return false;
    engine_.forget_code();
    forget_all_ = false;
    translated_.clear();
    for (const Entry& e : entries_)
        if (e.prot & UC_PROT_EXEC) translated_[e.va] = {e.va, e.size, e.frame};
    return true;
}

void SoftTlb::flush() {
    while (!entries_.empty()) drop(entries_.size() - 1);
}

SoftTlb::Fill SoftTlb::fault(MemoryHandler::Access access, std::uint64_t va, bool unmapped) {
    using A = MemoryHandler::Access;
    if (!unmapped) {
        // A stale entry is a bug only for an access the tables no longer allow to that frame (a read through
        // an entry that lost its write right reaches the same bytes a fresh walk would).
        if (const Entry* e = find(va); e && e->stale && !allows(*e, access)) {
            char buf[320];
            std::snprintf(buf, sizeof buf,
                          "%s of %#" PRIx64 " through a stale translation: the TLB maps page %#" PRIx64
                          " to frame %#" PRIx64
                          " but the page tables, with the kernel between operations, map "
                          "it to %s (missing invalidation or shootdown)",
                          access == A::write   ? "write"
                          : access == A::fetch ? "fetch"
                                               : "read",
                          va, e->va, e->frame, e->why.c_str());
            return {Fill::Kind::stale, 0, buf};
        }
        // Too few rights: as a page fault does on hardware, drop the entry and walk again (the tables may
        // give more now: rights going up need no invalidation).
        invalidate(va);
    }
    bool outside = false;
    const PageWalk w = walk(va, outside);
    if (outside) {
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "the page tables at %#" PRIx64 " lead outside simulated RAM for %#" PRIx64, root_, va);
        return {Fill::Kind::ram_outside, 0, buf};
    }
    const std::uint64_t access_bits =
        (access == A::write ? pf_write : 0) | (access == A::fetch ? pf_fetch : 0) | pf_user;
    switch (w.outcome) {
    case PageWalk::Outcome::not_present:
    case PageWalk::Outcome::non_canonical:
        return {Fill::Kind::page_fault, access_bits, {}};
    case PageWalk::Outcome::reserved_bit:
        return {Fill::Kind::page_fault, access_bits | pf_present | pf_reserved, {}};
    case PageWalk::Outcome::mapped:
        break;
    }
    const bool allowed = w.user && (access != A::write || w.writable) && (access != A::fetch || w.executable);
    if (!allowed) return {Fill::Kind::page_fault, access_bits | pf_present, {}};

    const std::uint64_t base = va & ~(w.page_size - 1);
    const std::uint64_t frame = w.phys & ~(w.page_size - 1);
    drop_overlapping(base, w.page_size);
    while (entries_.size() >= capacity_) drop(0);
    if (!engine_.map(base, w.page_size, ram_.base + frame, prot_of(w))) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "Unicorn refused to map page %#" PRIx64 " onto frame %#" PRIx64, base,
                      frame);
        return {Fill::Kind::ram_outside, 0, buf};
    }
    entries_.push_back({base, w.page_size, frame, prot_of(w), false, {}});
    ++fills_;
    if (w.executable && note_code(base, w.page_size, frame, access == A::fetch))
        return {Fill::Kind::new_code, 0, {}};
    return {Fill::Kind::mapped, 0, {}};
}

void SoftTlb::audit(bool settled) {
    if (!settled) return;
    for (Entry& e : entries_) {
        if (e.stale) continue;
        bool outside = false;
        const PageWalk w = walk(e.va, outside);
        const bool agrees = !outside && w.outcome == PageWalk::Outcome::mapped && w.user &&
                            w.page_size == e.size && (w.phys & ~(w.page_size - 1)) == e.frame &&
                            (e.prot & ~prot_of(w)) == 0;
        if (agrees) continue;
        e.stale = true;
        e.why = describe(w, outside);
        engine_.protect(e.va, e.size, UC_PROT_NONE);
    }
}

} // namespace hostsim::usermode
