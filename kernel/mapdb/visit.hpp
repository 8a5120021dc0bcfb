// visit_mappings (mapdb.hpp): an in-order walk of a domain's index with an explicit stack.
#pragma once

#include "kernel/mapdb/domain.hpp"

namespace kernel {

template <typename F>
void visit_mappings(const mapdb::Domain& pd, F&& f) {
    const mapdb::Node* stack[mapdb::VaIndex::max_height];
    unsigned k = 0;
    const mapdb::Node* n = pd.memory.index.root;
    while (n || k) {
        while (n && k < mapdb::VaIndex::max_height) {
            stack[k++] = n;
            n = n->left;
        }
        n = stack[--k];
        if (!n->utcb()) f(n->va, n->frame, n->rights);
        n = n->right;
    }
}

} // namespace kernel
