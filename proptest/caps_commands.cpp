// Drawing random syscalls from the model state, running them on kernel and model, comparing the outcomes.
#include "proptest/caps_commands.hpp"

#include <algorithm>
#include <ostream>
#include <set>
#include <sstream>

namespace proptest::caps {

namespace abi = janus::abi;
namespace fp = janus::abi::fpage;
namespace r = janus::abi::rights;
using models::caps::Error;
using models::caps::ObjectType;
using Sys = janus::abi::Syscall;

namespace {

constexpr Word kSelectorWindow =
    48; ///< new capabilities go to low selectors, so slots get reused and collide
constexpr Word kPage = 4096;

using CapModel = models::caps::Model; // inside Call, `Model` is RapidCheck's name for World

/// Uniform in [lo, hi) whatever the current size (RapidCheck scales inRange by size); shrinks towards lo.
Word uniform(Word lo, Word hi) {
    return *rc::gen::resize(rc::kNominalSize, rc::gen::inRange<Word>(lo, hi));
}

Word any_word() {
    return *rc::gen::resize(rc::kNominalSize, rc::gen::arbitrary<Word>());
}

Word percent() {
    return uniform(0, 100);
}

template <typename T>
T one_of(const std::vector<T>& choices) {
    return choices.at(uniform(0, choices.size()));
}

std::vector<Word> selectors(const CapModel& m, ObjId pd, ObjectType want) {
    std::vector<Word> out;
    for (const auto& [sel, cap] : m.cspace(pd))
        if (want == ObjectType::none || cap.type == want) out.push_back(sel);
    return out;
}

/// A selector the caller should not be able to use: 0, just outside the space, far outside, or empty.
Word forged(const CapModel& m, ObjId pd) {
    Word n = m.slots(pd);
    return one_of<Word>({0, n, n + 1, n - 1, Word{1} << 20, ~Word{0}});
}

/// A selector of the caller's PD: mostly a live capability of the wanted type, else any live one, else an
/// empty or forged one.
Word pick(const CapModel& m, ObjId pd, ObjectType want) {
    auto typed = selectors(m, pd, want), any = selectors(m, pd, ObjectType::none);
    Word k = percent();
    if (k < 65 && !typed.empty()) return one_of(typed);
    if (k < 88 && !any.empty()) return one_of(any);
    if (k < 94) return uniform(1, std::min(m.slots(pd), kSelectorWindow));
    return forged(m, pd);
}

/// A destination selector in `pd` (0 when `pd` is no live PD): mostly a free slot of the low window.
Word pick_dest(const CapModel& m, ObjId pd) {
    if (m.type_of(pd) != ObjectType::pd) return uniform(0, kSelectorWindow);
    std::vector<Word> free;
    for (Word sel = 1; sel < std::min(m.slots(pd), kSelectorWindow); ++sel)
        if (!m.cap_at(pd, sel)) free.push_back(sel);
    Word k = percent();
    if (k < 82 && !free.empty()) return one_of(free);
    auto any = selectors(m, pd, ObjectType::none);
    if (k < 91 && !any.empty()) return one_of(any);
    return forged(m, pd);
}

/// The PD a selector of `pd` names in the model, or 0.
ObjId pd_named(const CapModel& m, ObjId pd, Word sel) {
    auto cap = m.cap_at(pd, sel);
    return cap && cap->type == ObjectType::pd ? cap->object : 0;
}

/// Depth of a capability in its derivation tree (model bookkeeping).
std::size_t depth(const CapModel& m, models::caps::CapId id) {
    std::size_t d = 0;
    for (auto up = m.state().caps.at(id).parent; up; up = m.state().caps.at(up).parent) ++d;
    return d;
}

/// The selectors of the caller's capabilities with grant that sit deepest in their derivation trees: copying
/// from them grows deep trees for revoke and delete to cut down.
std::vector<Word> deepest_grantable(const CapModel& m, ObjId pd) {
    std::vector<Word> out;
    std::size_t best = 0;
    for (const auto& [sel, id] : m.state().pds.at(pd).slots) {
        if (!models::caps::has_rights(m.state().caps.at(id).rights, r::grant)) continue;
        std::size_t d = depth(m, id);
        if (d > best) out.clear(), best = d;
        if (d == best) out.push_back(sel);
    }
    return out;
}

/// The selectors of the caller's capabilities that have derived capabilities (the trees to cut down).
std::vector<Word> with_descendants(const CapModel& m, ObjId pd) {
    std::vector<Word> out;
    for (const auto& [sel, id] : m.state().pds.at(pd).slots)
        for (const auto& [other, cap] : m.state().caps)
            if (cap.parent == id) {
                out.push_back(sel);
                break;
            }
    return out;
}

Word pick_rights(Word base) {
    Word k = percent();
    if (k < 30) return base & ~(Word{1} << uniform(0, 5)); // all but one
    if (k < 70) return base & uniform(0, 32);
    if (k < 96) return uniform(0, 32);
    return any_word();
}

Word pick_badge() {
    if (percent() < 75) return 0;
    return one_of<Word>({1, 2, 0xbeef, ~Word{0}});
}

Word in_range_or_not(Word limit) {
    if (percent() < 90) return uniform(0, limit);
    return one_of<Word>({limit, limit + 1, ~Word{0}});
}

/// A user page: mostly in a few small windows (so pages collide), sometimes misaligned or outside user space.
Word pick_page() {
    Word k = percent();
    if (k < 85) {
        Word region = one_of<Word>({0, 0x200000, 0x40000000, Word{1} << 39});
        return region + uniform(0, 24) * kPage;
    }
    if (k < 92) return uniform(0, 24) * kPage + uniform(1, kPage);
    return one_of<Word>({abi::user_end - kPage, abi::user_end, abi::user_end + kPage, ~Word{0} << 12});
}

/// A flexpage: mostly around the caller's mapped pages, with well-formed orders; sometimes malformed.
Word pick_fpage(const CapModel& m, ObjId pd, Word rights) {
    Word k = percent();
    unsigned order = k < 75   ? unsigned(uniform(12, 15))
                     : k < 92 ? unsigned(uniform(12, 22))
                              : unsigned(one_of<Word>({0, 11, 22, 63}));
    std::vector<Word> mapped;
    for (const auto& [page, view] : m.address_space(pd)) mapped.push_back(page);
    Word base = !mapped.empty() && percent() < 80 ? one_of(mapped) : pick_page();
    if (order < 64 && percent() < 95) base &= ~((Word{1} << order) - 1);
    base &= ~Word{0xfff};
    Word f = base | (rights & fp::rights_mask) << fp::rights_shift | order;
    if (percent() < 4) f |= one_of<Word>({0x200, 0x400, 0x800});
    return f;
}

Word pick_flags() {
    if (percent() < 92) return uniform(0, 2);
    return one_of<Word>({2, 3, ~Word{0}});
}

/// A caller: mostly the boot thread while it lives, else any live thread (one always lives: the caller of the
/// previous call survives it, else that call was a self_reference).
ObjId pick_caller(const World& w) {
    auto threads = w.model.live(ObjectType::thread);
    bool boot_alive = w.model.type_of(w.boot_thread) == ObjectType::thread;
    if (boot_alive && (percent() < 70 || threads.size() == 1)) return w.boot_thread;
    return one_of(threads);
}

/// A syscall number the spec does not define (just above its highest).
Word unused_number() {
    Word highest = 0;
    for (const auto& spec : abi::syscalls) highest = std::max(highest, Word(spec.number));
    return highest + 1;
}

Word pick_number(bool memory) {
    using P = std::pair<std::size_t, Word>;
    std::vector<P> weights = {
        {8, Word(Sys::pd_create)},
        {6, Word(Sys::thread_create)},
        {4, Word(Sys::thread_configure)},
        {8, Word(Sys::endpoint_create)},
        {5, Word(Sys::notification_create)},
        {5, Word(Sys::irq_create)},
        {6, Word(Sys::irq_bind)},
        {5, Word(Sys::io_create)},
        {8, Word(Sys::mmio_create)},
        {20, Word(Sys::cap_copy)},
        {7, Word(Sys::cap_grant)},
        {8, Word(Sys::cap_revoke)},
        {9, Word(Sys::cap_delete)},
        {4, Word(Sys::cap_info)},
        {2, Word(Sys::pd_quota)},
        {1, 0},
        {1, unused_number()},
    };
    if (memory) {
        weights.push_back({9, Word(Sys::mem_map)});
        weights.push_back({5, Word(Sys::mem_unmap)});
        weights.push_back({9, Word(Sys::mmio_map)});
    }
    std::size_t total = 0;
    for (const auto& [weight, n] : weights) total += weight;
    std::size_t k = uniform(0, total);
    for (const auto& [weight, n] : weights) {
        if (k < weight) return n;
        k -= weight;
    }
    return 0;
}

} // namespace

Call::Call(const World& w) {
    const CapModel& m = w.model;
    caller = pick_caller(w);
    ObjId me = m.pd_of_thread(caller);
    number = pick_number(w.memory);
    for (Word& arg : args) arg = any_word(); // unused registers carry garbage
    auto& a = args;
    switch (Sys(number)) {
    case Sys::pd_create: {
        a[0] = pick_dest(m, me);
        Word order = percent() < 90 ? uniform(4, 7) : one_of<Word>({3, 12, 13, 64});
        Word free = m.limit(me) - m.used(me);
        Word charge =
            abi::charge::pd + abi::charge::page_table + (order < 13 ? abi::charge::cap_slot << order : 0);
        Word exact = free > charge ? free - charge : 0;
        Word k = percent();
        a[1] = k < 45   ? uniform(0, 0x10000)
               : k < 60 ? exact
               : k < 68 ? exact + 1
               : k < 85 ? free / uniform(2, 9)
               : k < 95 ? uniform(0, free + 1)
                        : any_word();
        a[2] = order;
        break;
    }
    case Sys::thread_create:
        a[0] = pick_dest(m, me);
        a[1] = pick(m, me, ObjectType::pd);
        a[2] = pick_page();
        a[3] = in_range_or_not(256);
        a[4] = in_range_or_not(m.config().cpus);
        break;
    case Sys::thread_configure:
        a[0] = pick(m, me, ObjectType::thread);
        a[1] = percent() < 20 ? 0 : pick(m, me, ObjectType::endpoint);
        a[2] = percent() < 20 ? 0 : pick(m, me, ObjectType::endpoint);
        break;
    case Sys::endpoint_create:
    case Sys::notification_create:
        a[0] = pick_dest(m, me);
        break;
    case Sys::irq_create:
        a[0] = pick_dest(m, me);
        a[1] = pick(m, me, ObjectType::irq_control);
        a[2] = in_range_or_not(m.config().irq_lines);
        break;
    case Sys::io_create: {
        a[0] = pick_dest(m, me);
        a[1] = pick(m, me, ObjectType::io_control);
        // Mostly small valid ranges (some overlapping, some at the top of the port space), sometimes a count
        // of 0, a first beyond the space or a count that runs past it or wraps.
        const Word p = percent();
        a[2] = p < 10   ? abi::io_ports - 1 - in_range_or_not(4)
               : p < 15 ? abi::io_ports + in_range_or_not(4)
                        : 0x3f8 + in_range_or_not(16);
        a[3] =
            percent() < 10 ? (percent() < 50 ? 0 : ~Word{0} - in_range_or_not(2)) : 1 + in_range_or_not(16);
        break;
    }
    case Sys::mmio_create: {
        a[0] = pick_dest(m, me);
        a[1] = pick(m, me, ObjectType::mmio_control);
        // Mostly the test machine's device memory (the VGA hole, the ECAM window) in both memory types, so
        // objects overlap and alias; sometimes RAM, its edges, an APIC page, a misaligned or huge range.
        a[2] = one_of<Word>({0xb8000, 0xb8000, 0xbc000, 0xe000'0000, 0xe000'0000, 0x9f000, 0x100000, 0xa0000,
                             0xfee0'0000, 0xb8800, abi::mmio_phys_limit - 0x1000, ~Word{0} - 0xfff});
        a[3] = percent() < 80   ? 1 + in_range_or_not(8)
               : percent() < 50 ? 256 // large objects, so mappings of them can exhaust a domain's quota
                                : one_of<Word>({0, ~Word{0} / 4096, 0x10000});
        a[4] = percent() < 90 ? in_range_or_not(1) : 2;
        break;
    }
    case Sys::irq_bind:
        a[0] = pick(m, me, ObjectType::irq);
        a[1] = pick(m, me, ObjectType::notification);
        a[2] = in_range_or_not(64);
        break;
    case Sys::cap_copy:
    case Sys::cap_grant: {
        bool extend = percent() < 60 && !deepest_grantable(m, me).empty();
        a[0] = extend ? one_of(deepest_grantable(m, me)) : pick(m, me, ObjectType::none);
        a[1] = pick(m, me, ObjectType::pd);
        if (extend && percent() < 75) // within the caller's own space, where the chain stays within reach
            for (Word sel : selectors(m, me, ObjectType::pd))
                if (pd_named(m, me, sel) == me) a[1] = sel;
        a[2] = pick_dest(m, pd_named(m, me, a[1]));
        if (percent() < 8) { // into the slot it comes from
            for (Word sel : selectors(m, me, ObjectType::pd))
                if (pd_named(m, me, sel) == me) a[1] = sel;
            a[2] = a[0];
        }
        auto src = m.cap_at(me, a[0]);
        a[3] = pick_rights(src ? src->rights : r::all);
        if (extend) a[3] |= src->rights & r::grant; // so the chain can grow further
        if (Sys(number) == Sys::cap_copy) a[4] = pick_badge();
        break;
    }
    case Sys::cap_revoke:
    case Sys::cap_delete: {
        auto parents = with_descendants(m, me);
        a[0] = !parents.empty() && percent() < 50 ? one_of(parents) : pick(m, me, ObjectType::none);
        break;
    }
    case Sys::cap_info:
        a[0] = pick(m, me, ObjectType::none);
        break;
    case Sys::mem_map:
        a[0] = pick_fpage(m, me, uniform(0, 8));
        a[1] = pick(m, me, ObjectType::pd);
        a[2] = pick_page();
        a[3] = pick_flags();
        break;
    case Sys::mmio_map:
        a[0] = pick(m, me, ObjectType::mmio);
        a[1] = pick(m, me, ObjectType::pd);
        a[2] = pick_page();
        a[3] = in_range_or_not(4);
        a[4] = percent() < 90 ? 1 + in_range_or_not(3) : one_of<Word>({0, 64, 256});
        // Mostly read with write or grant; sometimes no read, exec, or bits above the rights.
        a[5] = percent() < 85 ? (r::read | one_of<Word>({0, r::write, r::grant, r::write | r::grant}))
                              : one_of<Word>({0, r::write, r::read | r::exec, r::all, ~Word{0}});
        break;
    case Sys::mem_unmap:
        a[0] = pick_fpage(m, me, percent() < 92 ? 0 : uniform(1, 8));
        a[1] = pick_flags();
        break;
    case Sys::pd_quota:
    default:
        break;
    }
}

void Call::checkPreconditions(const World& w) const {
    RC_PRE(w.model.type_of(caller) == ObjectType::thread);
    RC_PRE(w.memory ||
           (number != Word(Sys::mem_map) && number != Word(Sys::mem_unmap) && number != Word(Sys::mmio_map)));
}

void Call::apply(World& w) const {
    w.model.syscall(caller, number, args);
}

namespace {

std::string describe(const Outcome& o) {
    std::ostringstream os;
    os << abi::errors[std::size_t(o.status) < abi::error_count ? std::size_t(o.status) : 0].name << " {"
       << std::hex << o.regs[0] << ", " << o.regs[1] << ", " << o.regs[2] << "}";
    if (std::size_t(o.status) >= abi::error_count) os << " (status " << std::dec << Word(o.status) << ")";
    return os.str();
}

bool creates(Word number) {
    switch (Sys(number)) {
    case Sys::pd_create:
    case Sys::thread_create:
    case Sys::endpoint_create:
    case Sys::notification_create:
    case Sys::irq_create:
    case Sys::io_create:
    case Sys::mmio_create:
        return true;
    default:
        return false;
    }
}

} // namespace

void Call::run(const World& w, CapsSut& sut) const {
    World next = w;
    Outcome want = next.model.syscall(caller, number, args);
    Outcome got = sut.syscall(caller, number, args);
    if (got != want) RC_FAIL("kernel returned " + describe(got) + ", the model " + describe(want));
    if (want.status == Error::ok && creates(number)) {
        ObjId me = next.model.pd_of_thread(caller);
        sut.bind(next.model.cap_at(me, args[0])->object, me, args[0]);
    }
    compare_state(next, sut);
}

namespace {

ObjectView expected_view(const CapModel& m, ObjId id) {
    const models::caps::Object& o = m.state().objects.at(id);
    ObjectView v;
    v.payer = o.payer;
    v.charge = o.charge;
    if (o.type == ObjectType::thread) {
        v.pd = o.holder;
        v.utcb = o.utcb;
        v.prio = o.prio;
        v.cpu = o.cpu;
        v.pager = o.pager;
        v.pager_badge = o.pager_badge;
        v.exception = o.exception;
        v.exception_badge = o.exception_badge;
    }
    if (o.type == ObjectType::irq) {
        v.line = o.line;
        v.notification = o.bound_to;
        v.bit = o.bit;
    }
    return v;
}

std::string show_view(const ObjectView& v) {
    std::ostringstream os;
    os << "payer #" << v.payer << " charge " << v.charge << " pd #" << v.pd << std::hex << " utcb 0x"
       << v.utcb << std::dec << " prio " << v.prio << " cpu " << v.cpu << " pager #" << v.pager << "/"
       << v.pager_badge << " exception #" << v.exception << "/" << v.exception_badge << " line " << v.line
       << " notification #" << v.notification << " bit " << v.bit;
    return os.str();
}

} // namespace

void compare_state(const World& w, CapsSut& sut) {
    const CapModel& m = w.model;
    for (const auto& [id, o] : m.state().objects) {
        ObjectView want = expected_view(m, id), got = sut.object(id);
        if (got != want)
            RC_FAIL("object #" + std::to_string(id) + ": kernel (" + show_view(got) + "), model (" +
                    show_view(want) + ")");
    }
    for (ObjId pd : m.live(ObjectType::pd)) {
        // Only a failure message needs it.
        auto where = [pd] { return "pd#" + std::to_string(pd) + ": "; };
        auto [limit, used] = sut.quota(pd);
        if (limit != m.limit(pd) || used != m.used(pd)) {
            std::ostringstream os;
            os << where() << "quota kernel (limit " << limit << ", used " << used << "), model (limit "
               << m.limit(pd) << ", used " << m.used(pd) << ")";
            RC_FAIL(os.str());
        }
        auto caps = m.cspace(pd);
        std::vector<Word> want_slots;
        for (const auto& [sel, cap] : caps) want_slots.push_back(sel);
        std::vector<Word> got_slots = sut.occupied(pd);
        std::sort(got_slots.begin(), got_slots.end());
        if (got_slots != want_slots) {
            std::ostringstream os;
            os << where() << "occupied slots differ; kernel:";
            for (Word s : got_slots) os << ' ' << s;
            os << "; model:";
            for (Word s : want_slots) os << ' ' << s;
            RC_FAIL(os.str());
        }
        for (const auto& [sel, want] : caps) {
            auto got = sut.cap(pd, sel);
            if (!got || got->type != want.type || got->rights != want.rights || got->badge != want.badge ||
                got->object != want.object) {
                std::ostringstream os;
                os << where() << "slot " << sel << ": model (type " << Word(want.type) << ", rights 0x"
                   << std::hex << want.rights << ", badge 0x" << want.badge << std::dec << ", object #"
                   << want.object << ")";
                if (got)
                    os << ", kernel (type " << Word(got->type) << ", rights 0x" << std::hex << got->rights
                       << ", badge 0x" << got->badge << std::dec << ", object #" << got->object << ")";
                else
                    os << ", kernel: empty";
                RC_FAIL(os.str());
            }
        }
        if (w.memory) {
            // Both in address order, into buffers kept from call to call: a fuzz run compares every domain
            // after most of its steps, and building maps of every page was most of the comparison's time.
            static thread_local models::caps::PageList got, want;
            sut.address_space(pd, got);
            m.address_space(pd, want);
            if (got != want) {
                const std::map<Word, PageView> got_map(got.begin(), got.end()),
                    want_map(want.begin(), want.end());
                std::ostringstream os;
                os << where() << "address spaces differ (kernel " << got.size() << " pages, model "
                   << want.size() << ")" << std::hex;
                for (const auto& [page, v] : want_map)
                    if (!got_map.count(page) || got_map.at(page) != v)
                        os << "; model " << page << " -> " << v.frame << "/" << v.rights;
                for (const auto& [page, v] : got_map)
                    if (!want_map.count(page) || want_map.at(page) != v)
                        os << "; kernel " << page << " -> " << v.frame << "/" << v.rights;
                RC_FAIL(os.str());
            }
        }
    }
    // Ports: the kernel's enforced set against the model's at every range boundary and a fixed sample.
    for (ObjId pd : m.live(ObjectType::pd)) {
        const auto ranges = m.usable_ports(pd);
        static thread_local std::vector<Word> probes;
        probes.assign({0, 0x3f7, 0x3f8, 0x3ff, 0x400, 0x407, 0x408, 0xfffb, abi::io_ports - 1});
        for (const auto& [first, end] : ranges) probes.insert(probes.end(), {first - 1, first, end - 1, end});
        std::sort(probes.begin(), probes.end());
        probes.erase(std::unique(probes.begin(), probes.end()), probes.end());
        for (Word port : probes) {
            if (port >= abi::io_ports) continue;
            bool want = false;
            for (const auto& [first, end] : ranges) want = want || (port >= first && port < end);
            if (sut.port_usable(pd, port) != want)
                RC_FAIL("pd#" + std::to_string(pd) + ": port 0x" +
                        [port] {
                            std::ostringstream os;
                            os << std::hex << port;
                            return os.str();
                        }() +
                        (want ? " usable in the model but not in the kernel"
                              : " usable in the kernel but not in the model"));
        }
    }
    std::map<ObjectType, std::size_t> want_census;
    for (const auto& [id, o] : m.state().objects) ++want_census[o.type];
    auto got_census = sut.census();
    if (got_census != want_census) {
        std::ostringstream os;
        os << "live objects by type (type:count) differ; kernel";
        for (const auto& [type, n] : got_census) os << ' ' << Word(type) << ':' << n;
        os << "; model";
        for (const auto& [type, n] : want_census) os << ' ' << Word(type) << ':' << n;
        RC_FAIL(os.str());
    }
    std::string broken = sut.invariants();
    if (!broken.empty()) RC_FAIL("kernel invariant: " + broken);
}

const char* syscall_name(Word number) {
    auto* spec = abi::find(number);
    return spec ? spec->name : "bad_syscall";
}

void Call::show(std::ostream& os) const {
    os << "thread#" << caller << " " << syscall_name(number) << "(" << std::hex;
    auto* spec = abi::find(number);
    std::size_t n = spec ? spec->arg_count : 0;
    for (std::size_t i = 0; i < n; ++i) os << (i ? ", " : "") << spec->args[i].name << "=0x" << args[i];
    if (!spec) os << "rax=0x" << number;
    os << std::dec << ")";
}

} // namespace proptest::caps
