// The preorder tree operations and their checker over a plain node type; the capability and memory sides are
// tested through their own operations (kernel/cap, kernel/mapdb) and the invariant checker.
#include "kernel/lib/preorder_tree.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace kernel::preorder;

struct N {
    char name;
    N* prev = nullptr;
    N* next = nullptr;
    std::uint32_t depth = 0;
};

struct Links {
    static N* prev(const N& n) { return n.prev; }
    static N* next(const N& n) { return n.next; }
    static std::uint32_t depth(const N& n) { return n.depth; }
    static void set_prev(N& n, N* p) { n.prev = p; }
    static void set_next(N& n, N* p) { n.next = p; }
    static void set_depth(N& n, std::uint32_t d) { n.depth = d; }
};

/// The list from `root` as "name depth" pairs, checking every back link on the way.
std::string walk(const N& root) {
    std::string out;
    for (const N* n = &root; n; n = n->next) {
        if (n->next) EXPECT_EQ(n->next->prev, n) << "back link after " << n->name;
        out += n->name;
        out += std::to_string(n->depth);
    }
    return out;
}

/// Every node of the list from `root` passes link_fault.
void expect_well_formed(const N& root) {
    for (const N* n = &root; n; n = n->next) {
        const N* parent = nullptr;
        EXPECT_EQ(link_fault<Links>(*n, 100, parent), LinkFault::none) << "at " << n->name;
        EXPECT_EQ(parent, parent_of<Links>(*n)) << "at " << n->name;
    }
}

// a
// +- b
// |  +- c
// +- d
struct Tree {
    N a{'a'}, b{'b'}, c{'c'}, d{'d'};
    Tree() {
        link_root<Links>(a);
        link_first_child<Links>(a, d);
        link_first_child<Links>(a, b);
        link_first_child<Links>(b, c);
    }
};

TEST(PreorderTree, FirstChildrenGoRightAfterTheirParentOneLevelDeeper) {
    Tree t;
    EXPECT_EQ(walk(t.a), "a0b1c2d1");
    expect_well_formed(t.a);
    EXPECT_EQ(parent_of<Links>(t.c), &t.b);
    EXPECT_EQ(parent_of<Links>(t.d), &t.a);
    EXPECT_EQ(parent_of<Links>(t.a), nullptr);
}

TEST(PreorderTree, DescendantsAreTheFollowingDeeperNodes) {
    Tree t;
    std::string of_a, of_b;
    for (N* n = first_descendant<Links>(t.a); n; n = next_descendant<Links>(t.a, *n)) of_a += n->name;
    for (N* n = first_descendant<Links>(t.b); n; n = next_descendant<Links>(t.b, *n)) of_b += n->name;
    EXPECT_EQ(of_a, "bcd");
    EXPECT_EQ(of_b, "c");
    EXPECT_EQ(first_descendant<Links>(t.c), nullptr);
    EXPECT_EQ(first_descendant<Links>(t.d), nullptr);
}

TEST(PreorderTree, RemovingDescendantsTakesTheWholeSubtreeAndNothingElse) {
    Tree t;
    std::vector<char> removed;
    remove_descendants<Links>(t.b, [&](N& n) {
        EXPECT_EQ(n.prev, nullptr);
        EXPECT_EQ(n.next, nullptr);
        removed.push_back(n.name);
    });
    EXPECT_EQ(removed, std::vector<char>{'c'});
    EXPECT_EQ(walk(t.a), "a0b1d1");
    expect_well_formed(t.a);

    removed.clear();
    remove_descendants<Links>(t.a, [&](N& n) { removed.push_back(n.name); });
    EXPECT_EQ(removed, (std::vector<char>{'b', 'd'}));
    EXPECT_EQ(walk(t.a), "a0");
}

TEST(PreorderTree, ANodeTakesAnothersPlaceWithItsDepthAndNeighbours) {
    Tree t;
    N e{'e'};
    take_place<Links>(t.b, e);
    EXPECT_EQ(walk(t.a), "a0e1c2d1");
    expect_well_formed(t.a);
    EXPECT_EQ(parent_of<Links>(t.c), &e);
}

TEST(PreorderTree, SplicingOutALeafKeepsTheTreeWellFormed) {
    Tree t;
    splice_out<Links>(t.c);
    EXPECT_EQ(walk(t.a), "a0b1d1");
    EXPECT_EQ(t.c.prev, nullptr);
    EXPECT_EQ(t.c.next, nullptr);
    expect_well_formed(t.a);
}

TEST(PreorderTree, TheCheckerNamesEachBrokenRule) {
    const N* parent = nullptr;
    {
        Tree t;
        t.c.prev = &t.a; // b's successor no longer links back to b
        EXPECT_EQ(link_fault<Links>(t.b, 100, parent), LinkFault::back_link_after);
        EXPECT_EQ(link_fault<Links>(t.c, 100, parent), LinkFault::back_link_before);
    }
    {
        Tree t;
        t.c.depth = 3; // two levels below b
        EXPECT_EQ(link_fault<Links>(t.b, 100, parent), LinkFault::depth_jump);
    }
    {
        Tree t;
        t.d.depth = 0; // a root in the middle of a list
        EXPECT_EQ(link_fault<Links>(t.d, 100, parent), LinkFault::root_with_predecessor);
    }
    {
        Tree t;
        t.b.depth = 2; // no node at depth 1 before b
        t.c.depth = 3;
        EXPECT_EQ(link_fault<Links>(t.b, 100, parent), LinkFault::no_parent);
        EXPECT_EQ(parent, nullptr);
    }
    {
        // A cycle of predecessors at one depth: the walk back stops after `bound` steps.
        N x{'x'}, y{'y'};
        x.depth = y.depth = 1;
        x.prev = &y;
        y.prev = &x;
        y.next = &x;
        x.next = &y;
        EXPECT_EQ(link_fault<Links>(x, 10, parent), LinkFault::no_parent);
    }
    for (LinkFault f : {LinkFault::back_link_before, LinkFault::back_link_after, LinkFault::depth_jump,
                        LinkFault::root_with_predecessor, LinkFault::no_parent})
        EXPECT_NE(std::string(describe(f)), describe(LinkFault::none));
}

} // namespace
