// Endpoint syscalls: endpoint_create and the IPC calls; argument checks in the order of
// kernel/syscall/call.hpp, then kernel/ipc. Register layouts (docs/ipc.md): sends take the info word in a1
// and words 0..2 in a3..a5 (r10, r8, r9), or a2..a4 for ipc_reply; everything that receives returns info,
// badge and words 0..2 in r0..r4 (rdi, rsi, rdx, r10, r8).
#include "kernel/abi/ipc.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lifecycle/factory.hpp"
#include "kernel/obj/endpoint.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
namespace msg = janus::abi::msg;
using enum janus::abi::Error;

namespace {

/// Keeps the message the caller is sending in its IPC state (the frame may change before it is delivered).
void capture(Thread& self, std::uint64_t info, std::uint64_t w0, std::uint64_t w1, std::uint64_t w2) {
    self.ipc.origin = Origin::syscall;
    self.ipc.info = info;
    self.ipc.words[0] = w0;
    self.ipc.words[1] = w1;
    self.ipc.words[2] = w2;
    self.ipc.words[3] = 0;
}

bool info_well_formed(std::uint64_t info) {
    return !(info & (msg::reserved_mask | msg::call_flag)) && msg::words(info) <= msg::max_words &&
           msg::items(info) <= msg::max_items;
}

Error send_common(Call& call, bool is_call) {
    const std::uint64_t ep_sel = call.arg[0], info = call.arg[1], timeout = call.arg[2];
    if (!info_well_formed(info)) return bad_message;
    Slot* ep;
    if (Error e = lookup(call, ep_sel, ObjectType::endpoint, spec::rights::write, ep); e != ok) return e;
    capture(call.caller, info, call.arg[3], call.arg[4], call.arg[5]);
    if (Error e = ipc::check_message(call.caller); e != ok) return e;
    return ipc::send(call.kernel, call.caller, as<Endpoint>(*ep->object()), ep->badge(), is_call, timeout);
}

} // namespace

Error sys_endpoint_create(Call& call) {
    Slot* dest;
    if (Error e = destination(call.pd.space, call.arg[0], dest); e != ok) return e;
    return install(make_endpoint(call.kernel, &call.pd), *dest);
}

Error sys_ipc_call(Call& call) {
    return send_common(call, true);
}

Error sys_ipc_send(Call& call) {
    return send_common(call, false);
}

Error sys_ipc_recv(Call& call) {
    const std::uint64_t ep_sel = call.arg[0], timeout = call.arg[1];
    Slot* ep;
    if (Error e = lookup(call, ep_sel, ObjectType::endpoint, spec::rights::read, ep); e != ok) return e;
    return ipc::receive(call.kernel, call.caller, as<Endpoint>(*ep->object()), timeout);
}

Error sys_ipc_reply(Call& call) {
    const std::uint64_t reply_sel = call.arg[0], info = call.arg[1];
    if (!info_well_formed(info)) return bad_message;
    Slot* reply;
    if (Error e = lookup(call, reply_sel, ObjectType::reply, 0, reply); e != ok) return e;
    capture(call.caller, info, call.arg[2], call.arg[3], call.arg[4]);
    if (Error e = ipc::check_message(call.caller); e != ok) return e;
    return ipc::reply(call.kernel, call.caller, *reply);
}

Error sys_ipc_reply_recv(Call& call) {
    const std::uint64_t ep_sel = call.arg[0], info = call.arg[1], timeout = call.arg[2];
    if (!info_well_formed(info)) return bad_message;
    Slot* ep;
    if (Error e = lookup(call, ep_sel, ObjectType::endpoint, spec::rights::read, ep); e != ok) return e;
    // The reply goes through the reply capability at reply_sel if there is one there (otherwise it only
    // receives, and receive() reports a slot that is not free).
    Slot* reply = call.pd.space.cap(ipc::utcb(call.caller).reply_sel);
    if (reply && has_type(*reply, ObjectType::reply) && has_rights(*reply, spec::rights::write)) {
        capture(call.caller, info, call.arg[3], call.arg[4], call.arg[5]);
        if (Error e = ipc::check_message(call.caller); e != ok) return e;
        if (Error e = ipc::reply(call.kernel, call.caller, *reply); e != ok) return e;
    }
    return ipc::receive(call.kernel, call.caller, as<Endpoint>(*ep->object()), timeout);
}

} // namespace kernel
