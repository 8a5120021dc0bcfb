// Machine: requests one CPU makes of others through the IPI protocol (arch/x86_64/tlb.cpp), shared by TLB
// shootdowns (tlb_model.cpp), I/O-port shootdowns (io_ports.cpp) and arch::leave_user (arch_contract.cpp):
//
//   1. the initiator passes one scheduling point (its IPIs) and leaves the request on every other CPU in the
//      mask; a target keeps what the request names until it takes it;
//   2. a target takes it like an interrupt, only with interrupts enabled, ahead of the kernel's vectors (the
//      arch layer's own vector, never passed to the kernel's handler); taking it carries the request out and
//      clears the target's bit in its initiator's wait;
//   3. the initiator carries it out at once on itself if it is in the mask, then polls until every target has
//      acknowledged (Point::ack_wait: a wait that costs nothing until an acknowledgement changes memory).
//
// An initiator waiting for a CPU that spins or sleeps with interrupts masked is therefore a deadlock (or a
// livelock at the step budget), reported by the scheduler with who waits for whom.
#include "hostsim/machine.hpp"
#include "hostsim/sanitizers.hpp"
#include "hostsim/sim_cpu.hpp"

namespace hostsim {

namespace {

const char* describe(const CrossCpuRequest& r) {
    if (r.kind == CrossCpuRequest::Kind::io_ports) return "its I/O ports";
    if (r.kind == CrossCpuRequest::Kind::leave_user) return "its user frame";
    return r.va ? (r.pages == 1 ? "one page" : "a range") : "everything";
}

const char* describe_taken(const CrossCpuRequest& r) {
    switch (r.kind) {
    case CrossCpuRequest::Kind::tlb:
        return "its entries";
    case CrossCpuRequest::Kind::io_ports:
        return "its I/O ports";
    case CrossCpuRequest::Kind::leave_user:
        return "its user frame";
    }
    return "?";
}

} // namespace

void Machine::carry_out(unsigned id, const CrossCpuRequest& r) {
    switch (r.kind) {
    case CrossCpuRequest::Kind::tlb:
        drop_pages(id, r.va, r.pages);
        break;
    case CrossCpuRequest::Kind::io_ports: {
        SimCpu& c = cpu(static_cast<int>(id));
        c.io.drop();
        if (c.in_user) c.reentry = r.reenter; // x86: the IPI interrupted ring 3; run_user reports it
        break;
    }
    case CrossCpuRequest::Kind::leave_user: {
        // The user-mode engine has written the frame at the end of its slice, before this scheduling point.
        SimCpu& c = cpu(static_cast<int>(id));
        if (c.in_user) c.reentry = r.reenter;
        break;
    }
    }
}

void Machine::cross_cpu_request(std::uint64_t cpu_mask, const CrossCpuRequest& request) {
    san::Bookkeeping bookkeeping;
    if (config_.cpus < 64) cpu_mask &= (std::uint64_t{1} << config_.cpus) - 1;
    if (!in_run_ || running_ == host_index()) { // no CPU executes: nothing can be in between
        for (unsigned i = 0; i < config_.cpus; ++i)
            if (cpu_mask >> i & 1) carry_out(i, request);
        return;
    }
    schedule(Point::ipi);
    const unsigned me = static_cast<unsigned>(running_);
    if (trace_)
        trace("  cpu%u  shootdown of %s on cpu mask %#llx", me, describe(request),
              static_cast<unsigned long long>(cpu_mask));
    std::uint64_t targets = 0;
    for (unsigned i = 0; i < config_.cpus; ++i) {
        if (i == me || !(cpu_mask >> i & 1)) continue;
        SimCpu& t = cpu(static_cast<int>(i));
        if (t.state == CpuState::off || t.state == CpuState::finished) {
            carry_out(i, request); // idle with interrupts enabled: takes the IPI at once
            continue;
        }
        san::tsan_release(&t.shootdowns); // x86: the request is published with a release store
        t.shootdowns.push_back({me, request});
        targets |= std::uint64_t{1} << i;
    }
    if (targets) ++epoch_; // a spinning target may be waiting for an interrupt
    if (cpu_mask >> me & 1) carry_out(me, request);
    SimCpu& c = self();
    c.awaiting_acks |= targets;
    c.awaiting_kind = request.kind;
    while (c.awaiting_acks) {
        schedule(Point::ack_wait);
        if (trace_ && !c.awaiting_acks) trace("  cpu%u  shootdown acknowledged by every target", me);
    }
    // x86: the acquire load that sees every acknowledgement; what the targets did before their handler
    // happens before what this CPU does next (reusing the pages they may have walked).
    san::tsan_acquire(&c.awaiting_acks);
}

bool Machine::shootdown_pending(arch::CpuId id) const {
    return id < config_.cpus && !cpus_[id].shootdowns.empty();
}

// The target's side, in its interrupt delivery (arch/x86_64/interrupt.cpp: vector::tlb_shootdown, handled by
// the arch layer): carry out each request, then clear this CPU's bit in its initiator's wait.
void Machine::acknowledge_shootdowns(unsigned id) {
    san::Bookkeeping bookkeeping;
    SimCpu& c = cpu(static_cast<int>(id));
    san::tsan_acquire(&c.shootdowns);
    for (const SimCpu::ShootdownRequest& r : c.shootdowns) {
        if (trace_)
            trace("  cpu%u  takes the shootdown IPI of cpu%u: drops %s, acknowledges", id, r.initiator,
                  describe_taken(r.request));
        carry_out(id, r.request);
        SimCpu& initiator = cpu(static_cast<int>(r.initiator));
        san::tsan_release(&initiator.awaiting_acks); // x86: the release fetch_and of the acknowledgement
        initiator.awaiting_acks &= ~(std::uint64_t{1} << id);
    }
    c.shootdowns.clear();
    ++epoch_; // the initiators' polls see the change
}

void Machine::set_in_user(bool in_user) {
    SimCpu& c = self();
    c.in_user = in_user;
    if (!in_user) c.reentry.reset();
}

std::optional<unsigned> Machine::take_user_reentry() {
    SimCpu& c = self();
    std::optional<unsigned> v = c.reentry;
    c.reentry.reset();
    return v;
}

} // namespace hostsim
