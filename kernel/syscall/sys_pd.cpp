// Protection-domain syscalls: pd_create (the caller pays the new domain's quota and capability space out of
// its own, kernel/lifecycle/charges.hpp) and pd_quota.
#include "kernel/lifecycle/factory.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;

Error sys_pd_create(Call& call) {
    const std::uint64_t dest_sel = call.arg[0], quota = call.arg[1], cap_order = call.arg[2];
    if (!CapSpace::valid_order(cap_order)) return invalid_argument;
    Slot* dest;
    if (Error e = destination(call.pd.space, dest_sel, dest); e != ok) return e;
    return install(make_pd(call.kernel, &call.pd, quota, static_cast<unsigned>(cap_order)), *dest);
}

Error sys_pd_quota(Call& call) {
    call.result[0] = call.pd.quota.limit;
    call.result[1] = call.pd.quota.used;
    return ok;
}

} // namespace kernel
