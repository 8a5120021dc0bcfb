#include "kernel/mem/testing/page_table_history.hpp"

#include <cstdio>

#include "kernel/mem/testing/page_table_world.hpp"

namespace kernel::mem::testing::lin {
namespace {

std::uint64_t piece_bytes(const Call& c) {
    return c.kind == OpKind::protect ? bytes_of(PageSize::size_4k) : bytes_of(c.size);
}

bool covers(const Flush& f, VirtAddr start, VirtAddr end) {
    if (f.kind == Flush::Kind::all) return true;
    return f.kind == Flush::Kind::range && f.start <= start && end <= f.end;
}

// The kernel's update answer against the model's outcome for one piece.
bool update_fits(const models::Outcome& expect, const Event& e, const Piece& p) {
    if (expect.error || e.answer.error) return false; // the programs make valid calls only
    return !expect.needs_flush || covers(e.answer.flush, p.va, p.va + p.bytes);
}

// Cuts mapping `f` into pieces of the next smaller size with the same translation. The model's own cut is
// private; a map of the same translation in smaller pages is the same cut.
void cut(models::AddressSpace& model, const models::Found& f) {
    const models::Mapping& m = f.mapping;
    const std::uint64_t smaller =
        m.size == bytes_of(PageSize::size_1g) ? bytes_of(PageSize::size_2m) : bytes_of(PageSize::size_4k);
    model.map(f.page, m.frame, m.size, smaller, m.rights, m.cache, m.global);
}

// What map's phase 1 does for a page of `size` at `va`: the mapping around it is cut until it fits.
void cut_to_fit(models::AddressSpace& model, VirtAddr va, std::uint64_t size) {
    for (std::optional<models::Found> f; (f = model.lookup(va)) && f->mapping.size > size;) cut(model, *f);
}

// What protect's phase 1 does for an end of its range: the mapping around it is cut until one starts there.
void cut_at(models::AddressSpace& model, VirtAddr boundary) {
    for (std::optional<models::Found> f; (f = model.lookup(boundary)) && f->page != boundary;) cut(model, *f);
}

Cache from_model(models::Cache c) {
    switch (c) {
    case models::Cache::write_back:
        return Cache::write_back;
    case models::Cache::write_combining:
        return Cache::write_combining;
    case models::Cache::uncached:
        return Cache::uncached;
    }
    return Cache::write_back;
}

std::string relative(char name, std::uint64_t a, std::uint64_t base) {
    char s[40];
    if (a >= base)
        std::snprintf(s, sizeof s, "%c+%#llx", name, static_cast<unsigned long long>(a - base));
    else
        std::snprintf(s, sizeof s, "%c-%#llx", name, static_cast<unsigned long long>(base - a));
    return s;
}
std::string at(VirtAddr va) {
    return relative('W', va, window);
}
std::string phys(PhysAddr pa) {
    return relative('P', pa, phys_base);
}

std::string bytes_text(std::uint64_t b) {
    char s[24];
    if (b % (1ull << 30) == 0)
        std::snprintf(s, sizeof s, "%lluG", static_cast<unsigned long long>(b >> 30));
    else if (b % (1ull << 20) == 0)
        std::snprintf(s, sizeof s, "%lluM", static_cast<unsigned long long>(b >> 20));
    else
        std::snprintf(s, sizeof s, "%lluK", static_cast<unsigned long long>(b >> 10));
    return s;
}

std::string rights_text(const Rights& r) {
    std::string s = "r";
    s += r.write ? 'w' : '-';
    s += r.execute ? 'x' : '-';
    if (r.user) s += 'u';
    return s;
}

const char* cache_text(Cache c) {
    return c == Cache::write_back ? "wb" : c == Cache::write_combining ? "wc" : "uc";
}

std::string flush_text(const Flush& f) {
    if (f.kind == Flush::Kind::none) return "no flush";
    if (f.kind == Flush::Kind::all) return "flush all";
    return "flush [" + at(f.start) + ", " + at(f.end) + ")";
}

} // namespace

std::vector<Piece> pieces_of(const std::vector<Event>& events) {
    std::vector<Piece> out;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const Call& c = events[i].call;
        if (c.kind == OpKind::lookup || c.kind == OpKind::translate) {
            out.push_back({i, c.va, 0, 0});
            continue;
        }
        if (c.kind != OpKind::unmap) out.push_back({i, c.va, c.bytes, c.pa, true});
        const std::uint64_t step = piece_bytes(c);
        for (std::uint64_t off = 0; off < c.bytes; off += step)
            out.push_back({i, c.va + off, step, c.pa + off});
    }
    return out;
}

bool apply(models::AddressSpace& model, const Event& e, const Piece& p) {
    const Call& c = e.call;
    if (p.split) {
        if (c.kind == OpKind::map) {
            for (std::uint64_t off = 0; off < c.bytes; off += bytes_of(c.size))
                cut_to_fit(model, c.va + off, bytes_of(c.size));
        } else {
            for (VirtAddr boundary : {c.va, c.va + c.bytes}) cut_at(model, boundary);
        }
        return true;
    }
    switch (c.kind) {
    case OpKind::map:
        return update_fits(model.map(p.va, p.pa, p.bytes, p.bytes, to_model(c.attributes.rights),
                                     to_model(c.attributes.cache), c.attributes.global),
                           e, p);
    case OpKind::unmap:
        return update_fits(model.unmap(p.va, p.bytes), e, p);
    case OpKind::protect:
        return update_fits(model.protect(p.va, p.bytes, to_model(c.rights)), e, p);
    case OpKind::lookup:
        return lookup_matches(e.answer.found, model.lookup(c.va), c.va, false).empty();
    case OpKind::translate: {
        const std::optional<models::Found> f = model.lookup(c.va);
        const std::optional<std::uint64_t> want =
            f ? std::optional<std::uint64_t>(f->mapping.frame + (c.va - f->page)) : std::nullopt;
        return want == e.answer.phys;
    }
    }
    return false;
}

void apply_call(models::AddressSpace& model, const Call& c) {
    Event e;
    e.call = c;
    e.answer.flush = Flush{Flush::Kind::all, 0, 0};
    for (const Piece& p : pieces_of({e})) apply(model, e, p);
}

void add_run(std::vector<Run>& runs, const Run& r) {
    if (!runs.empty()) {
        Run& last = runs.back();
        if (last.end == r.start && last.phys + (last.end - last.start) == r.phys && last.rights == r.rights &&
            last.cache == r.cache && last.global == r.global && last.page_size == r.page_size) {
            last.end = r.end;
            return;
        }
    }
    runs.push_back(r);
}

std::vector<Run> runs_of(const models::AddressSpace& model) {
    std::vector<Run> runs;
    for (const auto& [page, m] : model.pages())
        add_run(runs,
                Run{page, page + m.size, m.frame, Rights{m.rights.write, m.rights.execute, m.rights.user},
                    from_model(m.cache), m.global, m.size});
    return runs;
}

std::string state_key(const models::AddressSpace& model) {
    // Pages as (first, count, size, frame, attributes) runs of equal-sized contiguous pieces: a split 1 GiB
    // page is one run, not 512 entries.
    struct Key {
        std::uint64_t first, end, size, frame;
        std::uint8_t attrs;
    };
    std::vector<Key> keys;
    for (const auto& [page, m] : model.pages()) {
        const std::uint8_t attrs =
            static_cast<std::uint8_t>(m.rights.write | m.rights.execute << 1 | m.rights.user << 2 |
                                      m.global << 3 | static_cast<unsigned>(m.cache) << 4);
        if (!keys.empty()) {
            Key& k = keys.back();
            if (k.end == page && k.size == m.size && k.attrs == attrs &&
                k.frame + (page - k.first) == m.frame) {
                k.end = page + m.size;
                continue;
            }
        }
        keys.push_back({page, page + m.size, m.size, m.frame, attrs});
    }
    std::string s;
    for (const Key& k : keys) {
        s.append(reinterpret_cast<const char*>(&k.first), 32);
        s.push_back(static_cast<char>(k.attrs));
    }
    return s;
}

std::string describe(const Call& c) {
    switch (c.kind) {
    case OpKind::map:
        return "map " + at(c.va) + " +" + bytes_text(c.bytes) + " in " + bytes_text(bytes_of(c.size)) +
               " pages -> " + phys(c.pa) + " " + rights_text(c.attributes.rights) + " " +
               cache_text(c.attributes.cache);
    case OpKind::unmap:
        return "unmap " + at(c.va) + " +" + bytes_text(c.bytes);
    case OpKind::protect:
        return "protect " + at(c.va) + " +" + bytes_text(c.bytes) + " " + rights_text(c.rights);
    case OpKind::lookup:
        return "lookup " + at(c.va);
    case OpKind::translate:
        return "translate " + at(c.va) + " (through the TLB)";
    }
    return "?";
}

std::string describe(const Answer& a, const Call& c) {
    switch (c.kind) {
    case OpKind::map:
    case OpKind::unmap:
    case OpKind::protect:
        if (a.error) return "error " + std::to_string(static_cast<int>(*a.error));
        return "ok, " + flush_text(a.flush);
    case OpKind::lookup:
        if (!a.found) return "nothing";
        return phys(a.found->frame + (c.va - a.found->page)) + " in a " +
               bytes_text(bytes_of(a.found->size)) + " page " + rights_text(a.found->attributes.rights) +
               " " + cache_text(a.found->attributes.cache);
    case OpKind::translate:
        return a.phys ? phys(*a.phys) : std::string("page fault");
    }
    return "?";
}

std::string describe(const std::vector<Run>& runs) {
    if (runs.empty()) return "    (nothing mapped)\n";
    std::string s;
    for (const Run& r : runs)
        s += "    [" + at(r.start) + ", " + at(r.end) + ") -> " + phys(r.phys) + " " + rights_text(r.rights) +
             " " + cache_text(r.cache) + (r.global ? " global" : "") + " in " + bytes_text(r.page_size) +
             " pages\n";
    return s;
}

} // namespace kernel::mem::testing::lin
