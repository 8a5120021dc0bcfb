// Object lifetimes: deleting a capability deletes everything derived from it first; an object dies with its
// last capability; a PD takes with it every object it paid for, its threads, its capability space and its
// mappings (with everything derived from them), and hands its quota limit back to its creator.
// Charges need no refunds here: Model::used() recomputes them from what is alive.
#include "models/caps/model.hpp"

namespace models::caps {

void Model::delete_cap(CapId cap) {
    if (!s_.caps.count(cap)) return;
    for (CapId child : children(cap)) delete_cap(child);
    if (!s_.caps.count(cap)) return;
    Cap c = s_.caps.at(cap);
    s_.pds.at(c.pd).slots.erase(c.sel);
    s_.caps.erase(cap);
    if (!alive(c.object)) return;
    for (const auto& [id, other] : s_.caps)
        if (other.object == c.object) return;
    destroy(c.object);
}

void Model::remove_mapping(MapId mapping) {
    if (!s_.mappings.count(mapping)) return;
    for (MapId child : children_of_mapping(mapping)) remove_mapping(child);
    const Mapping& m = s_.mappings.at(mapping);
    s_.pds.at(m.pd).pages.erase(m.page);
    s_.mappings.erase(mapping);
}

void Model::destroy(ObjId object) {
    auto it = s_.objects.find(object);
    if (it == s_.objects.end()) return;
    Object o = it->second;
    s_.objects.erase(it); // dead from here on: nothing below can destroy it twice

    std::vector<CapId> naming;
    for (const auto& [id, c] : s_.caps)
        if (c.object == object) naming.push_back(id);
    for (CapId c : naming) delete_cap(c);

    switch (o.type) {
    case ObjectType::pd: {
        std::vector<ObjId> owned;
        for (const auto& [id, x] : s_.objects)
            if (x.payer == object || (x.type == ObjectType::thread && x.holder == object))
                owned.push_back(id);
        for (ObjId x : owned) destroy(x);
        std::vector<CapId> held;
        for (const auto& [sel, id] : s_.pds.at(object).slots) held.push_back(id);
        for (CapId c : held) delete_cap(c);
        std::vector<MapId> pages;
        for (const auto& [page, id] : s_.pds.at(object).pages) pages.push_back(id);
        for (MapId m : pages) remove_mapping(m);
        // Mapping nodes it paid for elsewhere cannot exist: a node is paid for by the PD that holds it.
        Pd gone = s_.pds.at(object);
        s_.pds.erase(object);
        if (s_.pds.count(gone.creator)) s_.pds.at(gone.creator).limit += gone.limit;
        break;
    }
    case ObjectType::thread:
        if (s_.pds.count(o.holder)) s_.pds.at(o.holder).utcbs.erase(o.utcb);
        break;
    case ObjectType::endpoint:
        for (auto& [id, x] : s_.objects) {
            if (x.pager == object) x.pager = 0, x.pager_badge = 0;
            if (x.exception == object) x.exception = 0, x.exception_badge = 0;
        }
        break;
    case ObjectType::notification:
        for (auto& [id, x] : s_.objects)
            if (x.bound_to == object) x.bound_to = 0, x.bit = 0;
        break;
    case ObjectType::mmio: {
        // Every mapping mmio_map made from it goes, with everything derived from those.
        std::vector<MapId> roots;
        for (const auto& [id, m] : s_.mappings)
            if (m.device == object) roots.push_back(id);
        for (MapId m : roots) remove_mapping(m);
        break;
    }
    default:
        break;
    }
}

} // namespace models::caps
