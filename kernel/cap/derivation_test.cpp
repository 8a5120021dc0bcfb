// Derivation trees as preorder lists with depths: copy, move, revoke and delete keep them well formed.
#include <gtest/gtest.h>
#include <vector>

#include "kernel/cap/derivation.hpp"
#include "kernel/obj/endpoint.hpp"

namespace {

using namespace kernel;
namespace rights = janus::abi::rights;

/// The tree as (index in `slots`, depth) in list order, from the object's root.
std::vector<std::pair<int, unsigned>> shape(const Object& o, const Slot* slots) {
    std::vector<std::pair<int, unsigned>> out;
    for (const Slot* s = o.caps; s && out.size() < 100; s = s->next())
        out.emplace_back(static_cast<int>(s - slots), s->depth());
    return out;
}

TEST(Derivation, SlotKeepsObjectRightsBadgeLinksAndA32BitDepth) {
    Endpoint ep;
    Slot a, b, s;
    s.fill(ep, rights::read | rights::grant, 0xfeedface'12345678, 0x0012'3456, &a, &b);
    EXPECT_EQ(s.object(), &ep);
    EXPECT_EQ(s.rights(), rights::read | rights::grant);
    EXPECT_EQ(s.badge(), 0xfeedface'12345678u);
    EXPECT_EQ(s.depth(), 0x0012'3456u);
    EXPECT_EQ(s.prev(), &a);
    EXPECT_EQ(s.next(), &b);
    s.set_next(nullptr);
    s.set_rights(rights::write);
    EXPECT_EQ(s.next(), nullptr);
    EXPECT_EQ(s.depth(), 0x0012'3456u) << "relinking keeps the depth";
    EXPECT_EQ(s.rights(), rights::write);
    EXPECT_EQ(s.object(), &ep);
    s.clear();
    EXPECT_TRUE(s.empty());
}

TEST(Derivation, CopiesBecomeChildrenInPreorder) {
    Endpoint ep;
    Slot slots[6];
    cap_install_root(slots[0], ep, rights::all);
    cap_derive(slots[0], slots[1], rights::read | rights::grant, 0);
    cap_derive(slots[0], slots[2], rights::write, 7);
    cap_derive(slots[1], slots[3], rights::read, 0);
    // Tree: 0 -> {2, 1 -> {3}}; a new child goes first, right after its parent.
    std::vector<std::pair<int, unsigned>> expected{{0, 0}, {2, 1}, {1, 1}, {3, 2}};
    EXPECT_EQ(shape(ep, slots), expected);
    EXPECT_EQ(ep.cap_count, 4u);
    EXPECT_EQ(slots[2].badge(), 7u);
    EXPECT_TRUE(slots[0].is_root());
    EXPECT_FALSE(slots[3].is_root());
}

TEST(Derivation, DeletingDescendantsKeepsTheSourceAndItsSiblings) {
    Endpoint ep;
    Slot slots[6];
    cap_install_root(slots[0], ep, rights::all);
    cap_derive(slots[0], slots[1], rights::all, 0);
    cap_derive(slots[1], slots[2], rights::all, 0);
    cap_derive(slots[2], slots[3], rights::all, 0);
    cap_derive(slots[0], slots[4], rights::all, 0); // sibling of 1, before it in the list
    cap_delete_descendants(slots[1]);
    std::vector<std::pair<int, unsigned>> expected{{0, 0}, {4, 1}, {1, 1}};
    EXPECT_EQ(shape(ep, slots), expected);
    EXPECT_TRUE(slots[2].empty());
    EXPECT_TRUE(slots[3].empty());
    EXPECT_EQ(ep.cap_count, 3u);
}

TEST(Derivation, DeletingASubtreeUnlinksItAndDeletingTheRootEmptiesTheObject) {
    Endpoint ep;
    Slot slots[4];
    cap_install_root(slots[0], ep, rights::all);
    cap_derive(slots[0], slots[1], rights::all, 0);
    cap_derive(slots[1], slots[2], rights::all, 0);
    cap_derive(slots[0], slots[3], rights::all, 0);
    cap_delete_subtree(slots[1]);
    std::vector<std::pair<int, unsigned>> expected{{0, 0}, {3, 1}};
    EXPECT_EQ(shape(ep, slots), expected);
    cap_delete_subtree(slots[0]);
    EXPECT_EQ(ep.caps, nullptr);
    EXPECT_EQ(ep.cap_count, 0u);
    for (const Slot& s : slots) EXPECT_TRUE(s.empty());
}

TEST(Derivation, MovingKeepsThePlaceAndDerivedCapabilitiesLoseWhatTheMovedOneLost) {
    Endpoint ep;
    Slot slots[5];
    cap_install_root(slots[0], ep, rights::all);
    cap_derive(slots[0], slots[1], rights::read | rights::write | rights::grant, 0);
    cap_derive(slots[1], slots[2], rights::read | rights::write, 0);
    cap_derive(slots[0], slots[3], rights::write, 0); // not below 1: keeps its rights
    cap_move(slots[1], slots[4], rights::read | rights::grant);
    EXPECT_TRUE(slots[1].empty());
    std::vector<std::pair<int, unsigned>> expected{{0, 0}, {3, 1}, {4, 1}, {2, 2}};
    EXPECT_EQ(shape(ep, slots), expected);
    EXPECT_EQ(slots[4].rights(), rights::read | rights::grant);
    EXPECT_EQ(slots[2].rights(), rights::read) << "write was lost above it";
    EXPECT_EQ(slots[3].rights(), rights::write);
    // Moving the root updates the object's root.
    cap_move(slots[0], slots[1], rights::all);
    EXPECT_EQ(ep.caps, &slots[1]);
    EXPECT_EQ(ep.cap_count, 4u);
}

} // namespace
