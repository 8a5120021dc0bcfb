// The root task's run: the UserMode policy of the kernel's run loop (kernel/entry/kernel_host.hpp) on the
// boot path. It runs user code through a UserRunner and watches for the two ways the run ends:
//
//  * exit: a thread of the root domain executes the user runtime's exit convention (docs/user.md): `ud2` with
//    janus::abi::exit_marker in rax and the status in rdi. The root domain holds every boot capability, so
//    ending the machine's run is within its authority; a thread of any other domain doing the same is just a
//    thread taking #UD (its exception handler, or it stops).
//  * crash: the root task's first thread (selector 2 of the root domain) takes an exception nobody handles
//  (no
//    exception handler, and no pager for a page fault). Left to the kernel's default it would stop, and a
//    machine with a stopped root task would sit idle forever; the run ends with a failure instead.
//
// Anything else goes to the kernel as usual (ipc::exception).
//
// One session serves the run loops of every CPU (all its calls but run() come with the kernel lock held). The
// CPU that first sees the run ended kicks the others, so a loop asleep in its idle wait notices too.
#pragma once

#include <cstdint>

#include "arch/cpu.hpp"
#include "kernel/abi/abi.hpp"
#include "kernel/boot_root/user_runner.hpp"
#include "kernel/cap/cap_space.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/sched/pending_vectors.hpp"

namespace kernel {

class RootSession {
public:
    enum class End : std::uint8_t { running, exited, crashed };

    RootSession(Kernel& kernel, UserRunner& runner) : kernel_(kernel), runner_(runner) {}

    // --- the UserMode policy -------------------------------------------------------------------------------
    arch::AddressSpaceRoot enter(Thread& t) {
        return mapdb::address_space_enter(t.pd->memory, arch::cpu_id());
    }
    arch::UserExit run(Thread&, arch::UserFrame& f, arch::AddressSpaceRoot s, const arch::SyscallHook* hook) {
        return runner_.run(f, s, hook);
    }
    bool finished() {
        if (end_ == End::running) return false;
        if (!kicked_ && kernel_.cpu_count > 1) {
            kicked_ = true;
            const std::uint64_t all = ~std::uint64_t{0} >> (64 - kernel_.cpu_count);
            sched::send_kicks(all & ~(std::uint64_t{1} << arch::cpu_id()));
        }
        return true;
    }

    bool exception(Thread& t, const arch::UserExit& e) {
        if (t.pd != kernel_.root) return false;
        // The exit convention (docs/user.md) uses the syscall registers: the marker as the number, the
        // status as a0.
        if (e.vector == invalid_opcode && arch::syscall_number(t.frame) == janus::abi::exit_marker) {
            end_ = End::exited;
            status_ = static_cast<std::int64_t>(arch::syscall_arg(t.frame, 0));
            return true;
        }
        const bool handled = (e.vector == page_fault && t.pager.target()) || t.exception_handler.target();
        if (handled || !first_thread(t)) return false;
        println("root: the root task's first thread took exception ", static_cast<unsigned>(e.vector),
                " at ip ", hex(arch::user_ip(t.frame)), " (error ", hex(e.error_code), ", address ",
                hex(e.fault_address), ") with no handler");
        end_ = End::crashed;
        return true;
    }

    // --- the outcome
    End end() const { return end_; }
    /// The exit status (End::exited): the root task's own verdict, 0 = all its tests passed.
    std::int64_t status() const { return status_; }

private:
    static constexpr arch::Vector invalid_opcode = 6;
    static constexpr arch::Vector page_fault = 14;

    bool first_thread(const Thread& t) const {
        const Slot* s = kernel_.root->space.cap(janus::abi::root_sel::thread);
        return s && s->object() == &t;
    }

    Kernel& kernel_;
    UserRunner& runner_;
    End end_ = End::running;
    bool kicked_ = false;
    std::int64_t status_ = 0;
};

} // namespace kernel
