// The per-domain index (an intrusive AVL tree) against std::map, with its shape checked after every step.
#include <gtest/gtest.h>
#include <map>
#include <random>
#include <vector>

#include "kernel/mapdb/va_index.hpp"

namespace {

using kernel::mapdb::Node;
using kernel::mapdb::VaIndex;

/// Height of the subtree, or -1 if it is no AVL tree with correct balance fields and order within (lo, hi).
int shape(const Node* n, std::uint64_t lo, std::uint64_t hi, bool has_lo, bool has_hi) {
    if (!n) return 0;
    if ((has_lo && n->va <= lo) || (has_hi && n->va >= hi)) return -1;
    int l = shape(n->left, lo, n->va, has_lo, true), r = shape(n->right, n->va, hi, true, has_hi);
    if (l < 0 || r < 0 || r - l != n->balance || r - l > 1 || l - r > 1) return -1;
    return 1 + std::max(l, r);
}

TEST(VaIndex, AgreesWithAnOrderedMapOverRandomInsertsAndErasesAndStaysAnAvlTree) {
    for (unsigned seed = 1; seed <= 20; ++seed) {
        std::mt19937_64 rng(seed);
        std::vector<Node> nodes(512);
        VaIndex index;
        std::map<std::uint64_t, Node*> model;
        for (unsigned step = 0; step < 4000; ++step) {
            Node& n = nodes[rng() % nodes.size()];
            const std::uint64_t slot = static_cast<std::uint64_t>(&n - nodes.data());
            const std::uint64_t va = (slot * 7919 % 4096) << 12; // distinct per node, scattered
            if (model.count(va)) {
                index.erase(n);
                model.erase(va);
            } else {
                n.va = va;
                index.insert(n);
                model[va] = &n;
            }
            ASSERT_GE(shape(index.root, 0, 0, false, false), 0) << "seed " << seed << " step " << step;
            const std::uint64_t probe = (rng() % 4100) << 12;
            auto it = model.find(probe);
            ASSERT_EQ(index.find(probe), it == model.end() ? nullptr : it->second);
            auto lb = model.lower_bound(probe);
            ASSERT_EQ(index.lower_bound(probe), lb == model.end() ? nullptr : lb->second);
        }
    }
}

TEST(VaIndex, AscendingInsertsStayLogarithmic) {
    std::vector<Node> nodes(1 << 14);
    VaIndex index;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        nodes[i].va = i << 12;
        index.insert(nodes[i]);
    }
    int h = shape(index.root, 0, 0, false, false);
    EXPECT_GE(h, 15);
    EXPECT_LE(h, 21) << "an AVL tree of 2^14 nodes is at most 1.44 log2(n + 2) high";
    for (std::size_t i = 0; i < nodes.size(); i += 2) index.erase(nodes[i]);
    EXPECT_GE(shape(index.root, 0, 0, false, false), 0);
    EXPECT_EQ(index.find(2 << 12), nullptr);
    EXPECT_EQ(index.find(3 << 12), &nodes[3]);
}

} // namespace
