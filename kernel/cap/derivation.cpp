#include "kernel/cap/derivation.hpp"

#include "kernel/cap/type_hooks.hpp"
#include "kernel/lib/preorder_tree.hpp"

namespace kernel {

void cap_install_root(Slot& dest, Object& object, std::uint64_t rights) {
    dest.fill(object, rights, 0, 0, nullptr, nullptr);
    object.caps = &dest;
    object.cap_count = 1;
    caps_changed(object, false);
}

bool cap_can_derive(const Slot& parent) {
    return parent.depth() < Slot::max_depth;
}

void cap_derive(Slot& parent, Slot& dest, std::uint64_t rights, std::uint64_t badge) {
    // Right after the parent is a valid preorder position for a new first child.
    dest.fill(*parent.object(), rights, badge, 0, nullptr, nullptr);
    preorder::link_first_child<SlotLinks>(parent, dest);
    ++parent.object()->cap_count;
    caps_changed(*parent.object(), false);
}

void cap_move(Slot& src, Slot& dest, std::uint64_t rights) {
    Object& object = *src.object();
    std::uint64_t lost = src.rights() & ~rights;
    dest.fill(object, rights, src.badge(), 0, nullptr, nullptr);
    preorder::take_place<SlotLinks>(src, dest);
    if (!dest.prev()) object.caps = &dest;
    src.clear();
    if (lost)
        for (Slot* d = preorder::first_descendant<SlotLinks>(dest); d;
             d = preorder::next_descendant<SlotLinks>(dest, *d))
            d->set_rights(d->rights() & ~lost);
    // The capability may have changed domains, so the source's domain may have lost its ports.
    caps_changed(object, true);
}

void cap_delete_descendants(Slot& s) {
    Object& object = *s.object();
    preorder::remove_descendants<SlotLinks>(s, [&object](Slot& d) {
        d.clear();
        --object.cap_count;
        caps_changed(object, true);
    });
}

void cap_delete_subtree(Slot& s) {
    // Most have no descendants (a reply capability, deleted at every answer, never has any): no call then.
    if (preorder::first_descendant<SlotLinks>(s)) cap_delete_descendants(s);
    Object& object = *s.object();
    if (!s.prev()) object.caps = s.next(); // s was the root; with its subtree gone, that is nullptr
    preorder::splice_out<SlotLinks>(s);
    s.clear();
    --object.cap_count;
    caps_changed(object, true);
    if (!object.caps) last_cap_deleted(object);
}

} // namespace kernel
