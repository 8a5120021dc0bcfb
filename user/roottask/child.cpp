#include "user/roottask/child.hpp"

#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/roottask/env.hpp"

// The image's first and last address: the entry (user.ld puts it first) and the end the linker reports.
extern "C" char _start[];
extern "C" char __image_end[];

namespace roottask {

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
namespace fpage = janus::abi::fpage;

namespace {

constexpr Word page = 4096;

/// Maps the root's page at `va` into `pd` at the same address with the most it may: read/write, else
/// read/execute, else read (mem_map refuses rights the source page lacks).
Error share_page(Sel pd, Vaddr va) {
    Error e = Error::missing_rights;
    for (Rights r : {R::read | R::write, R::read | R::exec, R::read}) {
        e = sys::mem_map(fpage::make(va, 12, r), pd, va, 0).error;
        if (e != Error::missing_rights) return e;
    }
    return e;
}

} // namespace

bool make_child(test::Context& t, Sel pd, Word quota) {
    if (!CHECK_EQ(sys::pd_create(pd, quota, 6).error, Error::ok)) return false;
    const Vaddr first = reinterpret_cast<Vaddr>(_start) & ~(page - 1);
    const Vaddr end = (reinterpret_cast<Vaddr>(__image_end) + page - 1) & ~(page - 1);
    for (Vaddr va = first; va < end; va += page)
        if (!CHECK_EQ(share_page(pd, va), Error::ok)) return false;
    return true;
}

bool start_thread(test::Context& t, Sel thread, Sel pd, Vaddr utcb, void (*entry)(), Word prio) {
    return start_thread_on(t, thread, pd, utcb, entry, prio, next_cpu());
}

bool start_thread_on(test::Context& t, Sel thread, Sel pd, Vaddr utcb, void (*entry)(), Word prio, Word cpu) {
    const Vaddr stack = take_pages(1);
    if (!CHECK_NE(stack, Vaddr{0})) return false;
    if (raw(pd) != raw(root::own_pd) &&
        !CHECK_EQ(sys::mem_map(fpage::make(stack, 12, R::read | R::write), pd, stack, 0).error, Error::ok))
        return false;
    if (!CHECK_EQ(sys::thread_create(thread, pd, utcb, prio, cpu).error, Error::ok)) return false;
    return CHECK_EQ(sys::thread_start(thread, reinterpret_cast<Vaddr>(entry), stack + page).error, Error::ok);
}

} // namespace roottask
