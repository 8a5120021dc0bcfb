// Memory delegation syscalls: mem_map and mem_unmap. The handlers check stages 1-6 (decode, the target
// capability) and the address ranges (stage 7's bad_address); the memory side (kernel/mapdb/mapdb.hpp) checks
// the pages themselves (not_mapped, missing_rights, mapping_conflict), the quota, and does the work.
#include "kernel/abi/flexpage.hpp"
#include "kernel/kernel.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;
namespace fpage = janus::abi::fpage;
using janus::abi::user_range;

Error sys_mem_map(Call& call) {
    const std::uint64_t src = call.arg[0], pd_sel = call.arg[1], dest = call.arg[2], flags = call.arg[3];
    if (!fpage::well_formed(src)) return bad_flexpage;
    if (flags & ~spec::map_grant) return invalid_argument;
    Slot* target = call.pd.space.cap(pd_sel);
    if (!target) return bad_selector;
    if (!has_type(*target, ObjectType::pd)) return wrong_type;
    if (!has_rights(*target, spec::rights::control)) return missing_rights;
    std::uint64_t bytes = fpage::bytes(src);
    if (!user_range(fpage::base(src), bytes)) return bad_address;
    if (dest % spec::page_bytes || !user_range(dest, bytes)) return bad_address;
    return map_pages(call.kernel.mapdb, call.pd, src, as<Pd>(*target->object()), dest,
                     flags & spec::map_grant);
}

Error sys_mem_unmap(Call& call) {
    const std::uint64_t f = call.arg[0], flags = call.arg[1];
    if (!fpage::well_formed(f) || fpage::rights(f) != 0) return bad_flexpage;
    if (flags & ~spec::unmap_self) return invalid_argument;
    if (!user_range(fpage::base(f), fpage::bytes(f))) return bad_address;
    unmap_pages(call.kernel.mapdb, call.pd, fpage::base(f), fpage::bytes(f), flags & spec::unmap_self);
    return ok;
}

} // namespace kernel
