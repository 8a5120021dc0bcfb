#include "kernel/syscall/testing/test_kernel.hpp"
#include "kernel/lifecycle/root.hpp"

#include <cstdio>
#include <cstdlib>
#include <gtest/gtest.h>
#include <sstream>

#include "hostsim/io_ports.hpp"
#include "kernel/check/check.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/obj/device_memory.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/dispatch.hpp"
#include "kernel/syscall/testing/test_machine.hpp"
#include "kernel/syscall/testing/test_machine_boot.hpp"

namespace kernel::testing {

std::set<std::pair<std::uint64_t, Error>>& reached_statuses() {
    static std::set<std::pair<std::uint64_t, Error>> reached;
    return reached;
}

namespace {

const void* addr(const void* p) {
    return p;
}

void describe_weak(std::ostringstream& out, const char* what, const WeakRef& ref) {
    out << " " << what << "=" << addr(ref.target()) << "/" << ref.tag();
}

} // namespace

std::string snapshot(const Kernel& k) {
    std::ostringstream out;
    out << "boot_quota=" << k.boot_quota << " root=" << addr(k.root) << " irq_control=" << addr(k.irq_control)
        << " pages=" << k.kmem.pages_held() << "\n";
    for (unsigned line = 0; line < Kernel::irq_lines; ++line)
        if (k.irq_by_line[line]) out << "line " << line << " -> " << addr(k.irq_by_line[line]) << "\n";
    for (const Object* o = first_object(k); o; o = next_object(o)) {
        out << addr(o) << " type=" << static_cast<unsigned>(o->type) << " caps=" << o->cap_count
            << " root=" << addr(o->caps) << " payer=" << addr(o->payer) << " charge=" << o->charge;
        switch (o->type) {
        case ObjectType::pd: {
            const auto& pd = as<Pd>(*o);
            out << " limit=" << pd.quota.limit << " used=" << pd.quota.used << "\n";
            for (std::uint64_t sel = 1; sel < pd.space.size(); ++sel)
                if (const Slot* s = pd.space.cap(sel))
                    out << "  sel " << sel << " obj=" << addr(s->object()) << " rights=" << s->rights()
                        << " badge=" << s->badge() << " depth=" << s->depth() << " prev=" << addr(s->prev())
                        << " next=" << addr(s->next()) << "\n";
            break;
        }
        case ObjectType::thread: {
            const auto& t = as<Thread>(*o);
            out << " pd=" << addr(t.pd) << " utcb=" << t.utcb << " prio=" << t.priority << " cpu=" << t.cpu;
            describe_weak(out, "pager", t.pager);
            describe_weak(out, "exc", t.exception_handler);
            out << "\n";
            break;
        }
        case ObjectType::irq: {
            const auto& i = as<Irq>(*o);
            out << " line=" << i.line;
            describe_weak(out, "notification", i.notification);
            out << "\n";
            break;
        }
        case ObjectType::notification:
            out << " bits=" << as<Notification>(*o).bits << "\n";
            break;
        default:
            out << "\n";
            break;
        }
    }
    return out.str();
}

TestKernel::TestKernel(const Options& options) {
    // A new kernel on the host thread's CPU is a reboot: the CPU forgets the I/O-port set an earlier kernel
    // loaded under a key this one will hand out again.
    hostsim::reset_io_ports();
    kernel_.init(pages_, options.cpus);
    kernel_.test.observer = this;
    RootConfig config;
    config.quota = options.quota;
    config.cap_order = options.cap_order;
    config.utcb = options.root_utcb;
    auto root = create_root(kernel_, config);
    if (!root) {
        std::fprintf(stderr, "TestKernel: create_root failed (%d)\n", static_cast<int>(root.error()));
        std::abort();
    }
    root_ = root.value();
    boot_test_machine_device_memory(kernel_);
}

TestKernel::~TestKernel() {
    destroy_all(kernel_);
    EXPECT_EQ(kernel_.kmem.pages_held(), 0u) << "Kmem kept pages after every object was destroyed";
    EXPECT_EQ(pages_.outstanding(), 0u) << "pages never given back";
    EXPECT_EQ(pages_.bad_gives(), 0u) << "pages given back that were never taken";
    EXPECT_EQ(kernel_.boot_quota, 0u);
    EXPECT_EQ(kernel_.boot_objects, nullptr);
    CheckResult empty = check_kernel(kernel_);
    EXPECT_TRUE(empty.ok) << empty.text;
}

Outcome TestKernel::call(Thread& thread, std::uint64_t number, std::span<const std::uint64_t> args) {
    std::uint64_t a[spec::max_args] = {};
    std::size_t i = 0;
    for (std::uint64_t v : args) {
        if (i < spec::max_args) a[i] = v;
        ++i;
    }
    EXPECT_LE(args.size(), spec::max_args) << "too many arguments in the test";
    SyscallRegs regs;
    regs.rax = number;
    regs.rdi = a[0];
    regs.rsi = a[1];
    regs.rdx = a[2];
    regs.r10 = a[3];
    regs.r8 = a[4];
    regs.r9 = a[5];
    syscall(thread, regs);
    return Outcome{
        static_cast<Error>(regs.rax), {regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9}, regs};
}

Outcome TestKernel::ok(spec::Syscall s, std::initializer_list<std::uint64_t> args) {
    return ok(root_thread(), s, args);
}

Outcome TestKernel::ok(Thread& thread, spec::Syscall s, std::initializer_list<std::uint64_t> args) {
    Outcome o = call(thread, s, args);
    EXPECT_EQ(o.status, Error::ok) << "syscall " << spec::find(static_cast<std::uint64_t>(s))->name
                                   << " failed with "
                                   << spec::errors[static_cast<std::size_t>(o.status)].name;
    return o;
}

Object* TestKernel::object_at(Pd& pd, std::uint64_t sel) {
    Slot* s = pd.space.cap(sel);
    return s ? s->object() : nullptr;
}

Thread& TestKernel::child_with_thread(std::uint64_t sel, std::uint64_t quota, unsigned cap_order,
                                      std::uint64_t utcb) {
    ok(spec::Syscall::pd_create, {sel, quota, cap_order});
    ok(spec::Syscall::thread_create, {sel + 1, sel, utcb, 100, 0});
    return at<Thread>(root(), sel + 1);
}

void TestKernel::after_syscall(Kernel& kernel, Thread&, const SyscallRegs& in, const SyscallRegs&,
                               Error status) {
    if (status == ipc::in_frame) {
        // The caller waits (kernel/ipc): its status comes with after_wakeup. The state must be sound already.
        check_invariants("(waiting)", kernel);
        return;
    }
    record(kernel, in.rax, status, true);
}

void TestKernel::after_wakeup(Kernel& kernel, Thread&, std::uint64_t number, Error status) {
    // Called in the middle of the operation that ends the wait: invariants are checked when that one ends.
    record(kernel, number, status, false);
}

void TestKernel::record(Kernel& kernel, std::uint64_t number, Error status, bool check) {
    reached_statuses().emplace(number, status);
    const spec::SyscallSpec* s = spec::find(number);
    const char* name = s ? s->name : "(unknown)";
    auto index = static_cast<std::size_t>(status);
    const char* status_name = index < spec::error_count ? spec::errors[index].name : "(no such error)";
    if (!status_allowed(number, status)) {
        violations_.push_back(std::string(name) + " returned " + status_name +
                              ", which the spec does not list");
        ADD_FAILURE() << violations_.back();
    }
    if (check) check_invariants((std::string(name) + " (" + status_name + ")").c_str(), kernel);
}

void TestKernel::check_invariants(const char* what, Kernel& kernel) {
    if (!checking_) return;
    CheckResult r = check_kernel(kernel);
    if (!r.ok) {
        violations_.push_back(std::string("after ") + what + ": " + r.text);
        ADD_FAILURE() << violations_.back();
    }
}

} // namespace kernel::testing
