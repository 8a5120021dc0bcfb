#include "kernel/check/check.hpp"
#include "kernel/abi/abi.hpp"
#include "kernel/cap/slot.hpp"
#include "kernel/lib/preorder_tree.hpp"

#include "kernel/kernel.hpp"
#include "kernel/lifecycle/charges.hpp"
#include "kernel/lifecycle/lifetime.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/io_ports.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/mmio.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel {

namespace spec = janus::abi;

const Object* first_object(const Kernel& kernel) {
    return kernel.boot_objects;
}

const Object* next_object(const Object* o) {
    if (o->type == ObjectType::pd && as<Pd>(*o).paid) return as<Pd>(*o).paid;
    for (; o; o = o->payer)
        if (o->paid_next) return o->paid_next;
    return nullptr;
}

std::size_t Checker::object_bound() const {
    // Every object takes at least a 128-byte chunk of a page Kmem holds.
    return kernel.kmem.pages_held() * (Kmem::page_bytes / Kmem::min_alignment) + 1;
}

bool Checker::is_live(const Object* o) const {
    if (!o) return false;
    std::size_t steps = 0, bound = object_bound();
    for (const Object* x = first_object(kernel); x && steps <= bound; x = next_object(x), ++steps)
        if (x == o) return true;
    return false;
}

namespace {

const char* type_name(ObjectType t) {
    switch (t) {
#define JANUS_OBJECT(value, name, meaning)                                                                   \
    case ObjectType::name:                                                                                   \
        return #name;
#include "kernel/abi/abi.def"
    default:
        return "(no type)";
    }
}

bool valid_type(ObjectType t) {
    auto v = static_cast<std::uint64_t>(t);
    return v >= static_cast<std::uint64_t>(ObjectType::pd) &&
           v <= static_cast<std::uint64_t>(ObjectType::mmio);
}

/// The charge an object of this type costs its payer.
std::uint64_t expected_charge(const Object& o) {
    switch (o.type) {
    case ObjectType::pd:
        return charges::pd(as<Pd>(o).space.order());
    case ObjectType::thread:
        return charges::thread_object;
    case ObjectType::reply:
        return charges::reply_object;
    case ObjectType::endpoint:
        return charges::endpoint;
    case ObjectType::notification:
        return charges::notification;
    case ObjectType::irq:
        return charges::irq;
    case ObjectType::io_ports:
        return charges::io_ports;
    case ObjectType::mmio:
        return charges::mmio;
    default:
        return 0;
    }
}

class Walk {
public:
    explicit Walk(Checker& c) : c_(c), k_(c.kernel), bound_(c.object_bound()) {}

    void run() {
        std::size_t objects = 0;
        const Object* o = first_object(k_);
        for (; o && !c_.failed(); o = next_object(o)) {
            if (!c_.expect(++objects <= bound_, "the payment tree walk does not end (a cycle)")) return;
            object(*o);
        }
        if (c_.failed()) return;
        total_quota();
        kernel_tables();
        if (c_.failed()) return;
        // Every capability in a live space is in the tree of the object it names (pd()), so the two counts
        // agree exactly when every capability of every tree lies in a live space. Only a mismatch pays for
        // finding the one that does not (a search of every space per capability).
        if (slots_ != caps_) stray_capability();
        c_.expect(slots_ == caps_, "capability spaces hold ", slots_, " capabilities but objects count ",
                  caps_);
    }

private:
    template <typename... Args>
    bool expect(const Object& o, bool ok, const Args&... what) {
        return c_.expect(ok, type_name(o.type), " ", hex(reinterpret_cast<std::uintptr_t>(&o)), ": ",
                         what...);
    }

    void object(const Object& o) {
        if (!c_.expect(valid_type(o.type), "object ", hex(reinterpret_cast<std::uintptr_t>(&o)), " has type ",
                       static_cast<std::uint64_t>(o.type)))
            return;
        expect(o, !o.doomed && !o.next_doomed, "still marked by an unfinished deletion");
        payment(o);
        tree(o);
        switch (o.type) {
        case ObjectType::pd:
            pd(as<Pd>(o));
            break;
        case ObjectType::thread:
            thread(as<Thread>(o));
            break;
        case ObjectType::reply:
            expect(o, c_.is_live(as<Reply>(o).owner) && as<Reply>(o).owner->reply == &as<Reply>(o),
                   "its owner thread does not own it");
            break;
        case ObjectType::endpoint:
            referrers(o, as<Endpoint>(o).referrers, ObjectType::thread);
            break;
        case ObjectType::notification:
            referrers(o, as<Notification>(o).referrers, ObjectType::irq);
            break;
        case ObjectType::io_ports:
            io_ports(as<IoPorts>(o));
            break;
        case ObjectType::mmio:
            mmio(as<Mmio>(o));
            break;
        case ObjectType::irq:
            irq(as<Irq>(o));
            break;
        default:
            break;
        }
    }

    void payment(const Object& o) {
        const Object* head = o.payer ? as<Pd>(*o.payer).paid : k_.boot_objects;
        expect(o, o.paid_prev ? o.paid_prev->paid_next == &o : head == &o, "payment list links are broken");
        if (o.paid_next) expect(o, o.paid_next->paid_prev == &o, "payment list links are broken");
        if (!o.payer) {
            expect(o, o.charge == 0, "a boot object carries a charge of ", o.charge);
        } else {
            expect(o, o.payer->type == ObjectType::pd, "paid by an object that is no pd");
            expect(o, o.type != ObjectType::irq_control, "irq_control is a boot object but has a payer");
            expect(o, o.type != ObjectType::io_control, "io_control is a boot object but has a payer");
            expect(o, o.type != ObjectType::mmio_control, "mmio_control is a boot object but has a payer");
            expect(o, o.charge == expected_charge(o), "charged ", o.charge, " instead of ",
                   expected_charge(o));
        }
    }

    /// The derivation tree of `o`: a preorder list from its root with depths (kernel/cap/slot.hpp).
    void tree(const Object& o) {
        caps_ += o.cap_count;
        if (!o.caps) {
            expect(o, o.cap_count == 0, "has no root capability but counts ", o.cap_count);
            expect(o, !dies_with_last_cap(o), "is alive without any capability");
            return;
        }
        const Slot* root = o.caps;
        if (!expect(o, root->prev() == nullptr && root->depth() == 0, "its root capability is not a root"))
            return;
        std::uint64_t n = 0;
        std::uint64_t limit = std::uint64_t{o.cap_count} + 1;
        for (const Slot* s = root; s; s = s->next()) {
            if (!expect(o, ++n <= limit, "derivation list longer than its count ", o.cap_count,
                        " (a cycle?)"))
                return;
            if (!expect(o, s->object() == &o, "a capability in its tree names ",
                        hex(reinterpret_cast<std::uintptr_t>(s->object()))))
                return;
            // Past the root nothing is at depth 0 (one object, one tree); the rest are the tree rules.
            if (s != root && !expect(o, s->depth() >= 1, "a second root in its derivation list")) return;
            const Slot* parent = nullptr;
            const preorder::LinkFault fault = preorder::link_fault<SlotLinks>(*s, limit, parent);
            if (!expect(o, fault == preorder::LinkFault::none, "a capability: ", preorder::describe(fault)))
                return;
            if (s != root) node(o, *s, *parent);
        }
        expect(o, n == o.cap_count, "derivation tree has ", n, " capabilities but the object counts ",
               o.cap_count);
    }

    /// The rules between a derived capability `s` and its `parent`.
    void node(const Object& o, const Slot& s, const Slot& parent) {
        expect(o, (s.rights() & ~parent.rights()) == 0, "a derived capability has rights ", hex(s.rights()),
               " beyond its parent's ", hex(parent.rights()));
        if (o.type != ObjectType::endpoint)
            expect(o, s.badge() == 0, "a badge on a non-endpoint capability");
        else
            expect(o, parent.badge() == 0 || parent.badge() == s.badge(),
                   "a derived capability changed its parent's badge");
    }

    /// The first capability of a derivation tree that lies in no live capability space, as a violation.
    void stray_capability() {
        std::size_t objects = 0;
        for (const Object* o = first_object(k_); o && objects <= bound_; o = next_object(o), ++objects) {
            std::uint64_t n = 0;
            for (const Slot* s = o->caps; s && n <= o->cap_count; s = s->next(), ++n)
                if (!expect(*o, in_some_space(s), "capability ", hex(reinterpret_cast<std::uintptr_t>(s)),
                            " lies in no live capability space"))
                    return;
        }
    }

    bool in_some_space(const Slot* s) const {
        std::size_t steps = 0;
        for (const Object* x = first_object(k_); x && steps <= bound_; x = next_object(x), ++steps)
            if (x->type == ObjectType::pd && as<Pd>(*x).space.selector_of(s) != 0) return true;
        return false;
    }

    void pd(const Pd& p) {
        expect(p, p.kernel == &k_, "belongs to another kernel");
        expect(p, CapSpace::valid_order(p.space.order()), "capability space of order ", p.space.order());
        expect(p, p.memory.top_level != nullptr, "has no top-level page table");
        quota(p);
        bool uses_ports = false;
        for (std::uint64_t sel = 1; sel < p.space.size() && !c_.failed(); ++sel) {
            const Slot* s = p.space.cap(sel);
            if (!s) continue;
            ++slots_;
            const Object* target = s->object();
            if (!expect(p, c_.is_live(target), "selector ", sel, " names a dead object")) return;
            uses_ports |= target->type == ObjectType::io_ports &&
                          (s->rights() & janus::abi::io_use_rights) == janus::abi::io_use_rights;
            bool listed = false;
            std::uint64_t steps = 0;
            for (const Slot* x = target->caps; x && steps <= target->cap_count; x = x->next(), ++steps)
                listed |= x == s;
            expect(p, listed, "selector ", sel, " is not in the derivation tree of the object it names");
        }
        // A port set decided at the current epoch must still be right (io_access.hpp): a change to a port
        // capability that did not bump the epoch would leave a domain with ports it no longer holds.
        if (p.io.epoch_seen == k_.io.epoch)
            expect(p, (p.io.key != 0) == uses_ports,
                   uses_ports ? "holds ports but its key says none" : "holds no port but has a port key");
        expect(p, p.io.key <= k_.io.last_key, "port key ", p.io.key, " was never handed out");
        std::size_t steps = 0;
        for (const Thread* t = p.threads; t && !c_.failed(); t = t->pd_next) {
            if (!expect(p, ++steps <= bound_, "thread list does not end")) return;
            expect(p, c_.is_live(t) && t->type == ObjectType::thread && t->pd == &p,
                   "its thread list holds something that is no thread of it");
            expect(p, t->pd_prev ? t->pd_prev->pd_next == t : p.threads == t, "thread list links are broken");
            for (const Thread* u = t->pd_next; u && steps <= bound_; u = u->pd_next)
                expect(p, u->utcb != t->utcb, "two threads share the UTCB page ", hex(t->utcb));
        }
    }

    void quota(const Pd& p) {
        std::uint64_t sum = 0;
        std::size_t steps = 0;
        for (const Object* o = p.paid; o && steps <= bound_; o = o->paid_next, ++steps) sum += o->charge;
        sum += p.memory.charge(); // mapping nodes and page tables (checked against the tables: kernel/mapdb)
        expect(p, sum == p.quota.used, "quota used is ", p.quota.used, " but its objects' charges add up to ",
               sum);
        expect(p, p.quota.used <= p.quota.limit, "quota used ", p.quota.used, " exceeds its limit ",
               p.quota.limit);
        limits_ += p.quota.limit;
    }

    void total_quota() {
        c_.expect(limits_ == k_.boot_quota, "the limits of all domains add up to ", limits_,
                  " but the boot quota is ", k_.boot_quota);
    }

    void thread(const Thread& t) {
        if (!expect(t, c_.is_live(t.pd) && t.pd->type == ObjectType::pd, "runs in a dead domain")) return;
        bool listed = false;
        std::size_t steps = 0;
        for (const Thread* x = t.pd->threads; x && steps <= bound_; x = x->pd_next, ++steps)
            listed |= x == &t;
        expect(t, listed, "is missing from its domain's thread list");
        expect(t, c_.is_live(t.reply) && t.reply->type == ObjectType::reply && t.reply->owner == &t,
               "has no reply object of its own");
        expect(t, t.utcb % Kmem::page_bytes == 0 && t.utcb <= spec::user_end - Kmem::page_bytes, "UTCB at ",
               hex(t.utcb), " is no user page");
        expect(t, t.utcb_page != nullptr, "has no UTCB page");
        expect(t, t.extended != nullptr && t.extended != t.utcb_page,
               "has no extended-state page of its own");
        expect(t, t.priority <= 255 && t.cpu < k_.cpu_count, "priority ", t.priority, " or CPU ", t.cpu,
               " out of range");
        weak(t, t.pager, ObjectType::endpoint);
        weak(t, t.exception_handler, ObjectType::endpoint);
    }

    void io_ports(const IoPorts& p) {
        expect(p, p.state == &k_.io, "does not report to the kernel's port bookkeeping");
        expect(p, p.count >= 1 && p.first < janus::abi::io_ports && p.count <= janus::abi::io_ports - p.first,
               "port range ", p.first, " + ", p.count, " outside the port space");
    }

    void mmio(const Mmio& m) {
        namespace flag = mapdb::flag;
        const mapdb::Node& a = m.anchor;
        expect(m,
               !a.pd && a.depth == 0 && !a.prev && a.rights == 0 &&
                   (a.flags == (flag::anchor | flag::uncached) ||
                    a.flags == (flag::anchor | flag::write_combining)),
               "anchor malformed: flags ", hex(a.flags));
        expect(m,
               m.pages() >= 1 && m.phys() % janus::abi::page_bytes == 0 &&
                   m.phys() < janus::abi::mmio_phys_limit &&
                   m.pages() <= (janus::abi::mmio_phys_limit - m.phys()) / janus::abi::page_bytes,
               "range ", hex(m.phys()), "+", m.pages(), " pages outside device memory's bounds");
        expect(m, k_.device_memory.is_device(m.phys(), m.phys() + m.pages() * janus::abi::page_bytes),
               "range ", hex(m.phys()), "+", m.pages(), " pages is not device memory");
        std::size_t steps = 0;
        bool listed = false;
        for (const mapdb::Node* x = k_.mmio_anchors; x && steps <= c_.object_bound(); x = x->right, ++steps) {
            listed |= x == &a;
            if (x == &a || (x->flags & flag::memory_type) == (a.flags & flag::memory_type)) continue;
            expect(m,
                   x->frame >= a.frame + a.va * janus::abi::page_bytes ||
                       a.frame >= x->frame + x->va * janus::abi::page_bytes,
                   "aliases a live mmio object of another memory type at ", hex(x->frame));
        }
        expect(m, listed, "its anchor is not on the kernel's list");
    }

    void irq(const Irq& i) {
        if (!expect(i, i.line < Kernel::irq_lines, "line ", i.line, " out of range")) return;
        expect(i, k_.irq_by_line[i.line] == &i, "is not the registered irq of line ", i.line);
        weak(i, i.notification, ObjectType::notification);
        if (i.notification.target())
            expect(i, i.notification.tag() <= 63, "bound to bit ", i.notification.tag());
    }

    void weak(const Object& holder, const WeakRef& ref, ObjectType target_type) {
        const Object* target = ref.target();
        if (!target) {
            expect(holder, ref.list() == nullptr, "an empty weak reference is still listed");
            return;
        }
        if (!expect(holder, c_.is_live(target) && target->type == target_type,
                    "a weak reference names a dead object or one of the wrong type"))
            return;
        const WeakRefList& list = target_type == ObjectType::endpoint ? as<Endpoint>(*target).referrers
                                                                      : as<Notification>(*target).referrers;
        expect(holder, ref.list() == &list, "a weak reference sits in the wrong list");
        bool listed = false;
        std::size_t steps = 0;
        for (const WeakRef* r = list.head(); r && steps <= 2 * bound_; r = r->next(), ++steps)
            listed |= r == &ref;
        expect(holder, listed, "a weak reference is missing from its target's list");
    }

    void referrers(const Object& o, const WeakRefList& list, ObjectType holder_type) {
        std::size_t steps = 0;
        for (const WeakRef* r = list.head(); r && !c_.failed(); r = r->next()) {
            if (!expect(o, ++steps <= 2 * bound_, "list of weak references does not end")) return;
            expect(o, r->target() == &o && r->list() == &list, "lists a weak reference to something else");
        }
        (void)holder_type;
    }

    void kernel_tables() {
        for (unsigned line = 0; line < Kernel::irq_lines; ++line) {
            const Irq* i = k_.irq_by_line[line];
            if (i)
                c_.expect(c_.is_live(i) && i->type == ObjectType::irq && i->line == line, "irq line ", line,
                          " is registered to a dead or different object");
            // Masking follows binding (kernel/ipc/irq_lines.cpp).
            const bool bound = i && c_.is_live(i) && i->notification.target();
            const bool unmasked = (k_.irq_lines_unmasked >> line) & 1;
            c_.expect(bound == unmasked, "irq line ", line,
                      bound ? " is bound but masked" : " is unmasked but unbound");
        }
        c_.expect((std::uint64_t{k_.irq_lines_unmasked} >> Kernel::irq_lines) == 0,
                  "irq lines unmasked beyond the last: ", hex(k_.irq_lines_unmasked));
        if (k_.root)
            c_.expect(c_.is_live(k_.root) && k_.root->payer == nullptr,
                      "the root domain is dead or has a payer");
        if (k_.irq_control)
            c_.expect(c_.is_live(k_.irq_control) && k_.irq_control->type == ObjectType::irq_control,
                      "irq_control is dead");
        if (k_.io_control)
            c_.expect(c_.is_live(k_.io_control) && k_.io_control->type == ObjectType::io_control,
                      "io_control is dead");
        if (k_.mmio_control)
            c_.expect(c_.is_live(k_.mmio_control) && k_.mmio_control->type == ObjectType::mmio_control,
                      "mmio_control is dead");
    }

    Checker& c_;
    const Kernel& k_;
    std::size_t bound_;
    std::uint64_t slots_ = 0;  ///< non-empty slots in all capability spaces
    std::uint64_t caps_ = 0;   ///< sum of the objects' capability counts
    std::uint64_t limits_ = 0; ///< sum of the domains' quota limits
};

} // namespace

CheckResult check_kernel(const Kernel& kernel) {
    Checker checker(kernel);
    Walk(checker).run();
    if (!checker.failed()) check_extensions(checker);
    CheckResult result{!checker.failed(), {}};
    const char* d = checker.description();
    for (std::size_t i = 0; d[i] && i + 1 < sizeof result.text; ++i) result.text[i] = d[i];
    return result;
}

} // namespace kernel
