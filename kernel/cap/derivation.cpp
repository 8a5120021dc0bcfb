#include "kernel/cap/derivation.hpp"

#include "kernel/cap/last_cap.hpp"
#include "kernel/obj/io_ports.hpp"

namespace kernel {

void cap_install_root(Slot& dest, Object& object, std::uint64_t rights) {
    dest.fill(object, rights, 0, 0, nullptr, nullptr);
    object.caps = &dest;
    object.cap_count = 1;
    io_caps_changed(object, false);
}

bool cap_can_derive(const Slot& parent) {
    return parent.depth() < Slot::max_depth;
}

void cap_derive(Slot& parent, Slot& dest, std::uint64_t rights, std::uint64_t badge) {
    // Right after the parent is a valid preorder position for a new first child.
    Slot* after = parent.next();
    dest.fill(*parent.object(), rights, badge, parent.depth() + 1, &parent, after);
    parent.set_next(&dest);
    if (after) after->set_prev(&dest);
    ++parent.object()->cap_count;
    io_caps_changed(*parent.object(), false);
}

void cap_move(Slot& src, Slot& dest, std::uint64_t rights) {
    Object& object = *src.object();
    Slot* before = src.prev();
    Slot* after = src.next();
    std::uint32_t depth = src.depth();
    std::uint64_t lost = src.rights() & ~rights;
    dest.fill(object, rights, src.badge(), depth, before, after);
    src.clear();
    if (before)
        before->set_next(&dest);
    else
        object.caps = &dest;
    if (after) after->set_prev(&dest);
    if (lost)
        for (Slot* d = dest.next(); d && d->depth() > depth; d = d->next())
            d->set_rights(d->rights() & ~lost);
    // The capability may have changed domains, so the source's domain may have lost its ports.
    io_caps_changed(object, true);
}

void cap_delete_descendants(Slot& s) {
    std::uint32_t depth = s.depth();
    Object& object = *s.object();
    // Descendants follow s directly; remove them from the front until the subtree ends.
    while (Slot* d = s.next()) {
        if (d->depth() <= depth) break;
        Slot* after = d->next();
        s.set_next(after);
        if (after) after->set_prev(&s);
        d->clear();
        --object.cap_count;
        io_caps_changed(object, true);
    }
}

void cap_delete_subtree(Slot& s) {
    cap_delete_descendants(s);
    Object& object = *s.object();
    Slot* before = s.prev();
    Slot* after = s.next();
    if (before)
        before->set_next(after);
    else
        object.caps = after; // s was the root; with its subtree gone, `after` is nullptr
    if (after) after->set_prev(before);
    s.clear();
    --object.cap_count;
    io_caps_changed(object, true);
    if (!object.caps) last_cap_deleted(object);
}

} // namespace kernel
