// The real kernel as the system under test: a fresh kernel::testing::TestKernel per sequence, every syscall
// through its dispatcher, observation through the kernel's public state (capability slots, quotas) and its
// invariant checker. Boot state per docs/abi.md ("At boot: the root protection domain").
#include <rapidcheck.h>
#include <sstream>

#include "arch/cpu.hpp"
#include "hostsim/io_ports.hpp"
#include "hostsim/machine.hpp"
#include "kernel/check/check.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lifecycle/root.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/io_access.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"
#include "kernel/syscall/testing/test_machine.hpp"
#include "proptest/caps_sut.hpp"

namespace proptest::caps {

namespace {

namespace abi = janus::abi;
using models::caps::ObjectType;

class KernelSut final : public CapsSut {
public:
    ObjId boot(Model& model) override {
        kernel::testing::Options options; // root: 1 MiB quota, 2^8 slots, 4 CPUs, UTCB at 0x1000
        k_ = std::make_unique<kernel::testing::TestKernel>(options);
        models::caps::Config config{options.cpus, abi::irq_lines, memory_supported()};
        config.device_memory = kernel::testing::machine::is_device; // the test kernel's machine
        model = Model(config);
        ObjId pd = model.boot_pd(options.quota, 0, options.cap_order);
        kernel::RootConfig root_config; // the boot thread's priority and CPU: boot parameters, not ABI
        ObjId thread = model.boot_thread(pd, options.root_utcb, root_config.priority, root_config.cpu);
        ObjId irq_control = model.boot_object(ObjectType::irq_control);
        ObjId io_control = model.boot_object(ObjectType::io_control);
        ObjId mmio_control = model.boot_object(ObjectType::mmio_control);
        model.boot_cap(pd, abi::root_sel::pd, pd, abi::rights::all);
        model.boot_cap(pd, abi::root_sel::thread, thread, abi::rights::all);
        model.boot_cap(pd, abi::root_sel::irq_control, irq_control, abi::rights::all);
        model.boot_cap(pd, abi::root_sel::io_control, io_control, abi::rights::all);
        model.boot_cap(pd, abi::root_sel::mmio_control, mmio_control, abi::rights::all);
        // Boot memory for the root to delegate (frames are numbers the kernel never touches): pages 2..31
        // with every memory right, 0x200000.. with read and grant, 0x40000000.. read+write without grant.
        for (const auto& [va, count, rights] : boot_memory()) {
            if (kernel::grant_root_memory(k_->kernel().mapdb, k_->root(), va, frame_of(va), count, rights) !=
                abi::Error::ok)
                RC_FAIL("grant_root_memory failed");
            for (Word i = 0; i < count; ++i)
                model.boot_mapping(pd, va + i * 4096, frame_of(va + i * 4096), rights);
        }
        remember(pd, &k_->root());
        remember(thread, &k_->root_thread());
        remember(irq_control, k_->object_at(k_->root(), abi::root_sel::irq_control));
        remember(io_control, k_->object_at(k_->root(), abi::root_sel::io_control));
        remember(mmio_control, k_->object_at(k_->root(), abi::root_sel::mmio_control));
        return thread;
    }

    Outcome syscall(ObjId caller, Word number, const Args& args) override {
        auto& thread = kernel::as<kernel::Thread>(live(caller));
        auto out = k_->call(thread, number, std::vector<Word>(args.begin(), args.end()));
        // Registers other than rax and the result registers are preserved (docs/abi.md).
        if (out.regs.r10 != args[3] || out.regs.r8 != args[4] || out.regs.r9 != args[5])
            register_damage_ = std::string(abi::find(number) ? abi::find(number)->name : "bad syscall") +
                               " changed r10, r8 or r9";
        Outcome o;
        o.status = out.status;
        o.regs = {out.regs.rdi, out.regs.rsi, out.regs.rdx};
        return o;
    }

    void bind(ObjId object, ObjId pd, Word sel) override {
        kernel::Object* o = k_->object_at(kernel::as<kernel::Pd>(live(pd)), sel);
        if (!o) RC_FAIL("the kernel has no object at the new capability's slot");
        remember(object, o);
    }

    std::vector<Word> occupied(ObjId pd) override {
        const auto& space = kernel::as<kernel::Pd>(live(pd)).space;
        std::vector<Word> out;
        for (Word sel = 1; sel < space.size(); ++sel)
            if (space.cap(sel)) out.push_back(sel);
        return out;
    }

    std::optional<CapView> cap(ObjId pd, Word sel) override {
        const kernel::Slot* slot = kernel::as<kernel::Pd>(live(pd)).space.cap(sel);
        if (!slot) return std::nullopt;
        auto id = ids_.find(slot->object());
        return CapView{slot->object()->type, slot->rights(), slot->badge(),
                       id == ids_.end() ? 0 : id->second};
    }

    std::pair<Word, Word> quota(ObjId pd) override {
        const auto& q = kernel::as<kernel::Pd>(live(pd)).quota;
        return {q.limit, q.used};
    }

    void address_space(ObjId pd, models::caps::PageList& out) override {
        out.clear();
        kernel::visit_mappings(kernel::as<kernel::Pd>(live(pd)), [&](Word va, Word frame, Word rights) {
            out.emplace_back(va, PageView{frame, rights});
        });
    }

    ObjectView object(ObjId id) override {
        const kernel::Object& o = live(id);
        ObjectView v;
        v.payer = id_of(o.payer);
        v.charge = o.charge;
        if (o.type == ObjectType::thread) {
            const auto& t = kernel::as<kernel::Thread>(o);
            // The reply object lives and dies with its thread: the model counts its charge with the thread's.
            if (t.reply) v.charge += t.reply->charge;
            if (t.reply && t.reply->payer != t.payer) v.charge = ~Word{0};
            v.pd = id_of(t.pd);
            v.utcb = t.utcb;
            v.prio = t.priority;
            v.cpu = t.cpu;
            v.pager = id_of(t.pager.target());
            v.pager_badge = t.pager.tag();
            v.exception = id_of(t.exception_handler.target());
            v.exception_badge = t.exception_handler.tag();
        }
        if (o.type == ObjectType::irq) {
            const auto& irq = kernel::as<kernel::Irq>(o);
            v.line = irq.line;
            v.notification = id_of(irq.notification.target());
            v.bit = irq.notification.tag();
        }
        return v;
    }

    std::map<ObjectType, std::size_t> census() override {
        std::map<ObjectType, std::size_t> out;
        for (const kernel::Object* o = kernel::first_object(k_->kernel()); o; o = kernel::next_object(o))
            if (o->type != ObjectType::reply) ++out[o->type];
        return out;
    }

    bool port_usable(ObjId pd, Word port) override {
        kernel::io_enter(k_->kernel().io, kernel::as<kernel::Pd>(live(pd)));
        return hostsim::io_permitted(hostsim::Machine::current() ? arch::cpu_id() : 0,
                                     static_cast<std::uint32_t>(port), 1);
    }

    std::string invariants() override {
        std::string broken = register_damage_;
        if (!k_->clean()) broken += " observer: " + k_->violations().front();
        kernel::CheckResult r = kernel::check_kernel(k_->kernel());
        if (!r.ok) broken += std::string(" checker: ") + r.text;
        return broken;
    }

    bool memory_supported() const override { return true; }

private:
    struct BootMemory {
        Word va, count, rights;
    };
    static std::vector<BootMemory> boot_memory() {
        namespace r = abi::rights;
        return {{0x2000, 30, r::read | r::write | r::exec | r::grant},
                {0x200000, 8, r::read | r::grant},
                {0x40000000, 4, r::read | r::write}};
    }
    static Word frame_of(Word va) { return 0x1'0000'0000 + va; }

    /// The model id of a kernel object (0 for none, ~0 for one the test never saw created).
    ObjId id_of(const kernel::Object* o) const {
        if (!o) return 0;
        auto it = ids_.find(o);
        return it == ids_.end() ? ~ObjId{0} : it->second;
    }

    void remember(ObjId id, kernel::Object* o) {
        objects_[id] = o;
        ids_[o] = id; // a new object at a dead one's address takes the address over
    }

    /// The kernel object the model calls `id`, which the model says is alive: it must be alive in the kernel.
    kernel::Object& live(ObjId id) {
        auto it = objects_.find(id);
        if (it == objects_.end()) RC_FAIL("model object #" + std::to_string(id) + " was never bound");
        kernel::Checker checker(k_->kernel());
        if (!checker.is_live(it->second) || ids_.at(it->second) != id)
            RC_FAIL("model object #" + std::to_string(id) + " is alive in the model, dead in the kernel");
        return *it->second;
    }

    std::unique_ptr<kernel::testing::TestKernel> k_;
    std::map<ObjId, kernel::Object*> objects_;
    std::map<const kernel::Object*, ObjId> ids_;
    std::string register_damage_;
};

} // namespace

std::unique_ptr<CapsSut> make_kernel_sut() {
    return std::make_unique<KernelSut>();
}

} // namespace proptest::caps
