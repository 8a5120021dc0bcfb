// The capability syscalls. Each checks in the documented stage order (README.md: decode, selectors, types,
// rights, state-dependent arguments, destination slot, addresses, quota) and changes the state only after
// every check passed.
#include <algorithm>
#include <stdexcept>
#include <utility>

#include "models/caps/model.hpp"

namespace models::caps {

namespace abi = janus::abi;
namespace r = janus::abi::rights;

bool Model::models(Word number) {
    switch (abi::Syscall(number)) {
    case abi::Syscall::pd_create:
    case abi::Syscall::thread_create:
    case abi::Syscall::thread_configure:
    case abi::Syscall::endpoint_create:
    case abi::Syscall::notification_create:
    case abi::Syscall::irq_create:
    case abi::Syscall::irq_bind:
    case abi::Syscall::io_create:
    case abi::Syscall::mmio_create:
    case abi::Syscall::mmio_map:
    case abi::Syscall::cap_copy:
    case abi::Syscall::cap_grant:
    case abi::Syscall::cap_revoke:
    case abi::Syscall::cap_delete:
    case abi::Syscall::cap_info:
    case abi::Syscall::mem_map:
    case abi::Syscall::mem_unmap:
    case abi::Syscall::pd_quota:
        return true;
    default:
        return false;
    }
}

Outcome Model::syscall(ObjId caller, Word number, const Args& a) {
    if (type_of(caller) != ObjectType::thread)
        throw std::logic_error("syscall: the caller is not a live thread");
    Outcome out;
    out.regs = {a[0], a[1], a[2]}; // registers are preserved unless the call succeeds with results
    Word type = 0, rights = 0, badge = 0, lim = 0, use = 0;
    switch (number) {
    case Word(abi::Syscall::pd_create):
        out.status = pd_create(caller, a[0], a[1], a[2]);
        break;
    case Word(abi::Syscall::thread_create):
        out.status = thread_create(caller, a[0], a[1], a[2], a[3], a[4]);
        break;
    case Word(abi::Syscall::thread_configure):
        out.status = thread_configure(caller, a[0], a[1], a[2]);
        break;
    case Word(abi::Syscall::endpoint_create):
        out.status = endpoint_create(caller, a[0]);
        break;
    case Word(abi::Syscall::notification_create):
        out.status = notification_create(caller, a[0]);
        break;
    case Word(abi::Syscall::irq_create):
        out.status = irq_create(caller, a[0], a[1], a[2]);
        break;
    case Word(abi::Syscall::irq_bind):
        out.status = irq_bind(caller, a[0], a[1], a[2]);
        break;
    case Word(abi::Syscall::io_create):
        out.status = io_create(caller, a[0], a[1], a[2], a[3]);
        break;
    case Word(abi::Syscall::mmio_create):
        out.status = mmio_create(caller, a[0], a[1], a[2], a[3], a[4]);
        break;
    case Word(abi::Syscall::mmio_map):
        out.status = mmio_map(caller, a[0], a[1], a[2], a[3], a[4], a[5]);
        break;
    case Word(abi::Syscall::cap_copy):
        out.status = cap_copy(caller, a[0], a[1], a[2], a[3], a[4]);
        break;
    case Word(abi::Syscall::cap_grant):
        out.status = cap_grant(caller, a[0], a[1], a[2], a[3]);
        break;
    case Word(abi::Syscall::cap_revoke):
        out.status = cap_revoke(caller, a[0]);
        break;
    case Word(abi::Syscall::cap_delete):
        out.status = cap_delete(caller, a[0]);
        break;
    case Word(abi::Syscall::cap_info):
        out.status = cap_info(caller, a[0], type, rights, badge);
        if (out.status == Error::ok) out.regs = {type, rights, badge};
        break;
    case Word(abi::Syscall::mem_map):
        out.status = mem_map(caller, a[0], a[1], a[2], a[3]);
        break;
    case Word(abi::Syscall::mem_unmap):
        out.status = mem_unmap(caller, a[0], a[1]);
        break;
    case Word(abi::Syscall::pd_quota):
        out.status = pd_quota(caller, lim, use);
        if (out.status == Error::ok) out.regs = {lim, use, a[2]};
        break;
    default:
        // Syscalls of the spec this model does not describe (IPC, scheduling: other models) are not guessed.
        if (abi::find(number)) throw std::logic_error("syscall not in the capability model");
        out.status = Error::bad_syscall;
        break;
    }
    return out;
}

// ---- creation --------------------------------------------------------------------------------------------

Error Model::pd_create(ObjId caller, Word dest, Word quota, Word cap_order) {
    ObjId me = pd_of_thread(caller);
    if (cap_order < 4 || cap_order > 12) return Error::invalid_argument;
    if (Error e = check_dest(me, dest); e != Error::ok) return e;
    // The caller pays the PD, its slots and its top-level page table, and moves `quota` of its limit to it.
    Word charge = abi::charge::pd + (abi::charge::cap_slot << cap_order) + abi::charge::page_table;
    Word free = limit(me) - used(me);
    if (quota > free || charge > free - quota) return Error::quota_exhausted;

    ObjId id = new_object(ObjectType::pd, me, charge);
    Pd& pd = s_.pds[id];
    pd.creator = me;
    pd.limit = quota;
    pd.cap_order = static_cast<unsigned>(cap_order);
    s_.pds.at(me).limit -= quota;
    new_cap(me, dest, id, r::all, 0, 0);
    return Error::ok;
}

Error Model::thread_create(ObjId caller, Word dest, Word pd, Word utcb, Word prio, Word cpu) {
    ObjId me = pd_of_thread(caller);
    if (prio > 255 || cpu >= config_.cpus) return Error::invalid_argument;
    const Cap* target = lookup(me, pd);
    if (!target) return Error::bad_selector;
    if (type_of(target->object) != ObjectType::pd) return Error::wrong_type;
    if (!has_rights(target->rights, r::control)) return Error::missing_rights;
    if (Error e = check_dest(me, dest); e != Error::ok) return e;
    if (utcb % page_size != 0 || utcb >= abi::user_end) return Error::bad_address;
    ObjId home = target->object;
    const Pd& h = s_.pds.at(home);
    if (h.pages.count(utcb) || h.utcbs.count(utcb)) return Error::mapping_conflict;
    Word charge = abi::charge::thread + abi::charge::utcb + abi::charge::extended_state + abi::charge::reply;
    std::map<ObjId, Word> bill;
    bill[me] += charge;
    bill[home] += abi::charge::page_table * new_page_tables(home, {utcb}).size();
    if (Error e = check_pay(bill); e != Error::ok) return e;

    ObjId id = new_object(ObjectType::thread, me, charge);
    Object& t = s_.objects.at(id);
    t.holder = home;
    t.utcb = utcb;
    t.prio = prio;
    t.cpu = cpu;
    add_page_tables(home, {utcb});
    s_.pds.at(home).utcbs[utcb] = id;
    new_cap(me, dest, id, r::all, 0, 0);
    return Error::ok;
}

Error Model::thread_configure(ObjId caller, Word thread, Word pager, Word exception) {
    ObjId me = pd_of_thread(caller);
    const Cap* t = lookup(me, thread);
    if (!t) return Error::bad_selector;
    const Cap* p = pager ? lookup(me, pager) : nullptr;
    if (pager && !p) return Error::bad_selector;
    const Cap* x = exception ? lookup(me, exception) : nullptr;
    if (exception && !x) return Error::bad_selector;
    if (type_of(t->object) != ObjectType::thread) return Error::wrong_type;
    if (p && type_of(p->object) != ObjectType::endpoint) return Error::wrong_type;
    if (x && type_of(x->object) != ObjectType::endpoint) return Error::wrong_type;
    if (!has_rights(t->rights, r::control)) return Error::missing_rights;

    Object& o = s_.objects.at(t->object);
    o.pager = p ? p->object : 0;
    o.pager_badge = p ? p->badge : 0;
    o.exception = x ? x->object : 0;
    o.exception_badge = x ? x->badge : 0;
    return Error::ok;
}

Error Model::create_simple(ObjId caller, Word dest, ObjectType type, Word charge) {
    ObjId me = pd_of_thread(caller);
    if (Error e = check_dest(me, dest); e != Error::ok) return e;
    if (Error e = check_pay({{me, charge}}); e != Error::ok) return e;
    new_cap(me, dest, new_object(type, me, charge), r::all, 0, 0);
    return Error::ok;
}

Error Model::endpoint_create(ObjId caller, Word dest) {
    return create_simple(caller, dest, ObjectType::endpoint, abi::charge::endpoint);
}

Error Model::notification_create(ObjId caller, Word dest) {
    return create_simple(caller, dest, ObjectType::notification, abi::charge::notification);
}

Error Model::irq_create(ObjId caller, Word dest, Word control, Word line) {
    ObjId me = pd_of_thread(caller);
    if (line >= config_.irq_lines) return Error::invalid_argument;
    const Cap* c = lookup(me, control);
    if (!c) return Error::bad_selector;
    if (type_of(c->object) != ObjectType::irq_control) return Error::wrong_type;
    if (!has_rights(c->rights, r::control)) return Error::missing_rights;
    for (ObjId irq : live(ObjectType::irq))
        if (s_.objects.at(irq).line == line) return Error::invalid_argument;
    if (Error e = check_dest(me, dest); e != Error::ok) return e;
    if (Error e = check_pay({{me, abi::charge::irq}}); e != Error::ok) return e;

    ObjId id = new_object(ObjectType::irq, me, abi::charge::irq);
    s_.objects.at(id).line = line;
    new_cap(me, dest, id, r::all, 0, 0);
    return Error::ok;
}

Error Model::io_create(ObjId caller, Word dest, Word control, Word first, Word count) {
    ObjId me = pd_of_thread(caller);
    // Stage 1 (decode): the range must lie inside the port space; overlapping other objects' is fine.
    if (count == 0 || first >= abi::io_ports || count > abi::io_ports - first) return Error::invalid_argument;
    const Cap* c = lookup(me, control);
    if (!c) return Error::bad_selector;
    if (type_of(c->object) != ObjectType::io_control) return Error::wrong_type;
    if (!has_rights(c->rights, r::control)) return Error::missing_rights;
    if (Error e = check_dest(me, dest); e != Error::ok) return e;
    if (Error e = check_pay({{me, abi::charge::io_ports}}); e != Error::ok) return e;

    ObjId id = new_object(ObjectType::io_ports, me, abi::charge::io_ports);
    s_.objects.at(id).first = first;
    s_.objects.at(id).count = count;
    new_cap(me, dest, id, r::all, 0, 0);
    return Error::ok;
}

Error Model::mmio_create(ObjId caller, Word dest, Word control, Word phys, Word pages, Word type) {
    ObjId me = pd_of_thread(caller);
    // Stage 1 (decode): the memory type, and a page-aligned range below the physical limit.
    if (type != abi::mmio_uncached && type != abi::mmio_write_combining) return Error::invalid_argument;
    if (phys % page_size || phys >= abi::mmio_phys_limit || pages == 0 ||
        pages > (abi::mmio_phys_limit - phys) / page_size)
        return Error::invalid_argument;
    const Cap* c = lookup(me, control);
    if (!c) return Error::bad_selector;
    if (type_of(c->object) != ObjectType::mmio_control) return Error::wrong_type;
    if (!has_rights(c->rights, r::control)) return Error::missing_rights;
    // Stage 5: device memory only, and never two memory types for one page while an object lives.
    const Word end = phys + pages * page_size;
    if (!config_.device_memory || !config_.device_memory(phys, end)) return Error::invalid_argument;
    for (ObjId other : live(ObjectType::mmio)) {
        const Object& o = s_.objects.at(other);
        if (o.memory_type != type && phys < o.first + o.count * page_size && o.first < end)
            return Error::invalid_argument;
    }
    if (Error e = check_dest(me, dest); e != Error::ok) return e;
    if (Error e = check_pay({{me, abi::charge::mmio}}); e != Error::ok) return e;

    ObjId id = new_object(ObjectType::mmio, me, abi::charge::mmio);
    Object& o = s_.objects.at(id);
    o.first = phys;
    o.count = pages;
    o.memory_type = type;
    new_cap(me, dest, id, r::all, 0, 0);
    return Error::ok;
}

std::vector<std::pair<Word, Word>> Model::usable_ports(ObjId pd) const {
    std::vector<std::pair<Word, Word>> ranges;
    for (const auto& [sel, cap] : s_.pds.at(pd).slots) {
        const Cap& c = s_.caps.at(cap);
        if (type_of(c.object) != ObjectType::io_ports || !has_rights(c.rights, abi::io_use_rights)) continue;
        const Object& o = s_.objects.at(c.object);
        ranges.emplace_back(o.first, o.first + o.count);
    }
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<Word, Word>> merged;
    for (const auto& r : ranges) {
        if (!merged.empty() && r.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, r.second);
        else
            merged.push_back(r);
    }
    return merged;
}

Error Model::irq_bind(ObjId caller, Word irq, Word notification, Word bit) {
    ObjId me = pd_of_thread(caller);
    if (bit > 63) return Error::invalid_argument;
    const Cap* i = lookup(me, irq);
    if (!i) return Error::bad_selector;
    const Cap* n = lookup(me, notification);
    if (!n) return Error::bad_selector;
    if (type_of(i->object) != ObjectType::irq) return Error::wrong_type;
    if (type_of(n->object) != ObjectType::notification) return Error::wrong_type;
    if (!has_rights(i->rights, r::control)) return Error::missing_rights;
    if (!has_rights(n->rights, r::write)) return Error::missing_rights;

    Object& o = s_.objects.at(i->object);
    o.bound_to = n->object;
    o.bit = bit;
    return Error::ok;
}

// ---- delegation ------------------------------------------------------------------------------------------

Error Model::delegate(ObjId caller, Word src, Word pd, Word dest, Word rights, Word badge, bool move) {
    ObjId me = pd_of_thread(caller);
    if (rights & ~r::all) return Error::invalid_argument;
    const Cap* s = lookup(me, src);
    if (!s) return Error::bad_selector;
    const Cap* p = lookup(me, pd);
    if (!p) return Error::bad_selector;
    if (type_of(p->object) != ObjectType::pd) return Error::wrong_type;
    if (!has_rights(s->rights, r::grant)) return Error::missing_rights;
    if (!has_rights(p->rights, r::control)) return Error::missing_rights;
    if (!has_rights(s->rights, rights)) return Error::missing_rights;
    bool badge_allowed = type_of(s->object) == ObjectType::endpoint && s->badge == 0;
    if (badge != 0 && !badge_allowed) return Error::invalid_argument;
    ObjId target = p->object;
    if (!slot_in_range(target, dest)) return Error::bad_selector;
    if (target == me && dest == src) return Error::self_reference;
    if (s_.pds.at(target).slots.count(dest)) return Error::slot_occupied;

    CapId id = s_.pds.at(me).slots.at(src);
    if (move) {
        Cap& c = s_.caps.at(id);
        Word lost = c.rights & ~rights;
        s_.pds.at(me).slots.erase(src);
        c.pd = target;
        c.sel = dest;
        c.rights = rights;
        s_.pds.at(target).slots[dest] = id;
        for (CapId d : descendants(id)) s_.caps.at(d).rights &= ~lost; // they lose what it lost
    } else {
        Cap c = s_.caps.at(id);
        new_cap(target, dest, c.object, rights, badge != 0 ? badge : c.badge, id);
    }
    return Error::ok;
}

Error Model::cap_copy(ObjId caller, Word src, Word pd, Word dest, Word rights, Word badge) {
    return delegate(caller, src, pd, dest, rights, badge, false);
}

Error Model::cap_grant(ObjId caller, Word src, Word pd, Word dest, Word rights) {
    return delegate(caller, src, pd, dest, rights, 0, true);
}

// ---- revocation ------------------------------------------------------------------------------------------

/// Derived capabilities name the object `sel` names, which `sel` keeps alive: revoking destroys nothing.
Error Model::cap_revoke(ObjId caller, Word sel) {
    ObjId me = pd_of_thread(caller);
    if (!lookup(me, sel)) return Error::bad_selector;
    for (CapId child : children(s_.pds.at(me).slots.at(sel))) delete_cap(child);
    return Error::ok;
}

/// Carried out on a trial copy first: if the caller's thread or PD would not survive, nothing happens.
Model& Model::scratch() {
    static thread_local Model model;
    return model;
}

Error Model::cap_delete(ObjId caller, Word sel) {
    ObjId me = pd_of_thread(caller);
    if (!lookup(me, sel)) return Error::bad_selector;
    // Tried on a copy: only the outcome tells whether the deletion would take the caller with it. The copy
    // is a scratch model kept between calls and assigned, which reuses its nodes (State's assignment), rather
    // than a new one: the fuzzers' model deletes capabilities in most runs.
    Model& trial = scratch();
    trial = *this;
    trial.delete_cap(s_.pds.at(me).slots.at(sel));
    if (!trial.alive(caller) || !trial.alive(me)) return Error::self_reference;
    std::swap(*this, trial);
    return Error::ok;
}

// ---- queries ---------------------------------------------------------------------------------------------

Error Model::cap_info(ObjId caller, Word sel, Word& type, Word& rights, Word& badge) const {
    auto c = cap_at(pd_of_thread(caller), sel);
    if (!c) return Error::bad_selector;
    type = Word(c->type);
    rights = c->rights;
    badge = c->badge;
    return Error::ok;
}

Error Model::pd_quota(ObjId caller, Word& lim, Word& use) const {
    ObjId me = pd_of_thread(caller);
    lim = limit(me);
    use = used(me);
    return Error::ok;
}

} // namespace models::caps
