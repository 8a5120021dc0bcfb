// The model's own well-formedness. The unit tests run it after every scenario step, so a slip in the model
// shows up as a broken invariant rather than as a disagreement blamed on the kernel.
#include <sstream>

#include "models/caps/model.hpp"

namespace models::caps {

std::vector<std::string> Model::check() const {
    std::vector<std::string> bad;
    auto fail = [&](auto... parts) {
        std::ostringstream os;
        (os << ... << parts);
        bad.push_back(os.str());
    };

    for (const auto& [id, o] : s_.objects) {
        if ((o.type == ObjectType::pd) != (s_.pds.count(id) != 0)) fail("object ", id, ": pd entry mismatch");
        if (o.payer && !s_.pds.count(o.payer)) fail("object ", id, ": payer ", o.payer, " is dead");
        if (o.type == ObjectType::thread) {
            if (!s_.pds.count(o.holder))
                fail("thread ", id, ": its pd is dead");
            else if (s_.pds.at(o.holder).utcbs.count(o.utcb) == 0 ||
                     s_.pds.at(o.holder).utcbs.at(o.utcb) != id)
                fail("thread ", id, ": utcb not mapped");
        }
        for (ObjId ref : {o.pager, o.exception})
            if (ref && type_of(ref) != ObjectType::endpoint) fail("thread ", id, ": dangling endpoint ", ref);
        if (o.bound_to && type_of(o.bound_to) != ObjectType::notification) fail("irq ", id, ": dangling");
    }
    for (const auto& [id, c] : s_.caps) {
        if (!alive(c.object)) fail("cap ", id, ": names dead object ", c.object);
        if (!s_.pds.count(c.pd) || !s_.pds.at(c.pd).slots.count(c.sel) ||
            s_.pds.at(c.pd).slots.at(c.sel) != id)
            fail("cap ", id, ": not in its slot");
        if (c.rights & ~janus::abi::rights::all) fail("cap ", id, ": reserved rights");
        if (c.parent) {
            if (!s_.caps.count(c.parent))
                fail("cap ", id, ": parent missing");
            else if (s_.caps.at(c.parent).object != c.object)
                fail("cap ", id, ": parent names another object");
            else if (!has_rights(s_.caps.at(c.parent).rights, c.rights))
                fail("cap ", id, ": more rights than its parent");
        }
        // Walking up must end: no cycles.
        std::size_t steps = 0;
        for (CapId up = c.parent; up && s_.caps.count(up); up = s_.caps.at(up).parent)
            if (++steps > s_.caps.size()) {
                fail("cap ", id, ": derivation cycle");
                break;
            }
    }
    for (const auto& [id, m] : s_.mappings) {
        if (!s_.pds.count(m.pd) || !s_.pds.at(m.pd).pages.count(m.page) ||
            s_.pds.at(m.pd).pages.at(m.page) != id)
            fail("mapping ", id, ": not in its address space");
        if (m.parent && (!s_.mappings.count(m.parent) || s_.mappings.at(m.parent).frame != m.frame))
            fail("mapping ", id, ": parent missing or another frame");
        else if (m.parent && !has_rights(s_.mappings.at(m.parent).rights, m.rights))
            fail("mapping ", id, ": more rights than its parent");
        if (m.payer && m.payer != m.pd) fail("mapping ", id, ": paid by another pd");
    }
    Word limits = 0;
    for (const auto& [id, p] : s_.pds) {
        limits += p.limit;
        for (const auto& [sel, cap] : p.slots)
            if (!s_.caps.count(cap) || sel == 0 || sel >= slots(id))
                fail("pd ", id, ": slot ", sel, " broken");
        for (const auto& [page, m] : p.pages)
            if (!s_.mappings.count(m) || p.utcbs.count(page)) fail("pd ", id, ": page ", page, " broken");
        if (used(id) > p.limit) fail("pd ", id, ": used ", used(id), " above limit ", p.limit);
        if (p.creator && !s_.pds.count(p.creator)) fail("pd ", id, ": creator dead");
    }
    if (limits != boot_total_) fail("limits sum to ", limits, ", boot total ", boot_total_);
    return bad;
}

} // namespace models::caps
