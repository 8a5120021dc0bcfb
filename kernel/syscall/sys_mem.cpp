// Memory delegation syscalls: mem_map and mem_unmap.
//
// Argument validation only, in the order of the error precedence; the memory side (kernel/mem: per-domain
// page tables and the mapping database) replaces the marked places with the real work. Until it lands no
// address space holds a mapping, so every mem_map source page is not_mapped and mem_unmap has nothing to do.
#include "kernel/obj/pd.hpp"
#include "kernel/syscall/call.hpp"
#include "kernel/syscall/flexpage.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;

Error sys_mem_map(Call& call) {
    const std::uint64_t src = call.arg[0], pd_sel = call.arg[1], dest = call.arg[2], flags = call.arg[3];
    if (!flexpage_well_formed(src)) return bad_flexpage;
    if (flags & ~spec::map_grant) return invalid_argument;
    Slot* target = call.pd.space.cap(pd_sel);
    if (!target) return bad_selector;
    if (!has_type(*target, ObjectType::pd)) return wrong_type;
    if (!has_rights(*target, spec::rights::control)) return missing_rights;
    std::uint64_t bytes = flexpage_bytes(src);
    if (!user_range(fpage::base(src), bytes)) return bad_address;
    if (dest % 4096 || !user_range(dest, bytes)) return bad_address;
    // Memory side: not_mapped / missing_rights per source page, mapping_conflict per destination page,
    // quota_exhausted for the receiver's mapping nodes and page tables, then map.
    return not_mapped;
}

Error sys_mem_unmap(Call& call) {
    const std::uint64_t f = call.arg[0], flags = call.arg[1];
    if (!flexpage_well_formed(f) || fpage::rights(f) != 0) return bad_flexpage;
    if (flags & ~spec::unmap_self) return invalid_argument;
    if (!user_range(fpage::base(f), flexpage_bytes(f))) return bad_address;
    // Memory side: remove what is derived from the caller's pages in f (and with unmap_self its own).
    return ok;
}

} // namespace kernel
