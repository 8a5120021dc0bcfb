// IPC and scheduler invariants for the invariant checker (kernel/check): every waiting thread sits exactly on
// the queue its state names and nowhere else; queues hold only live threads in the matching state; reply
// capabilities exist exactly while their caller waits for the answer; run and timeout queues agree with the
// threads' run states. Walks are bounded by the checker's object bound, so a corrupted list cannot hang it.
#include "kernel/check/check_ipc.hpp"
#include "kernel/cap/slot.hpp"
#include "kernel/check/check.hpp"
#include "kernel/kernel.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel {

namespace {

using sched::RunState;

class IpcWalk {
public:
    explicit IpcWalk(Checker& c) : c_(c), k_(c.kernel), s_(c.kernel.sched), bound_(c.object_bound()) {}

    void run() {
        std::size_t n = 0;
        for (const Object* o = first_object(k_); o && !c_.failed() && n <= bound_; o = next_object(o), ++n) {
            switch (o->type) {
            case ObjectType::thread:
                thread(as<Thread>(*o));
                break;
            case ObjectType::endpoint:
                queue(*o, as<Endpoint>(*o).senders, Wait::send);
                queue(*o, as<Endpoint>(*o).receivers, Wait::recv);
                expect(*o, as<Endpoint>(*o).senders.empty() || as<Endpoint>(*o).receivers.empty(),
                       "has waiting senders and receivers at once");
                break;
            case ObjectType::notification: {
                const auto& nt = as<Notification>(*o);
                queue(*o, nt.waiters, Wait::notify);
                expect(*o, nt.waiters.empty() || nt.bits == 0, "has waiters while bits are set");
                break;
            }
            case ObjectType::reply: {
                const auto& r = as<Reply>(*o);
                expect(*o, r.cap_count <= 1, "has ", r.cap_count, " reply capabilities");
                if (r.caps) {
                    expect(*o, r.caps->rights() == janus::abi::rights::write,
                           "a reply capability has rights ", r.caps->rights());
                    expect(*o, r.owner->ipc.wait == Wait::reply,
                           "has a capability but its caller does not wait");
                }
                break;
            }
            case ObjectType::irq:
                expect(*o, !as<Irq>(*o).pending || as<Irq>(*o).in_service, "pending but not in service");
                break;
            default:
                break;
            }
        }
        if (c_.failed()) return;
        for (unsigned cpu = 0; cpu < s_.cpu_count() && !c_.failed(); ++cpu) scheduler(cpu);
    }

private:
    template <typename... Args>
    bool expect(const Object& o, bool ok, const Args&... what) {
        return c_.expect(ok, "ipc: object ", hex(reinterpret_cast<std::uintptr_t>(&o)), ": ", what...);
    }

    void thread(const Thread& t) {
        const IpcState& st = t.ipc;
        expect(t, t.priority == t.sched::Entity::priority() && t.cpu == t.sched::Entity::cpu(),
               "thread and scheduler disagree on priority or CPU");
        if (st.wait != Wait::none || st.life != Life::active)
            expect(t, t.run_state() == RunState::off, "waits or is not active, yet is scheduled");
        const bool queued = st.wait == Wait::send || st.wait == Wait::recv || st.wait == Wait::notify;
        if (!queued) {
            expect(t, st.queue == nullptr && st.waiting_on == nullptr, "is on a queue without waiting there");
            expect(t, !t.has_timeout(), "has a timeout but no wait that could end by it");
        } else if (expect(t, st.waiting_on && c_.is_live(st.waiting_on), "waits on a dead object")) {
            const IpcQueue* q = nullptr;
            if (st.wait == Wait::notify && st.waiting_on->type == ObjectType::notification)
                q = &as<Notification>(*st.waiting_on).waiters;
            if (st.wait != Wait::notify && st.waiting_on->type == ObjectType::endpoint)
                q = st.wait == Wait::send ? &as<Endpoint>(*st.waiting_on).senders
                                          : &as<Endpoint>(*st.waiting_on).receivers;
            expect(t, q && st.queue == q, "is not on the queue its wait names");
        }
        if (st.wait == Wait::reply)
            expect(t, t.reply->cap_count == 1, "waits for a reply nobody can give");
        else
            expect(t, t.reply->cap_count == 0, "has a reply capability out but waits for no reply");
        if (st.origin != Origin::syscall)
            expect(t, st.wait == Wait::send || st.wait == Wait::reply,
                   "has a fault message but no call of it");
        if (t.has_timeout())
            expect(t, t.timeout_cpu() >= 0 && static_cast<unsigned>(t.timeout_cpu()) < s_.cpu_count(),
                   "timeout on CPU ", t.timeout_cpu());
    }

    void queue(const Object& owner, const IpcQueue& q, Wait wait) {
        std::size_t steps = 0;
        const Thread* prev = nullptr;
        for (const Thread* t = q.first(); t && !c_.failed(); prev = t, t = IpcQueue::next(*t)) {
            if (!expect(owner, ++steps <= bound_, "a wait queue does not end")) return;
            if (!expect(owner, c_.is_live(t) && t->type == ObjectType::thread,
                        "a wait queue holds a dead thread"))
                return;
            expect(owner, t->ipc.wait == wait && t->ipc.queue == &q && t->ipc.waiting_on == &owner,
                   "queues a thread that does not wait there");
            expect(owner, t->ipc.prev == prev, "a wait queue's back links are broken");
        }
    }

    void scheduler(unsigned cpu) {
        const sched::RunQueue& rq = s_.run_queue(cpu);
        for (unsigned level = 0; level < sched::priority_levels && !c_.failed(); ++level) {
            const sched::Entity* first = rq.first(static_cast<sched::Priority>(level));
            std::size_t steps = 0;
            for (const sched::Entity* e = first; e && !c_.failed();) {
                if (!c_.expect(++steps <= bound_, "sched: run queue of cpu", cpu, " does not end")) return;
                const auto* t = static_cast<const Thread*>(e);
                if (!c_.expect(c_.is_live(t), "sched: a run queue holds a dead thread")) return;
                c_.expect(e->run_state() == RunState::ready && e->cpu() == cpu && e->priority() == level,
                          "sched: a thread on cpu", cpu, "'s run queue is not ready there at that level");
                e = sched::RunQueue::next(*e);
                if (e == first) break;
            }
        }
        if (const sched::Entity* cur = s_.current(cpu)) {
            c_.expect(c_.is_live(static_cast<const Thread*>(cur)) && cur->run_state() == RunState::running,
                      "sched: cpu", cpu, " runs a thread that is dead or not running");
        }
        std::uint64_t last = 0;
        std::size_t steps = 0;
        for (const sched::Entity* e = s_.timeouts(cpu).first(); e && !c_.failed();
             e = sched::TimeoutQueue::next(*e)) {
            if (!c_.expect(++steps <= bound_, "sched: timeout queue of cpu", cpu, " does not end")) return;
            const auto* t = static_cast<const Thread*>(e);
            if (!c_.expect(c_.is_live(t), "sched: a timeout queue holds a dead thread")) return;
            c_.expect(e->timeout_cpu() == static_cast<int>(cpu) && e->deadline() >= last, "sched: cpu", cpu,
                      "'s timeout queue is out of order or holds another CPU's timeout");
            last = e->deadline();
        }
    }

    Checker& c_;
    const Kernel& k_;
    const sched::Scheduler& s_;
    std::size_t bound_;
};

} // namespace

void check_ipc(Checker& checker) {
    IpcWalk(checker).run();
}

} // namespace kernel
