// The page table and the address-space model driven side by side, one operation at a time, with every check
// the model allows: results and errors, the translation at probe addresses (kernel lookup and independent
// walker), the flush report against the translations that went stale, out-of-memory leaving no trace, and
// the tree's soundness. Shared by the RapidCheck state machine (proptest/) and the fuzzer (fuzz/).
// Each operation returns an empty string when everything agrees, else what went wrong.
#pragma once

#include <sstream>
#include <string>

#include "kernel/mem/testing/page_table_world.hpp"

namespace kernel::mem::testing {

class Oracle {
public:
    /// `table_pages` of fake memory for page-table pages; `random_probes` extra probe addresses per
    /// operation.
    explicit Oracle(std::size_t table_pages = 1024, unsigned random_probes = 24)
        : w_(table_pages), random_probes_(random_probes) {}

    World& world() { return w_; }

    /// Map; `fail_at` > 0 makes that allocation of the operation fail first (then the operation is retried
    /// with memory available, so its effect is the model's).
    std::string map(models::AddressSpace& model, VirtAddr va, PhysAddr pa, std::uint64_t bytes, PageSize size,
                    const Attributes& a, std::uint64_t fail_at = 0) {
        const models::AddressSpace before = model;
        const models::Outcome expect =
            model.map(va, pa, bytes, bytes_of(size), to_model(a.rights), to_model(a.cache), a.global);
        return finish(before, model, expect, va, bytes, fail_at,
                      [&] { return w_.pt.map(va, pa, bytes, size, a, w_.cleanup); });
    }

    std::string unmap(models::AddressSpace& model, VirtAddr va, std::uint64_t bytes) {
        const models::AddressSpace before = model;
        const models::Outcome expect = model.unmap(va, bytes);
        const std::uint64_t calls = w_.alloc.calls;
        w_.alloc.fail_in(1); // unmap must not allocate: any attempt would fail and show
        std::string r =
            finish(before, model, expect, va, bytes, 0, [&] { return w_.pt.unmap(va, bytes, w_.cleanup); });
        w_.alloc.fail_in(0);
        if (r.empty() && w_.alloc.calls != calls) r = "unmap allocated";
        return r;
    }

    std::string protect(models::AddressSpace& model, VirtAddr va, std::uint64_t bytes, const Rights& rights,
                        std::uint64_t fail_at = 0) {
        const models::AddressSpace before = model;
        const models::Outcome expect = model.protect(va, bytes, to_model(rights));
        return finish(before, model, expect, va, bytes, fail_at,
                      [&] { return w_.pt.protect(va, bytes, rights, w_.cleanup); });
    }

    std::string lookup(const models::AddressSpace& model, VirtAddr va) {
        std::string r = lookup_matches(w_.pt.lookup(va), model.lookup(va), va);
        if (r.empty()) r = walk_matches(w_.walk(va), model.lookup(va), va);
        return r.empty() ? r : where(va) + r;
    }

private:
    static std::string where(VirtAddr va) {
        std::ostringstream s;
        s << "at " << std::hex << "0x" << va << ": ";
        return s.str();
    }

    static std::optional<models::Error> model_error(MapError e) {
        switch (e) {
        case MapError::misaligned:
            return models::Error::misaligned;
        case MapError::bad_range:
            return models::Error::bad_range;
        case MapError::bad_frame:
            return models::Error::bad_frame;
        case MapError::out_of_memory:
            return std::nullopt;
        }
        return std::nullopt;
    }

    // A translation at `va` went stale: it was there and is now gone, elsewhere or less permissive.
    static bool stale(const models::AddressSpace& before, const models::AddressSpace& after, VirtAddr va) {
        auto b = before.lookup(va), a = after.lookup(va);
        if (!b) return false;
        if (!a) return true;
        const models::Mapping &x = b->mapping, &y = a->mapping;
        if (x.frame + (va - b->page) != y.frame + (va - a->page) || x.cache != y.cache ||
            x.global != y.global)
            return true;
        return x.rights.user != y.rights.user || (x.rights.write && !y.rights.write) ||
               (x.rights.execute && !y.rights.execute);
    }

    template <typename Op>
    std::string finish(const models::AddressSpace& before, models::AddressSpace& model,
                       const models::Outcome& expect, VirtAddr va, std::uint64_t bytes, std::uint64_t fail_at,
                       Op op) {
        std::vector<VirtAddr> at = bytes ? probes(va, bytes, random_probes_, static_cast<unsigned>(va >> 12))
                                         : std::vector<VirtAddr>{va};
        if (fail_at) w_.alloc.fail_in(fail_at);
        std::optional<decltype(op())> result; // Result is move-constructible only
        result.emplace(op());
        w_.alloc.fail_in(0);
        if (!result->ok() && result->error() == MapError::out_of_memory) {
            // Nothing may have changed: every probe as before, nothing retired, nothing leaked.
            if (!w_.cleanup.tables.empty() || !w_.cleanup.frames.empty())
                return "out of memory, yet retired something";
            for (VirtAddr p : at) {
                std::string m = lookup_matches(w_.pt.lookup(p), before.lookup(p), p, false);
                if (m.empty()) m = walk_matches(w_.walk(p), before.lookup(p), p, false);
                if (!m.empty()) return "after out of memory " + where(p) + m;
            }
            if (std::string a = w_.audit(); !a.empty()) return "after out of memory: " + a;
            result.reset();
            result.emplace(op()); // with memory available again
            if (!result->ok() && result->error() == MapError::out_of_memory) {
                model = before; // the fake's table memory is really exhausted: no change, as checked above
                return {};
            }
        }
        auto& r = *result;
        if (expect.error || !r.ok()) {
            if (r.ok()) return "succeeded where the model refuses";
            if (!expect.error) return "refused where the model succeeds";
            if (model_error(r.error()) != expect.error) return "refused for another reason than the model";
            return w_.cleanup.tables.empty() && w_.cleanup.frames.empty() ? ""
                                                                          : "refused, yet retired something";
        }
        const Flush flush = r.value();
        // The TLB rule: every stale translation is covered; a flush without one needs a retired table.
        for (VirtAddr p : at) {
            if (!stale(before, model, p)) continue;
            if (flush.kind == Flush::Kind::none ||
                (flush.kind == Flush::Kind::range && (p < flush.start || p >= flush.end)))
                return where(p) + "a stale translation is not flushed";
        }
        if (expect.needs_flush && flush.kind == Flush::Kind::none)
            return "no flush, but the model says one is due";
        if (!expect.needs_flush && flush.kind != Flush::Kind::none && w_.cleanup.tables.empty())
            return "a flush nothing needs";
        for (VirtAddr p : at)
            if (std::string m = lookup(model, p); !m.empty()) return m;
        if (std::string a = w_.audit(); !a.empty()) return a;
        // The shootdown happened: retired tables go back to the allocator (and are scribbled over).
        for (PhysAddr t : w_.cleanup.tables) w_.alloc.give_back(t);
        w_.cleanup = RecordingCleanup{};
        return {};
    }

    World w_;
    unsigned random_probes_;
};

} // namespace kernel::mem::testing
