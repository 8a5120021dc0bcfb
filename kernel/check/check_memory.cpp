#include "kernel/check/check_memory.hpp"

#include "kernel/check/check.hpp"
#include "kernel/kernel.hpp"
#include "kernel/mapdb/derivation.hpp"
#include "kernel/mapdb/space.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel {

namespace {

using namespace mapdb;
using E = arch::PteEncoding;
namespace r = janus::abi::rights;

/// Reads page-table entries with plain loads: the checker runs while no CPU changes the tables, and under
/// hostsim an atomic load would be a scheduling point (thousands per check).
struct PlainTableReader {
    const Kmem* kmem;
    /// A table's entries, each to be read with raw(). Resolved once per table: the checker reads all 512.
    const arch::Atomic<std::uint64_t>* entries(PhysAddr table) const {
        return static_cast<const arch::Atomic<std::uint64_t>*>(kmem->at_physical(table));
    }
    std::uint64_t load(PhysAddr table, unsigned i) const { return entries(table)[i].raw(); }
};

class MemoryChecker {
public:
    explicit MemoryChecker(Checker& c) : c_(c), k_(c.kernel), memory_{&c.kernel.kmem} {}

    void run() {
        std::size_t steps = 0, bound = c_.object_bound();
        std::uint64_t total = 0;
        for (const Object* o = first_object(k_); o && !c_.failed() && steps <= bound;
             o = next_object(o), ++steps) {
            if (o->type != ObjectType::pd) continue;
            domain(as<Pd>(*o));
            total += nodes_;
        }
        if (!c_.failed())
            c_.expect(total == k_.mapdb.nodes.nodes(), "memory: the node pool holds ", k_.mapdb.nodes.nodes(),
                      " nodes but the domains index ", total);
    }

private:
    template <typename... Args>
    bool expect(bool ok, const Args&... what) {
        return c_.expect(ok, "memory of pd ", hex(reinterpret_cast<std::uintptr_t>(pd_)), ": ", what...);
    }

    void domain(const Pd& p) {
        pd_ = &p;
        const AddressSpace& s = p.memory;
        nodes_ = paid_ = utcbs_ = accessible_ = 0;
        leaf_region_ = no_region;
        expect(s.top_level && s.top_phys == k_.kmem.physical(s.top_level), "top-level table misplaced");
        expect((s.cpus.raw() >> k_.cpu_count) == 0 || k_.cpu_count >= 64,
               "CPU mask names CPUs that do not exist");
        expect(!s.dirty && s.pending.kind == arch::TlbScope::Kind::none, "invalidations left undone");
        index(s);
        if (c_.failed()) return;
        expect(paid_ == s.paid_nodes, "paid_nodes is ", s.paid_nodes, " but ", paid_, " nodes are paid");
        tables(s);
        if (c_.failed()) return;
        std::size_t threads = 0;
        for (const Thread* t = p.threads; t && threads <= c_.object_bound(); t = t->pd_next, ++threads) {
            const Node* n = s.index.find(t->utcb);
            expect(n && n->utcb() && n->frame == k_.kmem.physical(t->utcb_page), "the UTCB of a thread at ",
                   hex(t->utcb), " has no UTCB node naming its page");
        }
        expect(threads == utcbs_, utcbs_, " UTCB nodes for ", threads, " threads");
    }

    /// In-order, post-order walk of the AVL tree with an explicit stack: order, balance, every node.
    void index(const AddressSpace& s) {
        struct Frame {
            const Node* n;
            int stage;
            int left_height;
        };
        Frame stack[VaIndex::max_height];
        unsigned k = 0;
        int last = 0; // height of the subtree finished last
        bool have_prev = false;
        std::uint64_t prev_va = 0;
        if (s.index.root) stack[k++] = {s.index.root, 0, 0};
        while (k && !c_.failed()) {
            Frame& f = stack[k - 1];
            if (f.stage == 0) {
                f.stage = 1;
                if (f.n->left) {
                    if (!expect(k < VaIndex::max_height, "index deeper than an AVL tree can be")) return;
                    stack[k++] = {f.n->left, 0, 0};
                    continue;
                }
                last = 0;
            }
            if (f.stage == 1) {
                f.left_height = last;
                f.stage = 2;
                if (!expect(!have_prev || f.n->va > prev_va, "index out of order at ", hex(f.n->va))) return;
                have_prev = true;
                prev_va = f.n->va;
                node(*f.n);
                if (f.n->right) {
                    if (!expect(k < VaIndex::max_height, "index deeper than an AVL tree can be")) return;
                    stack[k++] = {f.n->right, 0, 0};
                    continue;
                }
                last = 0;
            }
            const int diff = last - f.left_height;
            expect(diff >= -1 && diff <= 1 && diff == f.n->balance, "index unbalanced at ", hex(f.n->va));
            last = 1 + (last > f.left_height ? last : f.left_height);
            --k;
        }
    }

    void node(const Node& n) {
        ++nodes_;
        paid_ += n.paid();
        utcbs_ += n.utcb();
        if (!expect(n.pd == pd_, "node at ", hex(n.va), " names another domain")) return;
        expect(n.va % page_bytes == 0 && n.va < janus::abi::user_end, "node at ", hex(n.va),
               " is no user page");
        expect(n.frame % page_bytes == 0 && n.frame < E::max_phys, "node at ", hex(n.va), " has frame ",
               hex(n.frame));
        expect((n.rights & ~memory_rights) == 0 &&
                   (n.flags & ~(flag::paid | flag::utcb | flag::memory_type)) == 0 &&
                   (n.flags & flag::memory_type) != flag::memory_type,
               "node at ", hex(n.va), " has rights ", hex(n.rights), " flags ", hex(n.flags));
        if (n.utcb())
            expect(n.rights == (r::read | r::write) && !n.paid() && n.depth == 0 && !n.prev && !n.next,
                   "UTCB node at ", hex(n.va), " is malformed");
        else
            derivation(n);
        entry(n);
    }

    void derivation(const Node& n) {
        const Node* p = nullptr;
        const preorder::LinkFault fault = preorder::link_fault<NodeLinks>(n, k_.mapdb.nodes.nodes(), p);
        if (!expect(fault == preorder::LinkFault::none, "node at ", hex(n.va), ": ",
                    preorder::describe(fault)))
            return;
        if (n.depth == 0) {
            expect(!(n.flags & flag::memory_type), "boot memory at ", hex(n.va), " is not write-back");
            return;
        }
        expect((p->flags & flag::memory_type) == (n.flags & flag::memory_type), "node at ", hex(n.va),
               " has another memory type than its parent");
        if (p->flags & flag::anchor) {
            anchored(n, *p);
            return;
        }
        expect(p->frame == n.frame, "node at ", hex(n.va), " maps another frame than its parent");
        expect((n.rights & ~p->rights) == 0, "node at ", hex(n.va), " has rights ", hex(n.rights),
               " beyond its parent's ", hex(p->rights));
        expect(!p->utcb() && c_.is_live(pd_of(p->pd)) && pd_of(p->pd)->type == ObjectType::pd &&
                   p->pd->memory.index.find(p->va) == p,
               "the parent of the node at ", hex(n.va), " is in no live domain's index");
    }

    /// `n` is a root mapping made from the mmio object whose anchor is `a` (kernel/obj/mmio.hpp).
    void anchored(const Node& n, const Node& a) {
        bool live = false;
        std::size_t steps = 0;
        for (const Node* x = k_.mmio_anchors; x && !live && steps <= c_.object_bound(); x = x->right, ++steps)
            live = x == &a;
        if (!expect(live && !a.pd && a.depth == 0 && !a.prev, "the node at ", hex(n.va),
                    " hangs below an anchor of no live mmio object"))
            return;
        expect(n.frame >= a.frame && (n.frame - a.frame) / page_bytes < a.va, "node at ", hex(n.va), " maps ",
               hex(n.frame), " outside its mmio object ", hex(a.frame), "+", a.va, " pages");
        expect((n.rights & ~(r::read | r::write | r::grant)) == 0, "device mapping at ", hex(n.va),
               " has rights ", hex(n.rights));
    }

    /// The level-1 entry for `va`, or 0 if there is no level-1 table for it. The nodes come in address
    /// order, so most share the level-1 table of the one before: it is walked to once per 2 MiB region.
    std::uint64_t leaf_entry(const AddressSpace& s, std::uint64_t va) {
        const std::uint64_t region = va >> mem::shift_of_level(2);
        if (region != leaf_region_) {
            leaf_table_ = nullptr;
            PhysAddr table = s.top_phys;
            unsigned level = 4;
            for (; level > 1; --level) {
                const auto e =
                    memory_.load(table, static_cast<unsigned>(va >> mem::shift_of_level(level)) & 511);
                if (!E::is_table(e, level)) break;
                table = E::table_address(e);
            }
            if (level == 1) leaf_table_ = memory_.entries(table);
            leaf_region_ = region;
        }
        return leaf_table_ ? leaf_table_[(va >> 12) & 511].raw() : 0;
    }

    void entry(const Node& n) {
        const std::uint64_t e = leaf_entry(pd_->memory, n.va);
        if (!(n.rights & access_rights)) {
            expect(!E::is_present(e), "page ", hex(n.va), " is present though its node has no access right");
            return;
        }
        ++accessible_;
        if (!expect(E::is_leaf(e, 1), "page ", hex(n.va), " has a node but no page-table entry")) return;
        const mem::Attributes a = E::leaf_attributes(e);
        expect(E::leaf_frame(e, 1) == n.frame, "page ", hex(n.va), " translates to ",
               hex(E::leaf_frame(e, 1)), " but its node names ", hex(n.frame));
        expect(a.rights.user && a.rights.write == bool(n.rights & r::write) &&
                   a.rights.execute == bool(n.rights & r::exec) && !a.global && a.cache == cache_of(n.flags),
               "page ", hex(n.va), " has entry ", hex(e), " for node rights ", hex(n.rights));
    }

    /// The index's nodes in address order, one at a time (no allocation: a stack as deep as the tree).
    class InOrder {
    public:
        explicit InOrder(const VaIndex& index) : next_(index.root) { advance(); }
        /// The first node at or above `va` from here on (nodes below it are passed over), or nullptr.
        const Node* seek(std::uint64_t va) {
            while (current_ && current_->va < va) advance();
            return current_;
        }

    private:
        void advance() {
            while (next_ && depth_ < VaIndex::max_height) {
                stack_[depth_++] = next_;
                next_ = next_->left;
            }
            if (depth_ == 0) {
                current_ = nullptr;
                return;
            }
            current_ = stack_[--depth_];
            next_ = current_->right;
        }
        const Node* stack_[VaIndex::max_height];
        unsigned depth_ = 0;
        const Node* next_;
        const Node* current_ = nullptr;
    };

    /// Every table and present entry of the user half: counts, and no entry without a node. The entries are
    /// visited in address order, so the node for each is found by walking the index alongside.
    void tables(const AddressSpace& s) {
        Scan scan{s, InOrder(s.index)};
        if (!entries(scan, s.top_phys, 4, 0)) return;
        expect(scan.tables == s.tables, s.tables, " page-table pages counted, ", scan.tables, " found");
        expect(s.paid_tables <= s.tables, "more paid page-table pages than pages");
        expect(scan.leaves == accessible_, scan.leaves, " present entries for ", accessible_,
               " accessible nodes");
    }

    struct Scan {
        const AddressSpace& space;
        InOrder nodes;
        std::uint64_t tables = 0, leaves = 0;
    };

    /// The present entries of `table` at `level`, whose first entry maps `base`, and the tables below them;
    /// false as soon as one breaks a rule (recorded). Most entries are empty: the loop reads each once and
    /// tests nothing else for it. UBSan's pointer checks (null, alignment, overflow) are left out of this
    /// loop: the table is a page-aligned page of kernel memory and the index stays below 512, while ASan
    /// still checks every read.
    __attribute__((no_sanitize("null", "alignment", "pointer-overflow"))) bool
    entries(Scan& scan, PhysAddr table, unsigned level, std::uint64_t base) {
        const auto* t = memory_.entries(table);
        const unsigned count = level == 4 ? 256 : 512; // the top level's user half
        const unsigned shift = mem::shift_of_level(level);
        for (unsigned i = 0; i < count; ++i) {
            const std::uint64_t e = t[i].raw();
            if (!E::is_present(e)) continue;
            const std::uint64_t va = base | std::uint64_t{i} << shift;
            if (level == 1) {
                ++scan.leaves;
                const Node* n = scan.nodes.seek(va);
                if (!expect(n && n->va == va, "page ", hex(va), " is mapped without a node")) return false;
                continue;
            }
            if (!expect(E::is_table(e, level), "a superpage at level ", level, " in the user half") ||
                !expect(++scan.tables <= scan.space.tables, "more page-table pages than the ",
                        scan.space.tables, " counted") ||
                !entries(scan, E::table_address(e), level - 1, va))
                return false;
        }
        return true;
    }

    Checker& c_;
    const Kernel& k_;
    const PlainTableReader memory_;
    const Pd* pd_ = nullptr;
    std::uint64_t nodes_ = 0, paid_ = 0, utcbs_ = 0, accessible_ = 0;
    // leaf_entry's last level-1 table: the 2 MiB region it covers (no_region: none looked up yet in this
    // domain), and its entries (nullptr: none there).
    static constexpr std::uint64_t no_region = ~std::uint64_t{0}; // va >> 21 never is
    std::uint64_t leaf_region_ = no_region;
    const arch::Atomic<std::uint64_t>* leaf_table_ = nullptr;
};

} // namespace

void check_memory(Checker& checker) {
    MemoryChecker(checker).run();
}

} // namespace kernel
