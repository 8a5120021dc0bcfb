// syscalls_seeds DIR: writes the hand-made seeds of fuzz/corpus/syscalls (and, with --smp, the same programs
// in the syscalls_smp layout). A seed is a scenario of goals ("actor 1 waits in ipc_recv", "actor 0's
// ipc_call succeeds", ...); each goal's record is found by searching random records of the goal's step kind
// until the step the generator makes from it ends as the goal says, after the records found so far. So the
// seeds follow the generator (program.hpp) whatever its byte mapping, and reach every syscall of the spec
// with success and the IPC paths that need a partner, which blind mutation finds only slowly.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/syscalls/program.hpp"
#include "fuzz/syscalls/sandbox.hpp"
#include "kernel/abi/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/mapdb/node.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace {

using fuzzsys::Step;
using Record = std::vector<std::uint8_t>;
namespace abi = janus::abi;

/// What a goal step must do: a syscall (by name) or an event, by which actor (-1: any), ending how.
struct Goal {
    std::string_view what; ///< syscall name, or "advance", "interrupt", "utcb:<field index>"
    int actor = 0;
    Step::End end = Step::End::status;
    abi::Error status = abi::Error::ok;
    /// A further condition on the step, with the sandbox right after it.
    bool (*check)(const Step&, fuzzsys::Sandbox&) = nullptr;
};

/// A UTCB write of a reply_sel that names an empty slot of the writer's space.
bool free_reply_sel(const Step& s, fuzzsys::Sandbox& w) {
    kernel::Thread* t = w.actor(s.actor);
    const kernel::Slot* slot = t ? t->pd->space.slot(s.arg[1]) : nullptr;
    return slot && slot->empty();
}

/// An interrupt of a line that has an irq object.
bool live_line(const Step& s, fuzzsys::Sandbox& w) {
    return s.arg[0] < abi::irq_lines && w.kernel().irq_by_line[s.arg[0]] != nullptr;
}

/// UTCB writes that make a typed item: item 0 a capability (or memory) descriptor, item 1 what it names.
bool item0_cap(const Step& s, fuzzsys::Sandbox&) {
    return s.arg[0] % 16 == 0 && (s.arg[1] & abi::item::kind_mask) == abi::item::cap_item && s.arg[1] < 0x100;
}
bool item0_memory(const Step& s, fuzzsys::Sandbox&) {
    return s.arg[0] % 16 == 0 && (s.arg[1] & abi::item::kind_mask) == abi::item::memory_item &&
           (s.arg[1] & abi::item::reserved_mask) == 0 && (s.arg[1] & abi::item::offset_mask) == 0;
}
bool item1_grantable(const Step& s, fuzzsys::Sandbox& w) {
    kernel::Thread* t = w.actor(s.actor);
    const kernel::Slot* slot = t ? t->pd->space.cap(s.arg[1]) : nullptr;
    return s.arg[0] % 16 == 1 && slot && (slot->rights() & abi::rights::grant);
}
/// One page the writer maps with the grant right.
bool item1_fpage(const Step& s, fuzzsys::Sandbox& w) {
    kernel::Thread* t = w.actor(s.actor);
    if (!t || s.arg[0] % 16 != 1 || abi::fpage::order(s.arg[1]) != 12) return false;
    const kernel::mapdb::Node* n = t->pd->memory.index.find(abi::fpage::base(s.arg[1]));
    return n && (n->rights & abi::rights::grant);
}
/// A receive window that takes something: capabilities (utcb:3) or memory (utcb:4).
bool cap_window(const Step& s, fuzzsys::Sandbox&) {
    return abi::window::cap_count(s.arg[1]) > 0;
}
/// A well-formed memory window whose first page is free in the writer's domain.
bool mem_window(const Step& s, fuzzsys::Sandbox& w) {
    kernel::Thread* t = w.actor(s.actor);
    const unsigned order = abi::fpage::order(s.arg[1]);
    return t && order >= 12 && order <= 21 && (abi::fpage::base(s.arg[1]) & ((1ull << order) - 1)) == 0 &&
           abi::fpage::base(s.arg[1]) < abi::user_end &&
           !kernel::page_in_use(*t->pd, abi::fpage::base(s.arg[1]));
}
/// A send with one typed item.
bool one_item(const Step& s, fuzzsys::Sandbox&) {
    return abi::msg::items(s.arg[1]) == 1;
}

/// A thread_create that puts the new thread on CPU 1 (so the smp seeds have a second CPU at work).
bool on_cpu1(const Step& s, fuzzsys::Sandbox&) {
    return s.arg[4] == 1;
}

/// Item 0 a capability item without the grant flag (the receiver gets a copy), otherwise well-formed.
bool item0_cap_copy(const Step& s, fuzzsys::Sandbox& w) {
    return item0_cap(s, w) && !(s.arg[1] & abi::item::grant);
}
/// Item 0 a capability item with reserved bits set.
bool item0_reserved(const Step& s, fuzzsys::Sandbox&) {
    return s.arg[0] % 16 == 0 && (s.arg[1] & abi::item::kind_mask) == abi::item::cap_item &&
           (s.arg[1] & abi::item::reserved_mask) != 0;
}
/// Item 1 names a capability of the writer's without the grant right.
bool item1_not_grantable(const Step& s, fuzzsys::Sandbox& w) {
    kernel::Thread* t = w.actor(s.actor);
    const kernel::Slot* slot = t ? t->pd->space.cap(s.arg[1]) : nullptr;
    return s.arg[0] % 16 == 1 && slot && !(slot->rights() & abi::rights::grant);
}
/// A cap_copy whose copy lacks the grant right.
bool copy_without_grant(const Step& s, fuzzsys::Sandbox&) {
    return !(s.arg[3] & abi::rights::grant);
}
/// The last wait that ended was an ipc_send, ended with refused.
bool a_send_refused(const Step&, fuzzsys::Sandbox& w) {
    return !w.wakeups().empty() &&
           w.wakeups().back() ==
               std::pair{static_cast<fuzzsys::Word>(abi::Syscall::ipc_send), abi::Error::refused};
}
/// An ipc_reply_recv with a finite timeout (neither poll nor never).
bool finite_timeout(const Step& s, fuzzsys::Sandbox&) {
    return s.arg[2] != abi::timeout_poll && s.arg[2] != abi::timeout_never;
}
/// Right after this step the root has less left than an endpoint costs.
bool root_exhausted(const Step&, fuzzsys::Sandbox& w) {
    return w.kernel().root && w.kernel().root->quota.available() < abi::charge::endpoint;
}

Goal with(Goal g, bool (*check)(const Step&, fuzzsys::Sandbox&)) {
    g.check = check;
    return g;
}

Goal ok(std::string_view s, int actor = 0) {
    return {s, actor, Step::End::status, abi::Error::ok};
}
Goal waits(std::string_view s, int actor) {
    return {s, actor, Step::End::waits, abi::Error::ok};
}
Goal fails(std::string_view s, abi::Error e, int actor = 0) {
    return {s, actor, Step::End::status, e};
}

std::size_t kind_of(std::string_view what) {
    for (std::size_t i = 0; i < abi::syscall_count; ++i)
        if (abi::syscalls[i].name == what) return i;
    if (what == "advance") return abi::syscall_count + 1;
    if (what == "interrupt") return abi::syscall_count + 2;
    return abi::syscall_count + 3; // utcb
}

bool matches(const Goal& g, fuzzsys::Sandbox& w, std::size_t before) {
    if (w.failed() || w.trace().size() != before + 1) return false;
    const Step& s = w.trace().back();
    if (g.check && !g.check(s, w)) return false;
    if (g.what.substr(0, 5) == "utcb:") {
        return s.kind == Step::Kind::utcb && s.end != Step::End::skipped && int(s.actor) == g.actor &&
               s.number == static_cast<fuzzsys::Word>(g.what[5] - '0');
    }
    if (g.what == "advance" || g.what == "interrupt") return true;
    return s.kind == Step::Kind::call &&
           s.number == static_cast<fuzzsys::Word>(abi::syscalls[kind_of(g.what)].number) &&
           (g.actor < 0 || int(s.actor) == g.actor) && s.end == g.end &&
           (g.end != Step::End::status || s.status == g.status);
}

/// The records of a scenario, or an empty list if some goal was not found.
std::vector<std::uint8_t> solve(const std::vector<Goal>& goals, std::mt19937_64& rng, std::string& error) {
    fuzzsys::Sandbox w(fuzzsys::Sandbox::OnFailure::record);
    std::vector<std::uint8_t> program;
    for (const Goal& g : goals) {
        bool found = false;
        for (int attempt = 0; attempt < 20000 && !found; ++attempt) {
            std::uint8_t rec[fuzzsys::record_bytes];
            for (auto& b : rec) b = static_cast<std::uint8_t>(rng());
            rec[0] = static_cast<std::uint8_t>(kind_of(g.what));
            if (g.what.substr(0, 5) == "utcb:") rec[2] = static_cast<std::uint8_t>(g.what[5] - '0');
            w.reset();
            fuzzsys::run_program(w, program.data(), program.size());
            const std::size_t before = w.trace().size();
            fuzzsys::run_record(w, rec);
            if (matches(g, w, before)) {
                program.insert(program.end(), rec, rec + fuzzsys::record_bytes);
                found = true;
            }
        }
        if (!found) {
            error = "no record found for " + std::string(g.what) + " by actor " + std::to_string(g.actor);
            return {};
        }
    }
    w.reset();
    fuzzsys::run_program(w, program.data(), program.size());
    w.finish();
    if (w.failed()) error = "the seed fails: " + w.failure();
    return program;
}

struct Scenario {
    const char* name;
    std::vector<Goal> goals;
};

std::vector<Scenario> scenarios() {
    using E = abi::Error;
    return {
        {"objects",
         {ok("pd_create"), ok("thread_create"), ok("endpoint_create"), ok("notification_create"),
          ok("irq_create"), ok("cap_info"), ok("pd_quota"), ok("thread_configure")}},
        {"derivation",
         {ok("endpoint_create"), ok("cap_copy"), ok("cap_copy"), ok("cap_grant"), ok("cap_revoke"),
          ok("cap_delete"), fails("cap_delete", E::self_reference), ok("cap_info")}},
        {"quota",
         {ok("pd_create"), ok("pd_create"), fails("pd_create", E::quota_exhausted), ok("cap_delete"),
          ok("pd_quota")}},
        // utcb:2 is the receiver's reply_sel: without it, a call finds no slot for its reply capability.
        {"call_reply",
         {ok("endpoint_create"), with(ok("thread_create"), on_cpu1), ok("thread_start"),
          with(ok("utcb:2", 1), free_reply_sel), waits("ipc_recv", 1), waits("ipc_call", 0),
          ok("ipc_reply", 1)}},
        {"reply_recv",
         {ok("endpoint_create"), with(ok("thread_create"), on_cpu1), ok("thread_start"),
          with(ok("utcb:2", 1), free_reply_sel), waits("ipc_recv", 1), waits("ipc_call", 0),
          waits("ipc_reply_recv", 1), ok("ipc_send", 0)}},
        {"send_timeout",
         {ok("endpoint_create"), with(ok("thread_create"), on_cpu1), ok("thread_start"), waits("ipc_send", 1),
          ok("advance"), ok("cap_delete")}},
        {"recv_cancel",
         {ok("endpoint_create"), with(ok("thread_create"), on_cpu1), ok("thread_start"), waits("ipc_recv", 1),
          ok("cap_delete")}},
        {"cap_transfer",
         {ok("endpoint_create"), ok("notification_create"), with(ok("thread_create"), on_cpu1),
          ok("thread_start"), with(ok("utcb:3", 1), cap_window), waits("ipc_recv", 1),
          with(ok("utcb:1", 0), item0_cap), with(ok("utcb:1", 0), item1_grantable),
          with(ok("ipc_send", 0), one_item)}},
        {"memory_transfer",
         {ok("endpoint_create"), with(ok("thread_create"), on_cpu1), ok("thread_start"),
          with(ok("utcb:4", 1), mem_window), waits("ipc_recv", 1), with(ok("utcb:1", 0), item0_memory),
          with(ok("utcb:1", 0), item1_fpage), with(ok("ipc_send", 0), one_item)}},
        {"notify",
         {ok("notification_create"), ok("notify_signal"), ok("notify_wait"),
          with(ok("thread_create"), on_cpu1), ok("thread_start"), waits("notify_wait", 1),
          ok("notify_signal")}},
        {"irq",
         {ok("notification_create"), ok("irq_create"), ok("irq_bind"), with(ok("interrupt"), live_line),
          ok("notify_wait"), ok("irq_ack")}},
        {"thread_control",
         {with(ok("thread_create"), on_cpu1), ok("thread_start"), ok("thread_set_sched"),
          ok("thread_yield", 1), ok("thread_stop"), ok("thread_start"), ok("thread_yield")}},
        {"memory",
         {ok("pd_create"), ok("mem_map"), ok("mem_map"), ok("mem_unmap"), fails("mem_map", E::not_mapped),
          ok("debug_write")}},
        // The typed-item paths around cap_transfer and memory_transfer that blind mutation did not reach
        // (fuzz/README.md, "Unreached syscall paths"): a copy instead of a move, each way a message fails at
        // the sender or at the receiver (which keeps waiting), a queued sender whose message the receiver
        // cannot take, a reply that cannot be delivered.
        {"cap_copy_item",
         {ok("endpoint_create"), ok("notification_create"), with(ok("thread_create"), on_cpu1),
          ok("thread_start"), with(ok("utcb:3", 1), cap_window), waits("ipc_recv", 1),
          with(ok("utcb:1", 0), item0_cap_copy), with(ok("utcb:1", 0), item1_grantable),
          with(ok("ipc_send", 0), one_item)}},
        {"item_reserved",
         {ok("endpoint_create"), with(ok("thread_create"), on_cpu1), ok("thread_start"),
          with(ok("utcb:3", 1), cap_window), waits("ipc_recv", 1), with(ok("utcb:1", 0), item0_reserved),
          with(fails("ipc_send", E::bad_message, 0), one_item)}},
        {"item_without_grant",
         {ok("endpoint_create"), with(ok("cap_copy"), copy_without_grant), with(ok("thread_create"), on_cpu1),
          ok("thread_start"), with(ok("utcb:3", 1), cap_window), waits("ipc_recv", 1),
          with(ok("utcb:1", 0), item0_cap), with(ok("utcb:1", 0), item1_not_grantable),
          with(fails("ipc_send", E::missing_rights, 0), one_item)}},
        {"item_refused",
         {ok("endpoint_create"), ok("notification_create"), with(ok("thread_create"), on_cpu1),
          ok("thread_start"), waits("ipc_recv", 1), with(ok("utcb:1", 0), item0_cap),
          with(ok("utcb:1", 0), item1_grantable), with(fails("ipc_send", E::refused, 0), one_item)}},
        {"memory_refused",
         {ok("endpoint_create"), with(ok("thread_create"), on_cpu1), ok("thread_start"), waits("ipc_recv", 1),
          with(ok("utcb:1", 0), item0_memory), with(ok("utcb:1", 0), item1_fpage),
          with(fails("ipc_send", E::refused, 0), one_item)}},
        {"queued_sender_refused",
         {ok("endpoint_create"), ok("notification_create"), with(ok("thread_create"), on_cpu1),
          ok("thread_start"), with(ok("utcb:1", 1), item0_cap), with(ok("utcb:1", 1), item1_grantable),
          with(waits("ipc_send", 1), one_item), with(waits("ipc_recv", 0), a_send_refused)}},
        {"reply_refused",
         {ok("endpoint_create"), ok("notification_create"), with(ok("thread_create"), on_cpu1),
          ok("thread_start"), with(ok("utcb:2", 1), free_reply_sel), waits("ipc_recv", 1),
          waits("ipc_call", 0), with(ok("utcb:1", 1), item0_cap), with(ok("utcb:1", 1), item1_grantable),
          with(fails("ipc_reply", E::refused, 1), one_item)}},
        {"reply_recv_timeout",
         {ok("endpoint_create"), with(ok("thread_create"), on_cpu1), ok("thread_start"),
          with(ok("utcb:2", 1), free_reply_sel), waits("ipc_recv", 1), waits("ipc_call", 0),
          with(waits("ipc_reply_recv", 1), finite_timeout), ok("advance")}},
        {"start_bad_address", {ok("thread_create"), fails("thread_start", E::bad_address)}},
        {"small_objects_exhausted",
         {with(ok("pd_create"), root_exhausted), fails("endpoint_create", E::quota_exhausted),
          fails("notification_create", E::quota_exhausted), fails("irq_create", E::quota_exhausted)}},
    };
}

} // namespace

/// The seed in the syscalls_smp layout (smp.hpp) on 2 CPUs: each step on the CPU its actor's thread was on
/// when it ran sequentially, events on CPU 0, the fair default schedule.
std::vector<std::uint8_t> smp_layout(const std::vector<std::uint8_t>& program) {
    fuzzsys::Sandbox w(fuzzsys::Sandbox::OnFailure::record);
    w.reset();
    std::vector<std::uint8_t> out{0}; // 2 CPUs
    for (std::size_t at = 0; at + fuzzsys::record_bytes <= program.size(); at += fuzzsys::record_bytes) {
        std::uint8_t rec[fuzzsys::record_bytes];
        std::copy(program.begin() + static_cast<std::ptrdiff_t>(at),
                  program.begin() + static_cast<std::ptrdiff_t>(at + fuzzsys::record_bytes), rec);
        const std::size_t before = w.trace().size();
        fuzzsys::run_record(w, rec);
        std::uint8_t cpu = 0;
        if (w.trace().size() > before) {
            const Step& s = w.trace()[before];
            if (s.kind == Step::Kind::call || s.kind == Step::Kind::utcb)
                if (kernel::Thread* t = w.actor(s.actor)) cpu = static_cast<std::uint8_t>(t->cpu);
        }
        out.insert(out.end(), {cpu, 0, 0, 0});
        out.insert(out.end(), rec, rec + fuzzsys::record_bytes);
    }
    return out;
}

int main(int argc, char** argv) {
    if (argc != 2 && !(argc == 4 && std::string(argv[2]) == "--smp")) {
        std::fprintf(stderr, "usage: syscalls_seeds DIR [--smp SMP_DIR]\n");
        return 2;
    }
    std::mt19937_64 rng(20261121);
    int failed = 0;
    for (const Scenario& s : scenarios()) {
        // The search is greedy (an early record may make a later goal unreachable): a few fresh tries.
        std::string error;
        std::vector<std::uint8_t> program;
        for (int attempt = 0; attempt < 5; ++attempt) {
            error.clear();
            program = solve(s.goals, rng, error);
            if (error.empty()) break;
        }
        if (!error.empty()) {
            std::fprintf(stderr, "seed %s: %s\n", s.name, error.c_str());
            ++failed;
            if (program.empty()) continue;
        }
        std::ofstream out(std::string(argv[1]) + "/seed_" + s.name, std::ios::binary);
        out.write(reinterpret_cast<const char*>(program.data()),
                  static_cast<std::streamsize>(program.size()));
        std::printf("seed_%s: %zu steps\n", s.name, program.size() / fuzzsys::record_bytes);
        if (argc == 4) {
            std::vector<std::uint8_t> smp = smp_layout(program);
            std::ofstream o(std::string(argv[3]) + "/seed_" + s.name, std::ios::binary);
            o.write(reinterpret_cast<const char*>(smp.data()), static_cast<std::streamsize>(smp.size()));
        }
    }
    return failed ? 1 : 0;
}
