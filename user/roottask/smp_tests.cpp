// What only several CPUs can get wrong (issue 13): a TLB shootdown reaching a thread that is running on
// another CPU at that moment and never enters the kernel, call/reply between threads pinned to different CPUs
// in both rendezvous orders, and threads moved to another CPU while they wait in IPC.
//
// On one CPU every test still runs (the threads share CPU 0 and take turns) and says so in a note; the
// verdicts are the same on hostsim and QEMU.
//
// Which CPU a thread runs on is observed with CPUID leaf 1 (EBX bits 24..31, the initial APIC ID of the CPU
// executing it), compared with what a probe thread created on the CPU in question reads there. Under hostsim
// every simulated CPU is a Unicorn engine of its own that reports APIC ID 0, so where the probes see the same
// ID on two different CPUs the test says so and checks the IPC alone.
#include <cstdint>

#include "kernel/abi/ipc.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/eventually.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
namespace msg = janus::abi::msg;
namespace label = janus::abi::label;
namespace fpage = janus::abi::fpage;
using janus::abi::timeout_never;
using janus::abi::timeout_poll;
using roottask::millisecond;
using roottask::scratch;
using roottask::second;

namespace {

constexpr Word child_quota = 256 * 1024;
constexpr Sel child_ep{1};    // in a child's space: the endpoint it serves
constexpr Sel child_reply{2}; // where it takes reply capabilities
constexpr Vaddr child_utcb = 0x1000'0000;

/// The initial APIC ID of the CPU running the caller.
Word apic_id() {
    std::uint32_t a = 1, b, c = 0, d;
    asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return b >> 24;
}

/// Bounded waits for other threads' progress: generous, since QEMU TCG runs 64 CPUs on a couple of host
/// cores; a correct kernel ends them as soon as the condition holds.
constexpr Word long_wait = 20 * second;

// --- Probing which APIC ID a CPU has -------------------------------------------------------------------

constexpr Vaddr probe_utcb = 0x1600'0000;
volatile Word probe_seen = 0; // APIC ID + 1, 0 until the probe ran

[[noreturn]] void probe() {
    probe_seen = apic_id() + 1;
    for (;;) sys::thread_yield();
}

/// The APIC ID CPU `cpu` reports, read by a thread created there (thread `slot`, deleted again); ~0 if the
/// probe did not run.
Word apic_of(test::Context& t, Word cpu, Sel slot, Sel pause) {
    static unsigned probes = 0;
    probe_seen = 0;
    Word seen = ~Word{0};
    const Vaddr utcb = probe_utcb + (probes++ % 16) * 0x1000;
    if (roottask::start_thread_on(t, slot, root::own_pd, utcb, probe, 100, cpu) &&
        CHECK(roottask::eventually(
            pause, [] { return probe_seen != 0; }, long_wait)))
        seen = probe_seen - 1;
    (void)sys::cap_delete(slot);
    return seen;
}

// --- 1: shootdown reaching a spinning thread --------------------------------------------------------------
//
// Spinners (threads of the root's own domain, one per other CPU up to three, never entering the kernel in
// their loop) read word 1 of the page at `spin_page` and write their own counter into word 2 + s. The root
// unmaps that page while they spin, writes a new value into the old frame (which stays the root's at its
// pool address), and only then raises `spin_epoch`. A read that saw epoch r began after the unmap of round r
// returned, so it must fault to the pager (the root, which maps the next frame there) or see the next frame's
// value; a read of the old frame through a translation the shootdown missed sees the value the root wrote
// after the unmap, or the one before it, and is counted as stale. Writes through such a translation land in
// the old frame, whose counters the root cleared after the unmap and checks at the end of the round.

constexpr unsigned max_spinners = 3;
constexpr unsigned rounds = 3;
constexpr Vaddr spin_page = 0x3400'0000;
constexpr Vaddr spin_read = spin_page + 8;
constexpr Vaddr spinner_utcb = 0x1400'0000;

constexpr Word frame_value(Word r) {
    return 0x5a5a'0000'0000'0000 + r * 0x0101; // what frame r holds in word 1
}
constexpr Word after_value(Word r) {
    return 0xa5a5'0000'0000'0000 + r * 0x0101; // what the old frame holds once round r unmapped it
}

volatile Word spin_epoch = 0;
volatile Word spin_values[rounds + 2];  // frame_value(r) at r; the last one repeats
volatile Word spin_reads[max_spinners]; // reads completed
volatile Word spin_seen[max_spinners];  // the epoch the latest completed read saw
volatile Word spin_stale[max_spinners]; // reads that returned neither the epoch's frame nor the next one
volatile Word spin_stale_epoch[max_spinners], spin_stale_value[max_spinners]; // the first of them

template <unsigned S>
[[noreturn]] void spinner() {
    auto* word = reinterpret_cast<volatile Word*>(spin_page);
    Word n = 0;
    for (;;) {
        const Word e = spin_epoch;
        const Word v = word[1];
        word[2 + S] = ++n;
        // Reading epoch e, the translation may be of frame e or (after a fault the pager answered) of e + 1.
        if (v != spin_values[e] && v != spin_values[e + 1]) {
            if (spin_stale[S] == 0) {
                spin_stale_epoch[S] = e;
                spin_stale_value[S] = v;
            }
            spin_stale[S] = spin_stale[S] + 1;
        }
        spin_seen[S] = e;
        spin_reads[S] = spin_reads[S] + 1;
    }
}

constexpr void (*spinners[max_spinners])() = {spinner<0>, spinner<1>, spinner<2>};

// --- 2 and 3: servers in child domains and clients in the root's --------------------------------------

constexpr unsigned phase_rounds = 64; // call/reply round trips in each rendezvous order
constexpr unsigned long_every = 4;    // every 4th message also carries words 3..7 in the UTCB
constexpr unsigned long_words = 8;
constexpr Word badges[3] = {0xb1, 0xb2, 0xb3};
constexpr Vaddr client_utcb = 0x1500'0000;

constexpr Word request_word(unsigned i, unsigned w) {
    return 0x1000'0000'0000 * (w + 1) + i * 0x10001 + 7;
}
constexpr Word reply_word(Word request, Word badge, unsigned w) {
    return (request ^ (badge << 40)) + w + 1;
}
constexpr Word request_label(unsigned i) {
    return 0x300 + i;
}
constexpr Word reply_label(unsigned i) {
    return 0x700 + i;
}

volatile Word pair_server_bad = 0, pair_client_bad = 0, pair_unexpected_block = 0;
volatile Word pair_server_polls = 0, pair_client_polls = 0;
volatile Word pair_server_done = 0, pair_client_done = 0, pair_client_error = 0;
volatile Word pair_first_bad_round = ~Word{0};

struct Message {
    Error error;
    Word info, badge, w0, w1, w2;
};
template <typename M>
Message take(const M& m) {
    return Message{m.error, m.info, m.badge, m.w0, m.w1, m.w2};
}

/// Round i's request as the server should see it; false (and its round noted) where it differs.
bool request_ok(const Message& m, const janus::abi::Utcb& u, unsigned i) {
    const bool is_long = i % long_every == long_every - 1;
    bool ok = m.error == Error::ok && msg::label(m.info) == request_label(i) &&
              msg::words(m.info) == (is_long ? long_words : 3) && (m.info & msg::call_flag) &&
              m.badge == badges[i % 3] && m.w0 == request_word(i, 0) && m.w1 == request_word(i, 1) &&
              m.w2 == request_word(i, 2);
    if (is_long)
        for (unsigned w = 3; w < long_words; ++w) ok &= u.mr[w] == request_word(i, w);
    if (!ok && pair_first_bad_round == ~Word{0}) pair_first_bad_round = i;
    return ok;
}

/// Serves rounds 0 .. 2 * phase_rounds - 1 on child_ep. Phase A (the first phase_rounds): it answers with
/// ipc_reply_recv, so it waits in receive before the client's next call, which polls. Phase B: it answers
/// with ipc_reply and then polls for the next call, so the client is always there first.
[[noreturn]] void pair_server() {
    auto& u = roottask::utcb_at(child_utcb);
    u.reply_sel = raw(child_reply);
    auto poll = [] {
        for (;;) {
            Message m = take(sys::ipc_recv(child_ep, timeout_poll));
            if (m.error != Error::would_block) return m;
            pair_server_polls = pair_server_polls + 1;
            sys::thread_yield();
        }
    };
    Message m = take(sys::ipc_recv(child_ep, timeout_never));
    constexpr unsigned total = 2 * phase_rounds;
    for (unsigned i = 0; i < total; ++i) {
        if (!request_ok(m, u, i)) pair_server_bad = pair_server_bad + 1;
        const bool is_long = i % long_every == long_every - 1;
        if (is_long)
            for (unsigned w = 3; w < long_words; ++w) u.mr[w] = reply_word(u.mr[w], m.badge, w);
        const Word info = msg::info(reply_label(i), is_long ? long_words : 3);
        const Word r0 = reply_word(m.w0, m.badge, 0), r1 = reply_word(m.w1, m.badge, 1),
                   r2 = reply_word(m.w2, m.badge, 2);
        if (i + 1 < phase_rounds) {
            m = take(sys::ipc_reply_recv(child_ep, info, timeout_never, r0, r1, r2));
        } else {
            if (sys::ipc_reply(child_reply, info, r0, r1, r2).error != Error::ok)
                pair_server_bad = pair_server_bad + 1;
            if (i + 1 == total) break;
            m = poll();
        }
    }
    pair_server_done = 1;
    for (;;) sys::thread_yield();
}

/// The client, a thread of the root's domain: calls through the badged selectors scratch(3..5) and checks
/// every answer.
[[noreturn]] void pair_client() {
    auto& u = roottask::utcb_at(client_utcb);
    constexpr unsigned total = 2 * phase_rounds;
    for (unsigned i = 0; i < total; ++i) {
        const bool is_long = i % long_every == long_every - 1;
        if (is_long)
            for (unsigned w = 3; w < long_words; ++w) u.mr[w] = request_word(i, w);
        const Sel via = scratch(3 + i % 3);
        const Word info = msg::info(request_label(i), is_long ? long_words : 3);
        const Word w0 = request_word(i, 0), w1 = request_word(i, 1), w2 = request_word(i, 2);
        Message r{};
        if (i < phase_rounds) {
            // The server waits in receive already: from round 1 on it went there in the ipc_reply_recv that
            // answered the previous call, so a call that does not wait must find it.
            for (;;) {
                r = take(sys::ipc_call(via, info, timeout_poll, w0, w1, w2));
                if (r.error != Error::would_block) break;
                if (i > 0) pair_unexpected_block = pair_unexpected_block + 1;
                pair_client_polls = pair_client_polls + 1;
                sys::thread_yield();
            }
        } else {
            r = take(sys::ipc_call(via, info, timeout_never, w0, w1, w2));
        }
        bool ok = r.error == Error::ok && msg::label(r.info) == reply_label(i) &&
                  msg::words(r.info) == (is_long ? long_words : 3) && r.badge == 0 &&
                  r.w0 == reply_word(w0, badges[i % 3], 0) && r.w1 == reply_word(w1, badges[i % 3], 1) &&
                  r.w2 == reply_word(w2, badges[i % 3], 2);
        if (is_long)
            for (unsigned w = 3; w < long_words; ++w)
                ok &= u.mr[w] == reply_word(request_word(i, w), badges[i % 3], w);
        if (r.error != Error::ok && pair_client_error == 0) pair_client_error = static_cast<Word>(r.error);
        if (!ok) {
            pair_client_bad = pair_client_bad + 1;
            if (pair_first_bad_round == ~Word{0}) pair_first_bad_round = i;
        }
    }
    pair_client_done = 1;
    for (;;) sys::thread_yield();
}

// --- 3: moved while waiting ---------------------------------------------------------------------------

constexpr unsigned moves = 4; // the waiting thread goes from where[k] to where[k + 1]

/// CPUs to move between: the last, 0, the middle one, 1, the last again (repeats where there are few).
void move_plan(Word (&where)[moves + 1]) {
    const Word n = roottask::cpus();
    const Word plan[moves + 1] = {n - 1, 0, n / 2, 1 % n, n - 1};
    for (unsigned k = 0; k <= moves; ++k) where[k] = plan[k];
}

/// Answers every call on child_ep with the APIC ID it runs on, the request's w0 + 1 and the badge.
[[noreturn]] void where_server() {
    auto& u = roottask::utcb_at(child_utcb);
    u.reply_sel = raw(child_reply);
    Message m = take(sys::ipc_recv(child_ep, timeout_never));
    for (;;) {
        if (m.error != Error::ok) {
            m = take(sys::ipc_recv(child_ep, timeout_never));
            continue;
        }
        m = take(sys::ipc_reply_recv(child_ep, msg::info(msg::label(m.info), 3), timeout_never, apic_id(),
                                     m.w0 + 1, m.badge));
    }
}

volatile Word mover_apic[moves + 1]; // APIC ID + 1 after call k returned
volatile Word mover_answer[moves + 1];
volatile Word mover_error[moves + 1];

/// Calls scratch(1) `moves` times; the root moves it while it waits for each answer.
[[noreturn]] void moving_client() {
    for (unsigned k = 0; k < moves; ++k) {
        auto r = sys::ipc_call(scratch(1), msg::info(0x500 + k, 1), timeout_never, 0x4000 + k, 0, 0);
        mover_error[k] = static_cast<Word>(r.error);
        mover_answer[k] = r.w0;
        mover_apic[k] = apic_id() + 1; // after the answer: on the CPU it was moved to
    }
    for (;;) sys::thread_yield();
}

} // namespace

JANUS_TEST(smp_tlb_shootdown_reaches_a_thread_spinning_on_another_cpu) {
    REQUIRE_BOOT();
    const Word n = roottask::cpus();
    const unsigned count = n == 1 ? 1 : static_cast<unsigned>(n - 1 < max_spinners ? n - 1 : max_spinners);
    const Sel pager = scratch(3), reply = scratch(4), pause = scratch(5);
    Vaddr frames[rounds + 1];
    for (unsigned r = 0; r <= rounds; ++r) {
        frames[r] = roottask::take_pages(1);
        if (!CHECK_NE(frames[r], Vaddr{0})) return;
        reinterpret_cast<volatile Word*>(frames[r])[1] = frame_value(r);
        spin_values[r] = frame_value(r);
    }
    spin_values[rounds + 1] = frame_value(rounds);
    spin_epoch = 0;
    for (unsigned s = 0; s < max_spinners; ++s) {
        spin_reads[s] = 0;
        spin_seen[s] = 0;
        spin_stale[s] = 0;
        spin_stale_epoch[s] = 0;
        spin_stale_value[s] = 0;
    }
    auto& u = roottask::root_utcb();
    u.reply_sel = raw(reply);
    bool ok =
        CHECK_EQ(sys::endpoint_create(pager).error, Error::ok) &&
        CHECK_EQ(sys::notification_create(pause).error, Error::ok) &&
        CHECK_EQ(
            sys::mem_map(fpage::make(frames[0], 12, R::read | R::write), root::own_pd, spin_page, 0).error,
            Error::ok);
    // Spinners on the CPUs from the last one down, never CPU 0 where there is another (the root runs there).
    for (unsigned s = 0; ok && s < count; ++s)
        ok = roottask::start_thread_on(t, scratch(s), root::own_pd, spinner_utcb + s * 0x1000, spinners[s],
                                       100, n - 1 - s) &&
             CHECK_EQ(sys::thread_configure(scratch(s), pager, pager).error, Error::ok);
    for (unsigned r = 1; ok && r <= rounds; ++r) {
        // Every spinner is going round on frame r - 1 (its translation is in its CPU's TLB) ...
        Word before[max_spinners];
        for (unsigned s = 0; s < count; ++s) before[s] = spin_reads[s];
        ok = CHECK(roottask::eventually(
            pause,
            [&] {
                for (unsigned s = 0; s < count; ++s)
                    if (spin_reads[s] <= before[s] || spin_seen[s] != r - 1) return false;
                return true;
            },
            long_wait));
        if (!ok) break;
        // ... when the page goes. From here on the old frame is the root's alone: new content, counters 0.
        CHECK_EQ(sys::mem_unmap(fpage::make(frames[r - 1], 12, 0), 0).error, Error::ok);
        auto* old = reinterpret_cast<volatile Word*>(frames[r - 1]);
        old[1] = after_value(r);
        for (unsigned s = 0; s < max_spinners; ++s) old[2 + s] = 0;
        spin_epoch = r;
        // Each spinner's next read faults to the pager (the first fault maps frame r) or, after that, finds
        // frame r. Answer faults until every spinner has completed a read in epoch r.
        unsigned faults = 0;
        bool mapped = false;
        auto all_moved_on = [&] {
            for (unsigned s = 0; s < count; ++s)
                if (spin_seen[s] < r) return false;
            return true;
        };
        for (Word waited = 0; !all_moved_on();) {
            auto f = sys::ipc_recv(pager, 10 * millisecond);
            if (f.error == Error::timeout) {
                waited += 10 * millisecond;
                if (!CHECK(waited < long_wait)) {
                    t.note("round {}: spinners stuck: {} faults taken", r, faults);
                    ok = false;
                    break;
                }
                continue;
            }
            if (!CHECK_EQ(f.error, Error::ok) || !CHECK_EQ(msg::label(f.info), label::page_fault)) {
                t.note("round {}: pager got label {x}, words {x} {x} {x}", r, msg::label(f.info), f.w0, f.w1,
                       f.w2);
                ok = false;
                break;
            }
            ++faults;
            // The read, or the write after it where the unmap came between the two: not present, user mode.
            CHECK(f.w0 == spin_read || (f.w0 >= spin_page + 16 && f.w0 < spin_page + 16 + 8 * max_spinners));
            CHECK_EQ(f.w1 & 0x5, Word{0x4});
            if (!mapped)
                mapped = CHECK_EQ(
                    sys::mem_map(fpage::make(frames[r], 12, R::read | R::write), root::own_pd, spin_page, 0)
                        .error,
                    Error::ok);
            CHECK_EQ(sys::ipc_reply(reply, msg::info(0, 0), 0, 0, 0).error, Error::ok);
        }
        if (!ok) break;
        // Nothing reached the old frame after the unmap, and someone had to fault: nobody could read epoch r
        // without frame r, which only the pager maps. The first round that goes wrong ends the test.
        if (faults == 0) t.note("round {}: no spinner faulted: they read on without the pager", r);
        ok = CHECK(faults >= 1);
        for (unsigned s = 0; s < count; ++s) {
            if (old[2 + s] != 0) t.note("round {}: spinner {} wrote the old frame after the unmap", r, s);
            ok &= CHECK_EQ(old[2 + s], Word{0}) && spin_stale[s] == 0;
        }
    }
    for (unsigned s = 0; s < count; ++s) {
        if (spin_stale[s] != 0)
            t.note("spinner {} on CPU {}: {} stale reads, the first in epoch {} saw {x}", s, n - 1 - s,
                   spin_stale[s], spin_stale_epoch[s], spin_stale_value[s]);
        CHECK_EQ(spin_stale[s], Word{0});
    }
    if (n == 1) t.note("one CPU: the spinner shares CPU 0 with the root; the unmap invalidates locally");
    for (unsigned s = 0; s < max_spinners; ++s) (void)sys::cap_delete(scratch(s));
    (void)sys::mem_unmap(fpage::make(frames[rounds], 12, 0), 0);
    u.reply_sel = 0;
    roottask::clear_scratch(6);
}

JANUS_TEST(smp_ipc_round_trips_between_threads_pinned_to_different_cpus) {
    REQUIRE_BOOT();
    const Word n = roottask::cpus();
    const Word server_cpu = n - 1, client_cpu = n >= 2 ? n - 2 : 0;
    const Sel pd = scratch(0), ep = scratch(1), server = scratch(2), client = scratch(6), pause = scratch(7);
    for (volatile Word* w : {&pair_server_bad, &pair_client_bad, &pair_unexpected_block, &pair_server_polls,
                             &pair_client_polls, &pair_server_done, &pair_client_done, &pair_client_error})
        *w = 0;
    pair_first_bad_round = ~Word{0};
    bool ok = CHECK_EQ(sys::endpoint_create(ep).error, Error::ok) &&
              CHECK_EQ(sys::notification_create(pause).error, Error::ok) &&
              roottask::make_child(t, pd, child_quota) &&
              CHECK_EQ(sys::cap_copy(ep, pd, child_ep, R::read, 0).error, Error::ok);
    for (unsigned b = 0; ok && b < 3; ++b)
        ok = CHECK_EQ(sys::cap_copy(ep, root::own_pd, scratch(3 + b), R::write, badges[b]).error, Error::ok);
    if (ok && roottask::start_thread_on(t, server, pd, child_utcb, pair_server, 100, server_cpu) &&
        roottask::start_thread_on(t, client, root::own_pd, client_utcb, pair_client, 100, client_cpu)) {
        CHECK(roottask::eventually(
            pause, [] { return pair_client_done && pair_server_done; }, long_wait));
        if (pair_client_bad || pair_server_bad || !pair_client_done)
            t.note("{} of {} answers wrong, {} requests wrong, first in round {}, client error {}",
                   pair_client_bad, 2 * phase_rounds, pair_server_bad, pair_first_bad_round,
                   pair_client_error);
        CHECK_EQ(pair_client_bad, Word{0});
        CHECK_EQ(pair_server_bad, Word{0});
        // After an ipc_reply_recv the server waits in receive before its caller runs again.
        CHECK_EQ(pair_unexpected_block, Word{0});
    }
    if (n == 1) t.note("one CPU: client and server take turns on CPU 0");
    roottask::clear_scratch(8);
}

JANUS_TEST(smp_threads_moved_to_another_cpu_while_waiting_in_ipc_finish_it_there) {
    REQUIRE_BOOT();
    const Sel pd = scratch(0), ep = scratch(1), server = scratch(2), reply = scratch(3), client = scratch(4),
              probe_slot = scratch(5), pause = scratch(6);
    Word where[moves + 1];
    move_plan(where);
    auto& u = roottask::root_utcb();
    bool ok = CHECK_EQ(sys::endpoint_create(ep).error, Error::ok) &&
              CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    // Which APIC ID each CPU of the plan reports; whether that tells CPUs apart here.
    Word apic[moves + 1];
    for (unsigned k = 0; ok && k <= moves; ++k) apic[k] = apic_of(t, where[k], probe_slot, pause);
    bool observable = ok;
    for (unsigned j = 0; j <= moves; ++j)
        for (unsigned k = 0; k <= moves; ++k)
            if (where[j] != where[k] && apic[j] == apic[k]) observable = false;
    if (roottask::cpus() > 1 && !observable)
        t.note("CPUID reports the same APIC ID on different CPUs here (hostsim): the IPC is checked, the CPU "
               "not");

    // A server waiting in receive moves: each answer comes from the CPU it was moved to.
    if (ok && roottask::make_child(t, pd, child_quota) &&
        CHECK_EQ(sys::cap_copy(ep, pd, child_ep, R::read, 0).error, Error::ok) &&
        roottask::start_thread_on(t, server, pd, child_utcb, where_server, 100, where[0])) {
        for (unsigned k = 0; k <= moves; ++k) {
            // From the second call on, the server is known to wait in receive: its ipc_reply_recv put it
            // there before the previous answer reached the root.
            if (k > 0) CHECK_EQ(sys::thread_set_sched(server, 100, where[k]).error, Error::ok);
            auto r = sys::ipc_call(ep, msg::info(0x600 + k, 1), long_wait, 0x9000 + k, 0, 0);
            if (!CHECK_EQ(r.error, Error::ok)) break;
            CHECK_EQ(msg::label(r.info), Word{0x600 + k});
            CHECK_EQ(r.w1, Word{0x9001 + k});
            if (observable && r.w0 != apic[k])
                t.note("server answer {}: APIC ID {}, but CPU {} has {}", k, r.w0, where[k], apic[k]);
            if (observable) CHECK_EQ(r.w0, apic[k]);
        }
    }
    (void)sys::cap_delete(server);

    // A client waiting for its answer moves: it returns from the call on the CPU it was moved to.
    for (unsigned k = 0; k <= moves; ++k) {
        mover_apic[k] = 0;
        mover_answer[k] = 0;
        mover_error[k] = ~Word{0};
    }
    u.reply_sel = raw(reply);
    if (ok && roottask::start_thread_on(t, client, root::own_pd, client_utcb + 0x1000, moving_client, 100,
                                        where[0])) {
        for (unsigned k = 0; k < moves; ++k) {
            auto c = sys::ipc_recv(ep, long_wait);
            if (!CHECK_EQ(c.error, Error::ok)) break;
            CHECK_EQ(msg::label(c.info), Word{0x500 + k});
            CHECK(c.info & msg::call_flag);
            CHECK_EQ(c.w0, Word{0x4000 + k});
            // The client waits for this answer now.
            CHECK_EQ(sys::thread_set_sched(client, 100, where[k + 1]).error, Error::ok);
            CHECK_EQ(sys::ipc_reply(reply, msg::info(0, 1), 0x8000 + k, 0, 0).error, Error::ok);
            if (!CHECK(roottask::eventually(
                    pause, [k] { return mover_apic[k] != 0; }, long_wait)))
                break;
            CHECK_EQ(mover_error[k], Word{0});
            CHECK_EQ(mover_answer[k], Word{0x8000 + k});
            if (observable && mover_apic[k] - 1 != apic[k + 1])
                t.note("client after answer {}: APIC ID {}, but CPU {} has {}", k, mover_apic[k] - 1,
                       where[k + 1], apic[k + 1]);
            if (observable) CHECK_EQ(mover_apic[k] - 1, apic[k + 1]);
        }
    }
    u.reply_sel = 0;
    if (roottask::cpus() == 1) t.note("one CPU: every move stays on CPU 0");
    roottask::clear_scratch(7);
}
