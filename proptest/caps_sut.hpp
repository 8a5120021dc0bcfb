// The system under test of the capability property tests: a fresh kernel on hostsim, driven through its real
// syscall dispatcher and observed through its test-facing API. Identities are the model's: the adapter learns
// which kernel object a model object stands for when the object is created (bind), so the test can check that
// two selectors name the same object in the kernel exactly when they do in the model.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/caps/model.hpp"

namespace proptest::caps {

using models::caps::Args;
using models::caps::CapView;
using models::caps::Model;
using models::caps::ObjId;
using models::caps::Outcome;
using models::caps::PageView;
using models::caps::Word;

/// What the kernel keeps per object beyond its capabilities: who paid how much, and per type the thread's
/// place and configuration or the irq's line and binding. Object references are model ids (0: none).
struct ObjectView {
    ObjId payer = 0;
    Word charge = 0;
    ObjId pd = 0; ///< thread: the PD it runs in
    Word utcb = 0, prio = 0, cpu = 0;
    ObjId pager = 0, exception = 0;
    Word pager_badge = 0, exception_badge = 0;
    Word line = 0; ///< irq
    ObjId notification = 0;
    Word bit = 0;
    bool operator==(const ObjectView&) const = default;
};

class CapsSut {
public:
    virtual ~CapsSut() = default;

    /// Boot a fresh kernel and describe its boot state (docs: the boot protocol of the first PD) to `model`,
    /// binding the boot objects. Returns the model id of the first thread.
    virtual ObjId boot(Model& model) = 0;

    /// The syscall `number` with `args`, made by the thread the model calls `caller`, through the dispatcher.
    virtual Outcome syscall(ObjId caller, Word number, const Args& args) = 0;

    /// The model created `object` and put its first capability at `sel` of PD `pd`: remember which kernel
    /// object that is.
    virtual void bind(ObjId object, ObjId pd, Word sel) = 0;

    /// The slots of PD `pd` that hold a capability, in the kernel.
    virtual std::vector<Word> occupied(ObjId pd) = 0;

    /// The capability at `sel` of `pd` (type, rights, badge and the bound model id of its object, 0 if the
    /// kernel object is bound to nothing), or nullopt for an empty slot.
    virtual std::optional<CapView> cap(ObjId pd, Word sel) = 0;

    /// Quota limit and used bytes of `pd`.
    virtual std::pair<Word, Word> quota(ObjId pd) = 0;

    /// The user mappings of `pd`'s address space (page -> frame, rights), as the kernel's mapping database
    /// records them, into `out` (cleared first) in address order; only called when memory commands are
    /// enabled.
    virtual void address_space(ObjId pd, models::caps::PageList& out) = 0;

    /// The kernel's view of live object `object`.
    virtual ObjectView object(ObjId object) = 0;

    /// How many live objects of each type the kernel holds (reply objects, which live and die with their
    /// thread and have no capability here, left out).
    virtual std::map<models::caps::ObjectType, std::size_t> census() = 0;

    /// Whether a thread of `pd` may use I/O port `port`, as the kernel makes the CPU enforce it (the kernel
    /// selects `pd`'s set on the executing CPU, which is then asked).
    virtual bool port_usable(ObjId pd, Word port) = 0;

    /// The kernel's invariant checker: empty when everything holds, else what broke.
    virtual std::string invariants() = 0;

    /// Whether the kernel implements mem_map/mem_unmap yet (memory commands are generated only then).
    virtual bool memory_supported() const = 0;
};

/// The adapter to the real kernel (caps_kernel_sut.cpp).
std::unique_ptr<CapsSut> make_kernel_sut();

} // namespace proptest::caps
