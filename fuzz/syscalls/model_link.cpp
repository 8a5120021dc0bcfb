#include "fuzz/syscalls/model_link.hpp"

#include <algorithm>
#include <exception>
#include <rapidcheck.h>
#include <sstream>
#include <unordered_set>

#include "arch/cpu.hpp"
#include "fuzz/syscalls/sandbox.hpp"
#include "hostsim/io_ports.hpp"
#include "hostsim/machine.hpp"
#include "kernel/check/check.hpp"
#include "kernel/lifecycle/root.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/io_access.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/test_machine.hpp"

namespace fuzzsys {

namespace {

using proptest::caps::ObjId;
using Type = abi::ObjectType;

/// A comparison stopped: what differed.
struct Mismatch {
    std::string what;
};

bool creates(Word number) {
    const abi::SyscallSpec* s = abi::find(number);
    if (!s || s->arg_count == 0) return false;
    std::string_view name = s->name;
    return name.size() > 7 && name.substr(name.size() - 7) == "_create" &&
           std::string_view(s->args[0].name) == "dest";
}

} // namespace

void ModelLink::boot(kernel::Kernel& k, kernel::Pd& root, kernel::Thread& thread,
                     const kernel::RootConfig& config, unsigned cpus,
                     const std::function<Word(std::size_t)>& frame) {
    kernel_ = &k;
    objects_.clear();
    ids_.clear();
    following_ = true;
    dirty_ = false;
    stepped_out_.clear();
    // Building the boot state costs a std::set and a vector per boot page (boot_mapping), which under ASan is
    // a good part of a run; it is the same every time, so it is built once and copied (nodes only).
    const std::array<Word, 6> key{config.quota,    config.cap_order, config.utcb,
                                  config.priority, config.cpu,       cpus};
    auto b = std::find_if(boot_states_.begin(), boot_states_.end(),
                          [&key](const BootState& s) { return s.key == key; });
    if (b == boot_states_.end()) {
        models::caps::Config model_config{cpus, abi::irq_lines, true};
        model_config.device_memory = kernel::testing::machine::is_device; // the sandbox boots that machine
        BootState s{key, proptest::caps::Model(model_config)};
        auto& m = s.model;
        s.pd = m.boot_pd(config.quota, 0, config.cap_order);
        s.thread = m.boot_thread(s.pd, config.utcb, config.priority, config.cpu);
        s.irq_control = m.boot_object(Type::irq_control);
        s.io_control = m.boot_object(Type::io_control);
        s.mmio_control = m.boot_object(Type::mmio_control);
        m.boot_cap(s.pd, abi::root_sel::pd, s.pd, abi::rights::all);
        m.boot_cap(s.pd, abi::root_sel::thread, s.thread, abi::rights::all);
        m.boot_cap(s.pd, abi::root_sel::irq_control, s.irq_control, abi::rights::all);
        m.boot_cap(s.pd, abi::root_sel::io_control, s.io_control, abi::rights::all);
        m.boot_cap(s.pd, abi::root_sel::mmio_control, s.mmio_control, abi::rights::all);
        std::size_t i = 0;
        for (const BootMemory& mem : boot_memory) {
            for (Word p = 0; p < mem.pages; ++p) {
                m.boot_mapping(s.pd, mem.va + p * 4096, frame(i++), mem.rights);
            }
        }
        boot_states_.push_back(std::move(s));
        b = boot_states_.end() - 1;
    }
    booted_ = static_cast<std::size_t>(b - boot_states_.begin());
    if (model_is_ != booted_) world_.model = b->model; // release() usually left it there already
    model_is_ = none;
    world_.memory = true;
    world_.boot_thread = b->thread;
    remember(b->pd, &root);
    remember(b->thread, &thread);
    remember(b->irq_control, root.space.cap(abi::root_sel::irq_control)->object());
    remember(b->io_control, root.space.cap(abi::root_sel::io_control)->object());
    remember(b->mmio_control, root.space.cap(abi::root_sel::mmio_control)->object());
}

void ModelLink::release() {
    if (booted_ < boot_states_.size()) {
        world_.model = boot_states_[booted_].model;
        proptest::caps::Model::reset_scratch(boot_states_[booted_].model);
        model_is_ = booted_;
    }
    objects_.clear();
    ids_.clear();
}

bool ModelLink::describes(Word number) const {
    return proptest::caps::Model::models(number);
}

std::string ModelLink::on_call(kernel::Kernel&, kernel::Thread& caller, Step& step, bool waits) {
    if (!following_) return {};
    const ObjId* id = ids_.find(&caller);
    auto& m = world_.model;
    if (!id || !m.alive(*id) || m.type_of(*id) != Type::thread)
        return "actor " + std::to_string(step.actor) +
               " made a syscall, but the model has no such live thread";
    if (waits) return std::string(syscall_name(step.number)) + " waited; the model says it never does";
    proptest::caps::Outcome want;
    try {
        want = m.syscall(*id, step.number, step.arg);
    } catch (const std::exception& e) {
        return std::string("the model refused the step: ") + e.what();
    }
    step.modelled = true;
    step.model_status = want.status;
    step.model_out = {want.regs[0], want.regs[1], want.regs[2]};
    if (want.status != step.status)
        return std::string(syscall_name(step.number)) + ": the kernel returned " + error_name(step.status) +
               ", the model " + error_name(want.status);
    for (std::size_t r = 0; r < 3; ++r)
        if (want.regs[r] != step.out[r])
            return std::string(syscall_name(step.number)) + ": result register " + abi::result_registers[r] +
                   " is " + std::to_string(step.out[r]) + " in the kernel, " + std::to_string(want.regs[r]) +
                   " in the model";
    if (want.status == abi::Error::ok) {
        dirty_ = true;
        if (creates(step.number)) {
            ObjId pd = m.pd_of_thread(*id);
            auto cap = m.cap_at(pd, step.arg[0]);
            kernel::Slot* slot = caller.pd->space.cap(step.arg[0]);
            if (!cap || !slot) return "the created object's capability is missing (kernel or model)";
            remember(cap->object, slot->object());
        }
    }
    return {};
}

std::string ModelLink::before_unmodelled(kernel::Kernel&) {
    if (!following_ || !dirty_) return {};
    return compare("before a syscall the model does not describe");
}

std::string ModelLink::after_unmodelled(kernel::Kernel&, Step& step, bool waits) {
    if (!following_) return {};
    // A failed syscall changes nothing (all or nothing), except the two that do two things
    // (may_change_on_error); anything else may have changed what the model holds.
    if (!waits && step.status != abi::Error::ok && !may_change_on_error(step.number)) return {};
    if (std::string diff = compare("after"); !diff.empty()) {
        following_ = false;
        stepped_out_ =
            std::string(syscall_name(step.number)) + " changed what the model holds (" + diff + ")";
    }
    return {};
}

std::string ModelLink::finish() {
    if (!following_ || !dirty_) return {};
    return compare("at the end of the run");
}

std::string ModelLink::compare(const char* when) {
    dirty_ = false;
    try {
        proptest::caps::compare_state(world_, *this);
    } catch (const rc::detail::CaseResult& r) {
        return std::string("kernel and model differ ") + when + ": " + r.description;
    } catch (const Mismatch& m) {
        return std::string("kernel and model differ ") + when + ": " + m.what;
    }
    return {};
}

void ModelLink::remember(ObjId id, kernel::Object* o) {
    objects_.set(id, o);
    ids_.set(o, id); // a new object at a dead one's address takes the address over
}

kernel::Object& ModelLink::live(ObjId id) {
    kernel::Object* const* it = objects_.find(id);
    if (!it) throw Mismatch{"model object #" + std::to_string(id) + " was never bound"};
    kernel::Checker checker(*kernel_);
    const ObjId* bound = checker.is_live(*it) ? ids_.find(*it) : nullptr;
    if (!bound || *bound != id)
        throw Mismatch{"model object #" + std::to_string(id) + " is alive in the model, dead in the kernel"};
    return **it;
}

// ---- CapsSut

ObjId ModelLink::boot(proptest::caps::Model&) {
    return world_.boot_thread; // the sandbox boots; never called by compare_state
}

proptest::caps::Outcome ModelLink::syscall(ObjId, Word, const proptest::caps::Args&) {
    throw Mismatch{"ModelLink::syscall is not used: the sandbox makes the syscalls"};
}

void ModelLink::bind(ObjId, ObjId, Word) {}

std::vector<Word> ModelLink::occupied(ObjId pd) {
    const auto& space = kernel::as<kernel::Pd>(live(pd)).space;
    std::vector<Word> out;
    for (Word sel = 1; sel < space.size(); ++sel)
        if (space.cap(sel)) out.push_back(sel);
    return out;
}

std::optional<proptest::caps::CapView> ModelLink::cap(ObjId pd, Word sel) {
    const kernel::Slot* slot = kernel::as<kernel::Pd>(live(pd)).space.cap(sel);
    if (!slot) return std::nullopt;
    const ObjId* id = ids_.find(slot->object());
    return proptest::caps::CapView{slot->object()->type, slot->rights(), slot->badge(), id ? *id : 0};
}

std::pair<Word, Word> ModelLink::quota(ObjId pd) {
    const auto& q = kernel::as<kernel::Pd>(live(pd)).quota;
    return {q.limit, q.used};
}

bool ModelLink::port_usable(ObjId pd, Word port) {
    auto& p = kernel::as<kernel::Pd>(live(pd));
    kernel::io_enter(p.kernel->io, p);
    return hostsim::io_permitted(hostsim::Machine::current() ? arch::cpu_id() : 0,
                                 static_cast<std::uint32_t>(port), 1);
}

void ModelLink::address_space(ObjId pd, models::caps::PageList& out) {
    out.clear();
    kernel::visit_mappings(kernel::as<kernel::Pd>(live(pd)), [&](Word va, Word frame, Word rights) {
        out.emplace_back(va, proptest::caps::PageView{frame, rights});
    });
}

proptest::caps::ObjectView ModelLink::object(ObjId id) {
    const kernel::Object& o = live(id);
    auto id_of = [this](const kernel::Object* p) -> ObjId {
        if (!p) return 0;
        const ObjId* it = ids_.find(p);
        return it ? *it : ~ObjId{0};
    };
    proptest::caps::ObjectView v;
    v.payer = id_of(o.payer);
    v.charge = o.charge;
    if (o.type == Type::thread) {
        const auto& t = kernel::as<kernel::Thread>(o);
        // The model bills a thread's reply object with the thread (abi.def: paid by thread_create's caller).
        if (t.reply) v.charge += t.reply->charge;
        v.pd = id_of(t.pd);
        v.utcb = t.utcb;
        v.prio = t.priority;
        v.cpu = t.cpu;
        v.pager = id_of(t.pager.target());
        v.pager_badge = t.pager.tag();
        v.exception = id_of(t.exception_handler.target());
        v.exception_badge = t.exception_handler.tag();
    }
    if (o.type == Type::irq) {
        const auto& irq = kernel::as<kernel::Irq>(o);
        v.line = irq.line;
        v.notification = id_of(irq.notification.target());
        v.bit = irq.notification.tag();
    }
    return v;
}

std::map<abi::ObjectType, std::size_t> ModelLink::census() {
    std::map<abi::ObjectType, std::size_t> out;
    for (const kernel::Object* o = kernel::first_object(*kernel_); o; o = kernel::next_object(o))
        if (o->type != Type::reply) ++out[o->type]; // reply objects live and die with their thread
    return out;
}

std::string ModelLink::invariants() {
    return {}; // the sandbox runs the invariant checker itself, right before every comparison point
}

} // namespace fuzzsys
