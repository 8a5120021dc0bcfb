#include "kernel/mapdb/va_index.hpp"

#include "kernel/panic.hpp"

namespace kernel::mapdb {

namespace {

Node*& child(Node* n, bool right) {
    return right ? n->right : n->left;
}

/// Restores balance at `p`, whose balance is +-2; returns the new root of the subtree.
Node* rotate(Node* p) {
    const bool right = p->balance > 0; // the heavy side
    const std::int8_t s = right ? 1 : -1;
    Node* c = child(p, right);
    if (c->balance != -s) { // single rotation
        child(p, right) = child(c, !right);
        child(c, !right) = p;
        if (c->balance == 0) {
            p->balance = s;
            c->balance = static_cast<std::int8_t>(-s);
        } else {
            p->balance = 0;
            c->balance = 0;
        }
        return c;
    }
    Node* g = child(c, !right); // double rotation: the grandchild on the inner side comes up
    child(c, !right) = child(g, right);
    child(p, right) = child(g, !right);
    child(g, right) = c;
    child(g, !right) = p;
    p->balance = g->balance == s ? static_cast<std::int8_t>(-s) : std::int8_t{0};
    c->balance = g->balance == -s ? s : std::int8_t{0};
    g->balance = 0;
    return g;
}

} // namespace

Node* VaIndex::find(std::uint64_t va) const {
    Node* n = root;
    while (n && n->va != va) n = va < n->va ? n->left : n->right;
    return n;
}

Node* VaIndex::lower_bound(std::uint64_t va) const {
    Node* best = nullptr;
    for (Node* n = root; n;) {
        if (n->va >= va) {
            best = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return best;
}

void VaIndex::insert(Node& n) {
    n.left = n.right = nullptr;
    n.balance = 0;
    Node* path[max_height];
    bool dir[max_height];
    unsigned k = 0;
    for (Node* p = root; p;) {
        JANUS_ASSERT(k < max_height && p->va != n.va);
        path[k] = p;
        dir[k] = n.va > p->va;
        p = child(p, dir[k++]);
    }
    if (k == 0) {
        root = &n;
        return;
    }
    child(path[k - 1], dir[k - 1]) = &n;
    // Retrace: the subtree that got n grew by one until a node absorbs it or a rotation restores its height.
    for (unsigned i = k; i-- > 0;) {
        Node* p = path[i];
        p->balance = static_cast<std::int8_t>(p->balance + (dir[i] ? 1 : -1));
        if (p->balance == 0) return;
        if (p->balance == 1 || p->balance == -1) continue;
        Node* top = rotate(p);
        (i == 0 ? root : child(path[i - 1], dir[i - 1])) = top;
        return;
    }
}

void VaIndex::erase(Node& n) {
    Node* path[max_height];
    bool dir[max_height];
    unsigned k = 0;
    for (Node* p = root; p != &n;) {
        JANUS_ASSERT(p && k < max_height);
        path[k] = p;
        dir[k] = n.va > p->va;
        p = child(p, dir[k++]);
    }
    if (n.left && n.right) {
        // Put the successor s in n's place (links and balance), so that n has at most one child.
        const unsigned at = k;
        path[k] = &n;
        dir[k++] = true;
        Node* s = n.right;
        while (s->left) {
            JANUS_ASSERT(k < max_height);
            path[k] = s;
            dir[k++] = false;
            s = s->left;
        }
        Node* s_right = s->right;
        const std::int8_t b = s->balance;
        s->balance = n.balance;
        n.balance = b;
        s->left = n.left;
        if (path[k - 1] == &n) {
            s->right = &n;
        } else {
            s->right = n.right;
            path[k - 1]->left = &n;
        }
        n.left = nullptr;
        n.right = s_right;
        (at == 0 ? root : child(path[at - 1], dir[at - 1])) = s;
        path[at] = s;
    }
    Node* only = n.left ? n.left : n.right;
    (k == 0 ? root : child(path[k - 1], dir[k - 1])) = only;
    n.left = n.right = nullptr;
    // Retrace: the subtree that lost n shrank by one until a node absorbs it.
    for (unsigned i = k; i-- > 0;) {
        Node* p = path[i];
        p->balance = static_cast<std::int8_t>(p->balance + (dir[i] ? -1 : 1));
        if (p->balance == 1 || p->balance == -1) return;
        if (p->balance == 0) continue;
        const bool same_height = child(p, p->balance > 0)->balance == 0;
        Node* top = rotate(p);
        (i == 0 ? root : child(path[i - 1], dir[i - 1])) = top;
        if (same_height) return;
    }
}

} // namespace kernel::mapdb
