// The capability model: every syscall of kernel/abi/abi.def as an operation on State, returning the status
// and result registers the kernel must return. Error precedence and the readings of the ABI text: README.md.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/caps/state.hpp"

namespace models::caps {

struct Config {
    Word cpus = 1;       ///< thread_create's cpu must be below this
    Word irq_lines = 24; ///< irq_create's line must be below this (abi.md: lines 0..23)
    /// Model page tables below the top level and their charges (the kernel's memory side). Off: a UTCB is
    /// only a reserved page, and mem_map/mem_unmap are not to be called.
    bool memory = true;
    /// mmio_create's device memory: whether every page of the physical range [base, end) is device memory
    /// on the machine (docs/abi.md "Device memory": outside RAM and what the kernel drives). Unset: none is.
    std::function<bool(Word base, Word end)> device_memory = nullptr;
};

using Args = std::array<Word, janus::abi::max_args>;

/// What a syscall leaves in rax and in the result registers rdi, rsi, rdx.
struct Outcome {
    Error status = Error::ok;
    std::array<Word, janus::abi::max_results> regs{};
    bool operator==(const Outcome&) const = default;
};

/// What cap_info reports about a slot, plus the model's object identity (not visible through the ABI).
struct CapView {
    ObjectType type = ObjectType::none;
    Word rights = 0;
    Word badge = 0;
    ObjId object = 0;
};

struct PageView {
    Word frame = 0;
    Word rights = 0;
    bool operator==(const PageView&) const = default;
};

/// An address space's pages in address order (page, its view).
using PageList = std::vector<std::pair<Word, PageView>>;

class Model {
public:
    explicit Model(const Config& config = {}) : config_(config) {}

    // ---- the boot state (what the kernel hands the first protection domain) ----
    ObjId boot_pd(Word limit, Word used, unsigned cap_order);
    ObjId boot_thread(ObjId pd, Word utcb, Word prio = 0, Word cpu = 0);
    ObjId boot_object(ObjectType type);
    void boot_cap(ObjId pd, Word sel, ObjId object, Word rights, Word badge = 0);
    void boot_mapping(ObjId pd, Word page, Word frame, Word rights);

    // ---- syscalls, made by thread `caller` (which must be alive) ----
    /// Whether `number` is a syscall this model describes (the capability and memory-delegation ones; IPC and
    /// scheduling syscalls of the spec are other models' business).
    static bool models(Word number);
    /// Any number: a modelled syscall, or one the spec does not define (bad_syscall); throws for the others.
    Outcome syscall(ObjId caller, Word number, const Args& args);

    Error pd_create(ObjId caller, Word dest, Word quota, Word cap_order);
    Error thread_create(ObjId caller, Word dest, Word pd, Word utcb, Word prio, Word cpu);
    Error thread_configure(ObjId caller, Word thread, Word pager, Word exception);
    Error endpoint_create(ObjId caller, Word dest);
    Error notification_create(ObjId caller, Word dest);
    Error irq_create(ObjId caller, Word dest, Word control, Word line);
    Error irq_bind(ObjId caller, Word irq, Word notification, Word bit);
    Error io_create(ObjId caller, Word dest, Word control, Word first, Word count);
    Error mmio_create(ObjId caller, Word dest, Word control, Word phys, Word pages, Word type);
    Error mmio_map(ObjId caller, Word mmio, Word pd, Word vaddr, Word offset, Word count, Word rights);
    Error cap_copy(ObjId caller, Word src, Word pd, Word dest, Word rights, Word badge);
    Error cap_grant(ObjId caller, Word src, Word pd, Word dest, Word rights);
    Error cap_revoke(ObjId caller, Word sel);
    Error cap_delete(ObjId caller, Word sel);
    Error cap_info(ObjId caller, Word sel, Word& type, Word& rights, Word& badge) const;
    Error mem_map(ObjId caller, Word src, Word pd, Word dest, Word flags);
    Error mem_unmap(ObjId caller, Word fpage, Word flags);
    Error pd_quota(ObjId caller, Word& limit, Word& used) const;

    // ---- observers ----
    const State& state() const { return s_; }
    const Config& config() const { return config_; }
    bool alive(ObjId object) const { return s_.objects.count(object) != 0; }
    ObjectType type_of(ObjId object) const;
    ObjId pd_of_thread(ObjId thread) const;
    std::map<Word, CapView> cspace(ObjId pd) const;
    std::optional<CapView> cap_at(ObjId pd, Word sel) const;
    Word slots(ObjId pd) const;
    Word limit(ObjId pd) const;
    Word used(ObjId pd) const; ///< recomputed from the state every time
    std::map<Word, PageView> address_space(ObjId pd) const;
    /// The same into `out` (cleared first), in address order: a caller that reuses `out` allocates nothing
    /// once it has grown (compare_state compares every domain after every step of a fuzz run).
    void address_space(ObjId pd, PageList& out) const;
    std::vector<ObjId> live(ObjectType type) const;
    /// The ports `pd`'s threads may use (io_create in abi.def): those of every io_ports capability in its
    /// space with read and write, as sorted, merged [first, end) ranges.
    std::vector<std::pair<Word, Word>> usable_ports(ObjId pd) const;

    /// The model's own well-formedness (derivation trees, identities, quotas); empty when all holds.
    std::vector<std::string> check() const;

    /// Sets the scratch model that cap_delete tries deletions on (one per thread, kept between calls so
    /// that assigning to it reuses its nodes) to `like`. The fuzzers return it to their boot state after
    /// every run, as they do their model, so that a run frees as many blocks as it allocates (libFuzzer runs
    /// an input again when it does not).
    static void reset_scratch(const Model& like) { scratch() = like; }

private:
    static Model& scratch();
    struct Bill; // quota needed per paying PD

    const Cap* lookup(ObjId pd, Word sel) const;
    bool slot_in_range(ObjId pd, Word sel) const;
    Error check_dest(ObjId pd, Word sel) const;
    Error check_pay(const std::map<ObjId, Word>& bill) const;
    std::set<std::pair<int, Word>> new_page_tables(ObjId pd, const std::vector<Word>& pages) const;
    void add_page_tables(ObjId pd, const std::vector<Word>& pages);
    void add_boot_page_tables(ObjId pd, Word page);
    ObjId new_object(ObjectType type, ObjId payer, Word charge);
    CapId new_cap(ObjId pd, Word sel, ObjId object, Word rights, Word badge, CapId parent);
    std::vector<CapId> children(CapId cap) const;
    std::vector<CapId> descendants(CapId cap) const;
    std::vector<MapId> children_of_mapping(MapId mapping) const;
    Error create_simple(ObjId caller, Word dest, ObjectType type, Word charge);
    Error delegate(ObjId caller, Word src, Word pd, Word dest, Word rights, Word badge, bool move);

    // destroy.cpp: lifetimes
    void delete_cap(CapId cap);
    void destroy(ObjId object);
    void remove_mapping(MapId mapping);

    Config config_;
    State s_;
    Word boot_total_ = 0; ///< sum of all limits, constant
};

} // namespace models::caps
