// Boot state, lookups, quota arithmetic and observers of the capability model.
#include <stdexcept>

#include "models/caps/model.hpp"

namespace models::caps {

namespace abi = janus::abi;

// ---- boot ------------------------------------------------------------------------------------------------

ObjId Model::boot_pd(Word limit, Word used, unsigned cap_order) {
    ObjId id = new_object(ObjectType::pd, 0, 0);
    Pd& pd = s_.pds[id];
    pd.limit = limit;
    pd.fixed = used;
    pd.cap_order = cap_order;
    boot_total_ += limit;
    return id;
}

ObjId Model::boot_thread(ObjId pd, Word utcb, Word prio, Word cpu) {
    ObjId id = new_object(ObjectType::thread, 0, 0);
    s_.objects[id].holder = pd;
    s_.objects[id].utcb = utcb;
    s_.objects[id].prio = prio;
    s_.objects[id].cpu = cpu;
    add_boot_page_tables(pd, utcb);
    s_.pds.at(pd).utcbs[utcb] = id;
    return id;
}

ObjId Model::boot_object(ObjectType type) {
    return new_object(type, 0, 0);
}

void Model::boot_cap(ObjId pd, Word sel, ObjId object, Word rights, Word badge) {
    if (!slot_in_range(pd, sel) || s_.pds.at(pd).slots.count(sel))
        throw std::logic_error("boot_cap: bad slot");
    new_cap(pd, sel, object, rights, badge, 0);
}

void Model::boot_mapping(ObjId pd, Word page, Word frame, Word rights) {
    add_boot_page_tables(pd, page);
    MapId id = s_.next_mapping++;
    s_.mappings[id] = Mapping{pd, page, frame, rights, 0, 0};
    s_.pds.at(pd).pages[page] = id;
}

// ---- helpers ---------------------------------------------------------------------------------------------

ObjId Model::new_object(ObjectType type, ObjId payer, Word charge) {
    ObjId id = s_.next_object++;
    Object& o = s_.objects[id];
    o.type = type;
    o.payer = payer;
    o.charge = charge;
    return id;
}

CapId Model::new_cap(ObjId pd, Word sel, ObjId object, Word rights, Word badge, CapId parent) {
    CapId id = s_.next_cap++;
    s_.caps[id] = Cap{pd, sel, object, rights, badge, parent};
    s_.pds.at(pd).slots[sel] = id;
    return id;
}

bool Model::slot_in_range(ObjId pd, Word sel) const {
    return sel != 0 && sel < slots(pd);
}

const Cap* Model::lookup(ObjId pd, Word sel) const {
    if (!slot_in_range(pd, sel)) return nullptr;
    const auto& table = s_.pds.at(pd).slots;
    auto it = table.find(sel);
    return it == table.end() ? nullptr : &s_.caps.at(it->second);
}

Error Model::check_dest(ObjId pd, Word sel) const {
    if (!slot_in_range(pd, sel)) return Error::bad_selector;
    if (s_.pds.at(pd).slots.count(sel)) return Error::slot_occupied;
    return Error::ok;
}

Error Model::check_pay(const std::map<ObjId, Word>& bill) const {
    for (const auto& [pd, bytes] : bill)
        if (bytes > limit(pd) - used(pd)) return Error::quota_exhausted;
    return Error::ok;
}

/// The page-table pages below the top level that mapping `pages` in `pd` would add: one per level (3: PDPT
/// covering 512 GiB, 2: page directory covering 1 GiB, 1: page table covering 2 MiB). None without the
/// memory side.
std::set<std::pair<int, Word>> Model::new_page_tables(ObjId pd, const std::vector<Word>& pages) const {
    std::set<std::pair<int, Word>> out;
    if (!config_.memory) return out;
    const Pd& p = s_.pds.at(pd);
    for (Word page : pages)
        for (auto key : {std::pair<int, Word>{3, page >> 39}, {2, page >> 30}, {1, page >> 21}})
            if (!p.page_tables.count(key) && !p.boot_page_tables.count(key)) out.insert(key);
    return out;
}

void Model::add_boot_page_tables(ObjId pd, Word page) {
    for (auto key : new_page_tables(pd, {page})) s_.pds.at(pd).boot_page_tables.insert(key);
}

void Model::add_page_tables(ObjId pd, const std::vector<Word>& pages) {
    for (auto key : new_page_tables(pd, pages)) s_.pds.at(pd).page_tables.insert(key);
}

std::vector<CapId> Model::children(CapId cap) const {
    std::vector<CapId> out;
    for (const auto& [id, c] : s_.caps)
        if (c.parent == cap) out.push_back(id);
    return out;
}

std::vector<CapId> Model::descendants(CapId cap) const {
    std::vector<CapId> out;
    for (CapId child : children(cap)) {
        out.push_back(child);
        for (CapId d : descendants(child)) out.push_back(d);
    }
    return out;
}

std::vector<MapId> Model::children_of_mapping(MapId mapping) const {
    std::vector<MapId> out;
    for (const auto& [id, m] : s_.mappings)
        if (m.parent == mapping) out.push_back(id);
    return out;
}

// ---- observers -------------------------------------------------------------------------------------------

ObjectType Model::type_of(ObjId object) const {
    auto it = s_.objects.find(object);
    return it == s_.objects.end() ? ObjectType::none : it->second.type;
}

ObjId Model::pd_of_thread(ObjId thread) const {
    return s_.objects.at(thread).holder;
}

Word Model::slots(ObjId pd) const {
    return Word{1} << s_.pds.at(pd).cap_order;
}

Word Model::limit(ObjId pd) const {
    return s_.pds.at(pd).limit;
}

Word Model::used(ObjId pd) const {
    const Pd& p = s_.pds.at(pd);
    Word total = p.fixed + abi::charge::page_table * p.page_tables.size();
    for (const auto& [id, o] : s_.objects)
        if (o.payer == pd) total += o.charge;
    for (const auto& [id, m] : s_.mappings)
        if (m.payer == pd) total += abi::charge::mapping;
    return total;
}

std::optional<CapView> Model::cap_at(ObjId pd, Word sel) const {
    const Cap* c = lookup(pd, sel);
    if (!c) return std::nullopt;
    return CapView{type_of(c->object), c->rights, c->badge, c->object};
}

std::map<Word, CapView> Model::cspace(ObjId pd) const {
    std::map<Word, CapView> out;
    for (const auto& [sel, id] : s_.pds.at(pd).slots) out[sel] = *cap_at(pd, sel);
    return out;
}

std::map<Word, PageView> Model::address_space(ObjId pd) const {
    PageList pages;
    address_space(pd, pages);
    return {pages.begin(), pages.end()};
}

void Model::address_space(ObjId pd, PageList& out) const {
    out.clear();
    for (const auto& [page, id] : s_.pds.at(pd).pages) {
        const Mapping& m = s_.mappings.at(id);
        out.emplace_back(page, PageView{m.frame, m.rights});
    }
}

std::vector<ObjId> Model::live(ObjectType type) const {
    std::vector<ObjId> out;
    for (const auto& [id, o] : s_.objects)
        if (o.type == type) out.push_back(id);
    return out;
}

} // namespace models::caps
