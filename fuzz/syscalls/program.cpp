#include "fuzz/syscalls/program.hpp"

#include <array>
#include <string_view>

#include "fuzz/syscalls/scan.hpp"
#include "kernel/abi/ipc.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace fuzzsys {

namespace {

using Type = abi::ObjectType;
constexpr unsigned event_kinds = 3; // advance, interrupt, utcb

/// A wide value from the record's extra bytes and one choice byte (SplitMix64 finaliser).
Word literal(const std::uint8_t* rec, std::uint8_t v, unsigned salt) {
    Word z = Word{rec[14]} | Word{rec[15]} << 8 | Word{v} << 16 | Word{salt} << 24;
    z += 0x9e3779b97f4a7c15;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
}

constexpr Word interesting[] = {0,
                                1,
                                2,
                                4,
                                5,
                                8,
                                11,
                                12,
                                13,
                                23,
                                24,
                                63,
                                64,
                                127,
                                255,
                                256,
                                4095,
                                4096,
                                8192,
                                16384,
                                65536,
                                131072,
                                262144,
                                1 << 20,
                                1ull << 32,
                                1ull << 63,
                                ~Word{0},
                                ~Word{0} - 1,
                                abi::user_end,
                                abi::user_end - 4096};

/// The object type a selector argument wants, from its name; none: any capability.
Type wanted(std::string_view name) {
    struct Alias {
        std::string_view name;
        Type type;
    };
    static constexpr Alias aliases[] = {
        {"pd", Type::pd},
        {"thread", Type::thread},
        {"ep", Type::endpoint},
        {"pager", Type::endpoint},
        {"exception", Type::endpoint},
        {"notification", Type::notification},
        {"irq", Type::irq},
        {"control", Type::irq_control},
        {"reply", Type::reply},
        {"io_control", Type::io_control},
        {"mmio_control", Type::mmio_control},
        {"mmio", Type::mmio},
    };
    for (const Alias& a : aliases)
        if (a.name == name) return a.type;
    return Type::none;
}

Word live_of(const kernel::CapSpace& space, std::uint8_t v, Type type) {
    return nth_live(space, v, type);
}

Word empty_of(const kernel::CapSpace& space, std::uint8_t v) {
    return nth_empty(space, v);
}

Word forged(const kernel::CapSpace& space, std::uint8_t v) {
    const Word size = space.size();
    const Word table[] = {0, size - 1, size, size + v, Word{1} << 32 | v, ~Word{0}, v, Word{1} << 63};
    return table[v % 8];
}

/// The UTCB page of some actor (a destination that is already mapped), or a page near it.
Word some_utcb(Sandbox& w, std::uint8_t v) {
    unsigned n = w.actor_count();
    for (unsigned i = 0; i < n; ++i)
        if (kernel::Thread* t = w.actor((v + i) % n)) return t->utcb;
    return w.options().root_utcb;
}

struct Gen {
    Sandbox& w;
    kernel::Thread& self;
    const std::uint8_t* rec;
    kernel::Pd* target = nullptr;         ///< the domain an earlier `pd` argument names
    const kernel::Slot* source = nullptr; ///< the capability an earlier selector argument names

    Word sel(std::string_view name, std::uint8_t m, std::uint8_t v) {
        const bool dest = name == "dest";
        const kernel::CapSpace& space = dest && target ? target->space : self.pd->space;
        Word s = 0;
        switch (m % 8) {
        case 7:
            s = forged(space, v);
            break;
        case 6:
            s = dest ? live_of(space, v, Type::none) : empty_of(space, v);
            break;
        default:
            if (dest) {
                s = empty_of(space, v);
            } else {
                s = live_of(space, v, m % 8 == 5 ? Type::none : wanted(name));
                if (s == 0) s = live_of(space, v, Type::none);
            }
            break;
        }
        if (!dest) {
            const kernel::Slot* slot = space.cap(s);
            if (slot && name == "pd" && slot->object()->type == Type::pd)
                target = &kernel::as<kernel::Pd>(*slot->object());
            if (slot && !source) source = slot;
        }
        return s;
    }

    /// The v-th (cyclically) page of the caller's own mappings, or 0x400000 if it maps none.
    Word mapped_page(std::uint8_t v) const { return nth_mapped_page(*self.pd, v, 0x400000); }

    Word rights(std::uint8_t m, std::uint8_t v) const {
        const Word have = source ? source->rights() : abi::rights::all;
        switch (m % 8) {
        case 4:
        case 5:
            return have & v; // a subset of the source's
        case 6:
            return have | Word{1} << (v % 5); // maybe one right too many
        case 7:
            return v & 1 ? ~Word{0} : (Word{v} << 5 | (v & abi::rights::all)); // reserved bits
        default:
            return v & abi::rights::all;
        }
    }

    Word badge(std::uint8_t m, std::uint8_t v) const {
        switch (m % 4) {
        case 2:
            return v;
        case 3:
            return literal(rec, v, 3);
        default:
            return 0;
        }
    }

    Word fpage(std::uint8_t m, std::uint8_t v) const {
        static constexpr unsigned edge_orders[] = {0, 11, 22, 63};
        const unsigned order =
            (m & 0x30) == 0x30 ? edge_orders[v & 3] : abi::fpage::min_order + (v >> 2) % 10;
        const Word size = order < 64 ? Word{1} << order : 0;
        Word base = 0;
        switch (m % 8) {
        case 0:
            base = 0;
            break;
        case 1:
            base = some_utcb(w, v);
            break;
        case 2: // a page the caller maps (its memory is a resource like its capabilities), aligned down
            base = mapped_page(v) & ~(size - 1);
            break;
        case 3:
            base = abi::user_end - size;
            break;
        case 4:
            base = abi::user_end;
            break;
        case 5:
            base = 0xffff'8000'0000'0000;
            break;
        case 6:
            base = (literal(rec, v, 6) & 0x7fff'ffff'f000) & ~(size - 1);
            break;
        default:
            base = Word{0x200000} * (v % 16) + (m & 0x40 ? 0x1000 : 0); // maybe misaligned for the order
            break;
        }
        Word f = abi::fpage::make(base & ~Word{0xfff}, order & abi::fpage::order_mask, (m >> 3) & 7);
        if ((m & 0xc0) == 0xc0) f |= Word{v} % 8 << 9; // reserved bits
        return f;
    }

    Word vaddr(std::uint8_t m, std::uint8_t v) const {
        switch (m % 8) {
        case 0:
            return Word{0x1000} * (1 + v % 48); // low pages, where UTCBs and the boot memory live
        case 1:
            return mapped_page(v) + (v & 1 ? 0 : 0x1000); // on or right after one of the caller's pages
        case 2:
            return some_utcb(w, v);
        case 3:
            return abi::user_end - 4096;
        case 4:
            return abi::user_end - (v & 1 ? 0 : 4096) + (v & 2 ? 1 : 0);
        case 5:
            return 0x1000 * (1 + v % 16) + 1 + v; // misaligned
        case 6:
            return v & 1 ? 0xffff'8000'0000'0000 : 0;
        default:
            return literal(rec, v, 7) & (v & 1 ? ~Word{0} : 0x7fff'ffff'f000);
        }
    }

    Word word(std::string_view name, std::uint8_t m, std::uint8_t v, unsigned index) const {
        if (name == "info" && m % 8 < 6) {
            // label, untyped words (mostly fitting, sometimes too many) and typed items (sometimes too many)
            unsigned words = m & 8 ? v % 66 : v % 8;
            unsigned items = m & 16 ? (v >> 3) % 10 : (v >> 6) % 3;
            Word info = abi::msg::info(m & 0x20 ? literal(rec, v, index) >> 16 : v >> 4, words, items);
            if ((m & 0xc0) == 0xc0) info |= abi::msg::reserved_mask & (Word{v} << 12);
            return info;
        }
        if (name == "timeout") {
            switch (m % 4) {
            case 0:
                return abi::timeout_poll;
            case 1:
                return abi::timeout_never;
            case 2:
                return Word{v} * 1000;
            default:
                return literal(rec, v, index) >> (v % 64);
            }
        }
        switch (m % 8) {
        case 4:
            return interesting[v % (sizeof interesting / sizeof interesting[0])];
        case 5:
            return Word{1} << (v % 64);
        case 6:
            return (Word{1} << (v % 64)) - 1;
        case 7:
            return literal(rec, v, index);
        default:
            break;
        }
        // A quota that leaves the caller almost nothing: what it has left, less the charges of a domain with
        // 2^(v % 14) slots (pd_create's own), less a few bytes. No other value lands in that window, and only
        // an exhausted caller reaches the quota checks of the small objects (endpoint, notification, irq).
        if (name == "quota" && m % 8 == 3) {
            const Word left = self.pd->quota.available();
            const Word charges =
                abi::charge::pd + abi::charge::page_table + (abi::charge::cap_slot << (v % 14));
            return left > charges + v % 4 ? left - charges - v % 4 : 0;
        }
        // Small numbers, in the range the argument's name suggests with one past its end.
        if (name == "cpu") return v % (w.cpus() + 1);
        if (name == "line") return v % (abi::irq_lines + 1);
        if (name == "bit") return v % 65;
        if (name == "cap_order") return v % 14;
        if (name == "flags") return v % 3;
        return v;
    }
};

unsigned pick_actor(Sandbox& w, std::uint8_t choice, int cpu_filter, bool& found) {
    unsigned eligible[64];
    unsigned n = 0;
    for (unsigned a = 0; a < w.actor_count() && n < 64; ++a)
        if (w.can_call(a) && (cpu_filter < 0 || w.actor(a)->cpu == static_cast<unsigned>(cpu_filter)))
            eligible[n++] = a;
    found = n > 0;
    return n ? eligible[choice % n] : 0;
}

void syscall_step(Sandbox& w, unsigned a, const abi::SyscallSpec& spec, const std::uint8_t* rec) {
    Gen g{w, *w.actor(a), rec};
    Args args{};
    for (std::size_t i = 0; i < spec.arg_count; ++i) {
        const std::uint8_t m = rec[2 + 2 * i], v = rec[3 + 2 * i];
        const std::string_view name = spec.args[i].name;
        switch (spec.args[i].type) {
        case abi::ArgType::sel:
            args[i] = g.sel(name, m, v);
            break;
        case abi::ArgType::rights:
            args[i] = g.rights(m, v);
            break;
        case abi::ArgType::badge:
            args[i] = g.badge(m, v);
            break;
        case abi::ArgType::fpage:
            args[i] = g.fpage(m, v);
            break;
        case abi::ArgType::vaddr:
            args[i] = g.vaddr(m, v);
            break;
        case abi::ArgType::word:
            args[i] = g.word(name, m, v, static_cast<unsigned>(i));
            break;
        }
    }
    w.call(a, static_cast<Word>(spec.number), args);
}

void unknown_step(Sandbox& w, unsigned a, const std::uint8_t* rec) {
    Word highest = 0;
    for (const abi::SyscallSpec& s : abi::syscalls)
        if (static_cast<Word>(s.number) > highest) highest = static_cast<Word>(s.number);
    const Word numbers[] = {0,        highest + 1,  highest + 1 + Word{rec[3]} % 32, Word{1} << 32 | 1,
                            ~Word{0}, Word{1} << 63};
    Args args{};
    for (std::size_t i = 0; i < args.size(); ++i) args[i] = rec[4 + i] & 1 ? literal(rec, rec[4 + i], 9) : 0;
    w.call(a, numbers[rec[2] % 6], args);
}

void utcb_step(Sandbox& w, unsigned a, const std::uint8_t* rec) {
    Gen g{w, *w.actor(a), rec};
    const auto field = static_cast<UtcbField>(rec[2] % utcb_field_count);
    const std::uint8_t index = rec[3], m = rec[4], v = rec[5];
    Word value = 0;
    const kernel::CapSpace& space = g.self.pd->space;
    switch (field) {
    case UtcbField::mr:
        value = g.word("", m, v, 1);
        break;
    case UtcbField::item:
        if (index % 2 == 0) { // the descriptor
            switch (m % 4) {
            case 0:
            case 1:
                value = abi::item::cap(v & abi::rights::all, m & 4);
                break;
            case 2:
                value = abi::item::memory(Word{v} << 12, m & 4);
                break;
            default:
                value = literal(rec, v, 10); // unknown kinds, reserved bits
                break;
            }
        } else { // what it names: a selector or a flexpage
            value = m % 4 == 3 ? g.fpage(rec[6], v) : g.sel("", m, v);
        }
        break;
    case UtcbField::reply_sel:
        value = m % 4 == 3 ? g.sel("", m, v) : (m % 4 == 2 ? 0 : empty_of(space, v));
        break;
    case UtcbField::cap_window:
        value =
            m % 4 == 3 ? literal(rec, v, 11) : abi::window::caps(empty_of(space, v), m % 4 == 2 ? v : v % 4);
        break;
    case UtcbField::mem_window:
        value = m % 4 == 3 ? 0 : g.fpage(rec[6], v);
        break;
    }
    w.utcb(a, field, index, value);
}

} // namespace

std::size_t step_kinds() {
    return abi::syscall_count + 1 + event_kinds;
}

void run_record(Sandbox& w, const std::uint8_t (&rec)[record_bytes], int cpu_filter) {
    const std::size_t kind = rec[0] % step_kinds();
    if (kind == abi::syscall_count + 1) { // time passes
        static constexpr Word ns[] = {1, 100, 1000, 10'000, 100'000, 1'000'000, 1'000'000'000, Word{1} << 40};
        w.advance(ns[rec[2] % 8] * (1 + rec[3] % 4));
        return;
    }
    if (kind == abi::syscall_count + 2) { // an interrupt line fires
        w.interrupt(rec[2] % abi::irq_lines);
        return;
    }
    bool found = false;
    unsigned a = pick_actor(w, rec[1], cpu_filter, found);
    if (!found) return;
    if (kind < abi::syscall_count)
        syscall_step(w, a, abi::syscalls[kind], rec);
    else if (kind == abi::syscall_count)
        unknown_step(w, a, rec);
    else
        utcb_step(w, a, rec);
}

bool needs_actor(const std::uint8_t (&rec)[record_bytes]) {
    const std::size_t kind = rec[0] % step_kinds();
    return kind != abi::syscall_count + 1 && kind != abi::syscall_count + 2;
}

bool actor_available(Sandbox& w, int cpu_filter) {
    bool found = false;
    pick_actor(w, 0, cpu_filter, found);
    return found;
}

void run_program(Sandbox& w, const std::uint8_t* data, std::size_t size) {
    for (std::size_t at = 0; at < size && !w.failed(); at += record_bytes) {
        std::uint8_t rec[record_bytes] = {};
        for (std::size_t i = 0; i < record_bytes && at + i < size; ++i) rec[i] = data[at + i];
        run_record(w, rec, -1);
    }
}

} // namespace fuzzsys
