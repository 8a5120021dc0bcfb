#include "user/roottask/probe.hpp"

#include "kernel/abi/ipc.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/scratch.hpp"

namespace roottask {

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
namespace msg = janus::abi::msg;
namespace label = janus::abi::label;

Word run_probe(test::Context& t, Sel pd, void (*entry)(), Word cpu, Vaddr utcb) {
    const Sel ep = scratch(10), reply = scratch(11), thread = scratch(12);
    Word vector = ~Word{0};
    const Vaddr stack = take_pages(1);
    auto& u = root_utcb();
    if (CHECK_NE(stack, Vaddr{0}) && CHECK_EQ(sys::endpoint_create(ep).error, Error::ok) &&
        (raw(pd) == raw(root::own_pd) ||
         CHECK_EQ(sys::mem_map(janus::abi::fpage::make(stack, 12, R::read | R::write), pd, stack, 0).error,
                  Error::ok)) &&
        CHECK_EQ(sys::thread_create(thread, pd, utcb, 100, cpu).error, Error::ok) &&
        CHECK_EQ(sys::thread_configure(thread, Sel{0}, ep).error, Error::ok) &&
        CHECK_EQ(sys::thread_start(thread, reinterpret_cast<Vaddr>(entry), stack + 4096).error, Error::ok)) {
        u.reply_sel = raw(reply);
        auto r = sys::ipc_recv(ep, second);
        u.reply_sel = 0;
        if (CHECK_EQ(r.error, Error::ok) && CHECK_EQ(msg::label(r.info), label::exception)) vector = r.w0;
    }
    (void)sys::cap_delete(thread);
    (void)sys::cap_delete(reply);
    (void)sys::cap_delete(ep);
    return vector;
}

} // namespace roottask
