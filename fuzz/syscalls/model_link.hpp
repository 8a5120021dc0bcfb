// ModelLink: the reference model (models/caps) running alongside the sandbox's kernel. It keeps the model's
// object identities bound to kernel objects (as proptest's adapter does: an object is bound when the call
// that creates it succeeds) and implements proptest::caps::CapsSut over the sandbox's kernel, so the final
// comparison is proptest's own compare_state: slots, quotas, per-object state and the census of live objects.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/syscalls/step.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lifecycle/root.hpp"
#include "proptest/caps_commands.hpp"

namespace kernel {
class Object;
class Pd;
class Thread;
} // namespace kernel

namespace fuzzsys {

/// A small map in a vector (a run binds a few dozen objects at most), cleared without freeing its storage: a
/// run binding no more objects than an earlier one allocates nothing (each allocation under ASan costs
/// about as much as a syscall's dispatch).
template <typename K, typename V>
class FlatMap {
public:
    void clear() { items_.clear(); }
    const V* find(const K& k) const {
        for (const auto& [key, value] : items_)
            if (key == k) return &value;
        return nullptr;
    }
    void set(const K& k, const V& v) {
        for (auto& [key, value] : items_)
            if (key == k) {
                value = v;
                return;
            }
        items_.emplace_back(k, v);
    }

private:
    std::vector<std::pair<K, V>> items_;
};

class ModelLink final : public proptest::caps::CapsSut {
public:
    /// The model's boot state for a kernel that create_root just made with `config` on `cpus` CPUs, and whose
    /// root got the boot memory (fuzzsys::boot_memory) from user frames frame(0), frame(1), ... The frames
    /// must be the same for every boot of this link (the sandbox's page pool hands out the same ones): the
    /// state is built once per (config, cpus) and copied after that.
    void boot(kernel::Kernel& k, kernel::Pd& root, kernel::Thread& thread, const kernel::RootConfig& config,
              unsigned cpus, const std::function<Word(std::size_t)>& frame);
    /// Puts the model (and the scratch model its cap_delete works on) back to the boot state it started the
    /// run from, by an assignment that keeps the nodes both states share (models::caps::State): the blocks
    /// the run allocated are freed within that run, and
    /// those it freed allocated again, so libFuzzer's leak detection does not run each input that outgrew the
    /// one before a second time (it does when a run makes more mallocs than frees), and the next boot()
    /// copies next to nothing.
    void release();

    /// Whether the model describes syscall `number` (and so is compared on it while it follows).
    bool describes(Word number) const;

    /// A described syscall ran: the model runs it too; a difference is returned as the failure text.
    std::string on_call(kernel::Kernel& k, kernel::Thread& caller, Step& step, bool waits);
    /// Before a syscall the model does not describe: the state so far must agree (else the failure text).
    std::string before_unmodelled(kernel::Kernel& k);
    /// After one: whether the model can keep following (it steps out otherwise); never a failure.
    std::string after_unmodelled(kernel::Kernel& k, Step& step, bool waits);
    void note_wakeup() {}
    /// End of the run: a final comparison while the model follows.
    std::string finish();

    /// Why the model stopped following ("" while it follows).
    const std::string& stepped_out() const { return stepped_out_; }

    // ---- proptest::caps::CapsSut over the sandbox's kernel (only the observing part is used) ----
    proptest::caps::ObjId boot(proptest::caps::Model& model) override;
    proptest::caps::Outcome syscall(proptest::caps::ObjId caller, Word number,
                                    const proptest::caps::Args& args) override;
    void bind(proptest::caps::ObjId object, proptest::caps::ObjId pd, Word sel) override;
    std::vector<Word> occupied(proptest::caps::ObjId pd) override;
    std::optional<proptest::caps::CapView> cap(proptest::caps::ObjId pd, Word sel) override;
    std::pair<Word, Word> quota(proptest::caps::ObjId pd) override;
    void address_space(proptest::caps::ObjId pd, models::caps::PageList& out) override;
    bool port_usable(proptest::caps::ObjId pd, Word port) override;
    proptest::caps::ObjectView object(proptest::caps::ObjId id) override;
    std::map<abi::ObjectType, std::size_t> census() override;
    std::string invariants() override;
    bool memory_supported() const override { return true; }

private:
    std::string compare(const char* when);
    void remember(proptest::caps::ObjId id, kernel::Object* o);
    kernel::Object& live(proptest::caps::ObjId id);

    kernel::Kernel* kernel_ = nullptr;
    proptest::caps::World world_;
    /// The model right after boot for one (config, cpus), and its root objects: one per CPU count the smp
    /// target uses, a handful at most.
    struct BootState {
        std::array<Word, 6> key{};
        proptest::caps::Model model;
        proptest::caps::ObjId pd = 0, thread = 0, irq_control = 0, io_control = 0, mmio_control = 0;
    };
    std::vector<BootState> boot_states_;
    std::size_t booted_ = 0; ///< the boot_states_ entry of the last boot()
    static constexpr std::size_t none = ~std::size_t{0};
    std::size_t model_is_ = none; ///< the boot_states_ entry the model equals since release(), or none
    FlatMap<proptest::caps::ObjId, kernel::Object*> objects_;
    FlatMap<const kernel::Object*, proptest::caps::ObjId> ids_;
    bool following_ = true;
    bool dirty_ = false; ///< something succeeded since the last comparison
    std::string stepped_out_;
};

} // namespace fuzzsys
