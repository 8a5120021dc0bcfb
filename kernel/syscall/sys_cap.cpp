// Capability syscalls: cap_copy, cap_grant, cap_revoke, cap_delete, cap_info.
#include "kernel/cap/derivation.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lifecycle/lifetime.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;

namespace {

/// Stages 1-4 and 6 shared by cap_copy and cap_grant: source `src` (needs grant), target domain `pd` (needs
/// control), destination `dest` in the target's space, requested `rights` (a subset of the source's).
/// `badge_check` runs as stage 5.
template <typename BadgeCheck>
Error delegation(Call& call, std::uint64_t rights, Slot*& src, Slot*& dest, BadgeCheck badge_check) {
    const std::uint64_t src_sel = call.arg[0], pd_sel = call.arg[1], dest_sel = call.arg[2];
    if (!valid_rights(rights)) return invalid_argument;
    src = call.pd.space.cap(src_sel);
    if (!src) return bad_selector;
    Slot* target = call.pd.space.cap(pd_sel);
    if (!target) return bad_selector;
    if (!has_type(*target, ObjectType::pd)) return wrong_type;
    if (!has_rights(*src, spec::rights::grant)) return missing_rights;
    if (!has_rights(*target, spec::rights::control)) return missing_rights;
    if (rights & ~src->rights()) return missing_rights;
    if (Error e = badge_check(*src); e != ok) return e;
    dest = as<Pd>(*target->object()).space.slot(dest_sel);
    if (!dest) return bad_selector;
    if (dest == src) return self_reference;
    if (!dest->empty()) return slot_occupied;
    return ok;
}

} // namespace

Error sys_cap_copy(Call& call) {
    const std::uint64_t rights = call.arg[3], badge = call.arg[4];
    Slot *src, *dest;
    Error e = delegation(call, rights, src, dest, [badge](const Slot& s) {
        // A badge may only be put on a copy of an unbadged endpoint capability.
        if (badge && !(has_type(s, ObjectType::endpoint) && s.badge() == 0)) return invalid_argument;
        if (!cap_can_derive(s)) return invalid_argument;
        return ok;
    });
    if (e != ok) return e;
    cap_derive(*src, *dest, rights, badge ? badge : src->badge());
    return ok;
}

Error sys_cap_grant(Call& call) {
    const std::uint64_t rights = call.arg[3];
    Slot *src, *dest;
    Error e = delegation(call, rights, src, dest, [](const Slot&) { return ok; });
    if (e != ok) return e;
    cap_move(*src, *dest, rights);
    return ok;
}

Error sys_cap_revoke(Call& call) {
    Slot* s = call.pd.space.cap(call.arg[0]);
    if (!s) return bad_selector;
    // Everything derived from s names s's object, and s stays: no object dies, so nothing else can.
    cap_delete_descendants(*s);
    return ok;
}

Error sys_cap_delete(Call& call) {
    Slot* s = call.pd.space.cap(call.arg[0]);
    if (!s) return bad_selector;
    Object& object = *s->object();
    Doom doom(call.kernel);
    if (s->is_root() && dies_with_last_cap(object)) doom.add(object);
    if (doom.contains(call.caller) || doom.contains(call.pd)) {
        doom.cancel();
        return self_reference;
    }
    if (doom.empty())
        cap_delete_subtree(*s); // the object lives on: only this branch goes
    else
        doom.commit(); // s is its root and goes with every other capability to it
    return ok;
}

Error sys_cap_info(Call& call) {
    Slot* s = call.pd.space.cap(call.arg[0]);
    if (!s) return bad_selector;
    call.result[0] = static_cast<std::uint64_t>(s->object()->type);
    call.result[1] = s->rights();
    call.result[2] = s->badge();
    return ok;
}

} // namespace kernel
