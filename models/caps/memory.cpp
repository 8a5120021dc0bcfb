// Memory delegation: mem_map copies (or with grant moves) the caller's pages named by a flexpage into another
// address space; mem_unmap removes everything derived from the caller's pages. One mapping-database node per
// 4 KiB page, paid for by the PD that holds it.
#include "models/caps/model.hpp"

namespace models::caps {

namespace abi = janus::abi;
namespace fp = janus::abi::fpage;
namespace r = janus::abi::rights;

namespace {

/// The flexpage's form: order in range, reserved bits clear, base aligned to its size.
bool well_formed(Word f) {
    unsigned order = fp::order(f);
    if (order < fp::min_order || order > fp::max_order) return false;
    if (f & fp::reserved_mask) return false;
    return fp::base(f) % (Word{1} << order) == 0;
}

std::vector<Word> pages_of(Word base, Word size) {
    std::vector<Word> out;
    for (Word off = 0; off < size; off += page_size) out.push_back(base + off);
    return out;
}

} // namespace

Error Model::mem_map(ObjId caller, Word src, Word pd, Word dest, Word flags) {
    ObjId me = pd_of_thread(caller);
    if (!well_formed(src)) return Error::bad_flexpage;
    if (flags & ~abi::map_grant) return Error::invalid_argument;
    const Cap* p = lookup(me, pd);
    if (!p) return Error::bad_selector;
    if (type_of(p->object) != ObjectType::pd) return Error::wrong_type;
    if (!has_rights(p->rights, r::control)) return Error::missing_rights;

    Word size = Word{1} << fp::order(src);
    Word base = fp::base(src);
    if (base >= abi::user_end || size > abi::user_end - base) return Error::bad_address;
    if (dest % page_size != 0 || dest >= abi::user_end || size > abi::user_end - dest)
        return Error::bad_address;
    ObjId target = p->object;
    const Pd& mine = s_.pds.at(me);
    const Pd& theirs = s_.pds.at(target);
    std::vector<Word> from = pages_of(base, size), to = pages_of(dest, size);
    for (Word page : from)
        if (!mine.pages.count(page) && !mine.utcbs.count(page)) return Error::not_mapped;
    Word wanted = fp::rights(src);
    for (Word page : from) {
        if (mine.utcbs.count(page)) return Error::missing_rights; // a UTCB is not delegable
        Word have = s_.mappings.at(mine.pages.at(page)).rights;
        if (!has_rights(have, r::grant | wanted)) return Error::missing_rights;
    }
    for (Word page : to)
        if (theirs.pages.count(page) || theirs.utcbs.count(page)) return Error::mapping_conflict;
    Word bill =
        abi::charge::mapping * to.size() + abi::charge::page_table * new_page_tables(target, to).size();
    if (Error e = check_pay({{target, bill}}); e != Error::ok) return e;

    add_page_tables(target, to);
    bool move = flags & abi::map_grant;
    for (std::size_t i = 0; i < from.size(); ++i) {
        MapId source = s_.pds.at(me).pages.at(from[i]);
        Mapping& m = s_.mappings.at(source);
        Word rights = wanted | (m.rights & r::grant);
        if (move) {
            s_.pds.at(me).pages.erase(from[i]);
            m.pd = target;
            m.page = to[i];
            m.rights = rights;
            m.payer = target;
            s_.pds.at(target).pages[to[i]] = source;
            // Everything derived from the moved page loses the rights it lost (as cap_grant).
            std::vector<MapId> below = children_of_mapping(source);
            while (!below.empty()) {
                MapId d = below.back();
                below.pop_back();
                s_.mappings.at(d).rights &= rights;
                for (MapId c : children_of_mapping(d)) below.push_back(c);
            }
        } else {
            MapId id = s_.next_mapping++;
            s_.mappings[id] = Mapping{target, to[i], m.frame, rights, source, target};
            s_.pds.at(target).pages[to[i]] = id;
        }
    }
    return Error::ok;
}

Error Model::mmio_map(ObjId caller, Word mmio, Word pd, Word vaddr, Word offset, Word count, Word rights) {
    ObjId me = pd_of_thread(caller);
    // Stage 1: read is needed, write and grant may come with it, nothing else; at least one page.
    if ((rights & ~abi::mmio_map_rights) || !(rights & r::read) || count == 0) return Error::invalid_argument;
    const Cap* d = lookup(me, mmio);
    if (!d) return Error::bad_selector;
    const Cap* p = lookup(me, pd);
    if (!p) return Error::bad_selector;
    if (type_of(d->object) != ObjectType::mmio || type_of(p->object) != ObjectType::pd)
        return Error::wrong_type;
    if (!has_rights(d->rights, rights) || !has_rights(p->rights, r::control)) return Error::missing_rights;
    const Object& device = s_.objects.at(d->object);
    if (offset >= device.count || count > device.count - offset) return Error::invalid_argument;
    const Word size = count * page_size; // count <= the object's pages: no overflow
    if (vaddr % page_size != 0 || vaddr >= abi::user_end || size > abi::user_end - vaddr)
        return Error::bad_address;
    const ObjId target = p->object;
    const Pd& theirs = s_.pds.at(target);
    const std::vector<Word> to = pages_of(vaddr, size);
    for (Word page : to)
        if (theirs.pages.count(page) || theirs.utcbs.count(page)) return Error::mapping_conflict;
    Word bill =
        abi::charge::mapping * to.size() + abi::charge::page_table * new_page_tables(target, to).size();
    if (Error e = check_pay({{target, bill}}); e != Error::ok) return e;

    add_page_tables(target, to);
    for (std::size_t i = 0; i < to.size(); ++i) {
        MapId id = s_.next_mapping++;
        s_.mappings[id] =
            Mapping{target, to[i], device.first + (offset + i) * page_size, rights, 0, target, d->object};
        s_.pds.at(target).pages[to[i]] = id;
    }
    return Error::ok;
}

Error Model::mem_unmap(ObjId caller, Word fpage, Word flags) {
    ObjId me = pd_of_thread(caller);
    if (!well_formed(fpage) || fp::rights(fpage) != 0) return Error::bad_flexpage;
    if (flags & ~abi::unmap_self) return Error::invalid_argument;
    Word size = Word{1} << fp::order(fpage);
    Word base = fp::base(fpage);
    if (base >= abi::user_end || size > abi::user_end - base) return Error::bad_address;

    for (Word page : pages_of(base, size)) {
        auto it = s_.pds.at(me).pages.find(page);
        if (it == s_.pds.at(me).pages.end()) continue;
        MapId id = it->second;
        for (MapId child : children_of_mapping(id)) remove_mapping(child);
        if (flags & abi::unmap_self) remove_mapping(id);
    }
    return Error::ok;
}

} // namespace models::caps
