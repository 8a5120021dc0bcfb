// Moving a message from a sender to a receiver: words, typed items (capabilities; memory through the memory
// side) and the reply capability of a call. Every check comes before the first change, so a transfer is all
// or nothing; user memory (the UTCBs) is read once into kernel variables before it is checked.
#include "kernel/cap/derivation.hpp"
#include "kernel/ipc/internal.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/ipc/memory_items.hpp"
#include "kernel/kernel.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel::ipc {

namespace spec = janus::abi;
namespace msg = janus::abi::msg;
namespace item = janus::abi::item;
using namespace detail;
using enum janus::abi::Error;

namespace {

struct Items {
    unsigned count = 0;
    std::uint64_t word[2 * msg::max_items] = {};
};

/// The sender's typed items, read once from its UTCB (kernel-made messages have none).
void read_items(Thread& sender, Items& items) {
    items.count = sender.ipc.origin == Origin::syscall ? msg::items(sender.ipc.info) : 0;
    const spec::Utcb& u = utcb(sender);
    for (unsigned i = 0; i < 2 * items.count; ++i) items.word[i] = u.item[i];
}

std::uint64_t item_rights(std::uint64_t w0) {
    return w0 >> item::rights_shift & item::rights_mask;
}

/// The checks that depend on the sender alone: the shape of every item and its source.
Error check_sources(Pd& from, const Items& items) {
    for (unsigned i = 0; i < items.count; ++i) {
        std::uint64_t w0 = items.word[2 * i], w1 = items.word[2 * i + 1];
        if (w0 & item::reserved_mask) return bad_message;
        switch (w0 & item::kind_mask) {
        case item::cap_item: {
            if (w0 & item::offset_mask) return bad_message;
            Slot* src = from.space.cap(w1);
            if (!src) return bad_selector;
            if (!(src->rights() & spec::rights::grant)) return missing_rights;
            if (item_rights(w0) & ~src->rights()) return missing_rights;
            // A capability moved away cannot be sent again in the same message.
            for (unsigned j = 0; j < items.count; ++j)
                if (j != i && (items.word[2 * j] & item::kind_mask) == item::cap_item &&
                    items.word[2 * j + 1] == w1 && ((w0 | items.word[2 * j]) & item::grant))
                    return bad_message;
            break;
        }
        case item::memory_item: {
            if (item_rights(w0)) return bad_message;
            // One memory item at most: it is the only transfer that can fail after the checks (quota).
            for (unsigned j = 0; j < i; ++j)
                if ((items.word[2 * j] & item::kind_mask) == item::memory_item) return bad_message;
            if (Error e = memory_item_source_check(from, w1); e != ok) return e;
            break;
        }
        default:
            return bad_message;
        }
    }
    return ok;
}

/// Where the receiver takes capability item number `n` (counting capability items only).
Slot* cap_destination(Thread& receiver, std::uint64_t window, unsigned n) {
    if (n >= spec::window::cap_count(window)) return nullptr;
    Slot* dest = receiver.pd->space.slot(spec::window::cap_base(window) + n);
    return dest && dest->empty() ? dest : nullptr;
}

/// Checks the items against the receiver's windows; ok means transfer_items cannot fail.
/// `whole_space`: memory lands anywhere in the receiver's address space (the reply to a page fault).
Error check_destinations(Pd& from, Thread& receiver, const Items& items, bool whole_space,
                         std::uint64_t cap_window, std::uint64_t mem_window) {
    unsigned caps = 0;
    for (unsigned i = 0; i < items.count; ++i) {
        std::uint64_t w0 = items.word[2 * i], w1 = items.word[2 * i + 1];
        if ((w0 & item::kind_mask) == item::cap_item) {
            Slot* dest = cap_destination(receiver, cap_window, caps++);
            if (!dest || !cap_can_derive(*from.space.cap(w1))) return refused;
        } else {
            if (Error e = memory_item_destination_check(from, w0, w1, *receiver.pd, whole_space, mem_window);
                e != ok)
                return e;
        }
    }
    return ok;
}

/// Performs the checked transfer and reports each item in the receiver's UTCB. The memory item goes first: it
/// alone can still fail (quota_exhausted), and then nothing has changed.
Error transfer_items(Kernel& kernel, Pd& from, Thread& receiver, const Items& items, bool whole_space,
                     std::uint64_t cap_window, std::uint64_t mem_window, bool report) {
    std::uint64_t landed[msg::max_items] = {};
    for (unsigned i = 0; i < items.count; ++i) {
        std::uint64_t w0 = items.word[2 * i], w1 = items.word[2 * i + 1];
        if ((w0 & item::kind_mask) != item::memory_item) continue;
        if (Error e =
                memory_item_transfer(kernel, from, w0, w1, *receiver.pd, whole_space, mem_window, landed[i]);
            e != ok)
            return e;
    }
    unsigned caps = 0;
    for (unsigned i = 0; i < items.count; ++i) {
        std::uint64_t w0 = items.word[2 * i], w1 = items.word[2 * i + 1];
        if ((w0 & item::kind_mask) != item::cap_item) continue;
        landed[i] = spec::window::cap_base(cap_window) + caps;
        Slot& dest = *cap_destination(receiver, cap_window, caps++);
        Slot& src = *from.space.cap(w1);
        if (w0 & item::grant)
            cap_move(src, dest, item_rights(w0));
        else
            cap_derive(src, dest, item_rights(w0), src.badge());
    }
    if (report)
        for (unsigned i = 0; i < items.count; ++i) {
            utcb(receiver).item[2 * i] = items.word[2 * i];
            utcb(receiver).item[2 * i + 1] = landed[i];
        }
    return ok;
}

} // namespace

Error check_message(Thread& self) {
    std::uint64_t info = self.ipc.info;
    if (info & msg::reserved_mask || info & msg::call_flag) return bad_message;
    if (msg::words(info) > msg::max_words || msg::items(info) > msg::max_items) return bad_message;
    Items items;
    read_items(self, items);
    return check_sources(*self.pd, items);
}

namespace detail {

void copy_utcb_words(Thread& sender, Thread& receiver, unsigned words) {
    for (unsigned w = msg::register_words; w < words; ++w)
        utcb(receiver).mr[w] =
            sender.ipc.origin == Origin::syscall ? utcb(sender).mr[w] : sender.ipc.words[w];
}

Error deliver(Kernel& kernel, Thread& sender, Thread& receiver, bool& reply_given) {
    Items items;
    read_items(sender, items);
    Pd& from = *sender.pd;
    const spec::Utcb& ru = utcb(receiver);
    const std::uint64_t cap_window = ru.cap_window, mem_window = ru.mem_window, reply_sel = ru.reply_sel;
    if (Error e = check_sources(from, items); e != ok) return e;
    if (Error e = check_destinations(from, receiver, items, false, cap_window, mem_window); e != ok) return e;

    if (Error e = transfer_items(kernel, from, receiver, items, false, cap_window, mem_window, true); e != ok)
        return e;
    std::uint64_t info = sender.ipc.info;
    unsigned words = msg::words(info);
    copy_utcb_words(sender, receiver, words);
    reply_given = false;
    if (sender.ipc.call) {
        Slot* slot = receiver.pd->space.slot(reply_sel);
        if (slot && slot->empty()) {
            cap_install_root(*slot, *sender.reply, spec::rights::write);
            reply_given = true;
            info |= msg::call_flag;
        }
    }
    std::uint64_t regs[msg::register_words];
    for (unsigned w = 0; w < msg::register_words; ++w) regs[w] = w < words ? sender.ipc.words[w] : 0;
    write_receive_registers(receiver, info, sender.ipc.badge, regs);
    return ok;
}

Error deliver_reply(Kernel& kernel, Thread& replier, Thread& caller) {
    Items items;
    read_items(replier, items);
    Pd& from = *replier.pd;
    std::uint64_t info = replier.ipc.info;
    unsigned words = msg::words(info);
    const bool fault = caller.ipc.origin != Origin::syscall;
    // The answer to a page fault maps into the faulting thread's whole address space; capabilities have no
    // window there.
    const bool whole_space = caller.ipc.origin == Origin::page_fault;
    std::uint64_t cap_window = fault ? 0 : utcb(caller).cap_window;
    std::uint64_t mem_window = fault ? 0 : utcb(caller).mem_window;
    if (Error e = check_sources(from, items); e != ok) return e;
    if (Error e = check_destinations(from, caller, items, whole_space, cap_window, mem_window); e != ok)
        return e;

    if (Error e = transfer_items(kernel, from, caller, items, whole_space, cap_window, mem_window, !fault);
        e != ok)
        return e;
    switch (caller.ipc.origin) {
    case Origin::syscall: {
        copy_utcb_words(replier, caller, words);
        std::uint64_t regs[msg::register_words];
        for (unsigned w = 0; w < msg::register_words; ++w) regs[w] = w < words ? replier.ipc.words[w] : 0;
        write_receive_registers(caller, info, 0, regs);
        break;
    }
    case Origin::exception:
        // The handler may move the thread on: word 0 is its new ip, word 1 its new sp.
        if (words > 0) arch::user_ip(caller.frame) = replier.ipc.words[0];
        if (words > 1) arch::user_sp(caller.frame) = replier.ipc.words[1];
        break;
    case Origin::page_fault:
        break; // it retries the access
    }
    return ok;
}

} // namespace detail
} // namespace kernel::ipc
