// Further invariant checks, one call per part of the kernel that keeps state of its own. Add yours here:
//   memory side (kernel/mem): every page-table entry of a domain is backed by a mapping-database node and
//     every node by an entry; mapping nodes and page-table pages are charged to the right quota;
//   IPC (issue 5): queued threads are blocked on the object whose queue holds them, reply objects name a
//     waiting caller or none.
#include "kernel/check/check.hpp"
#include "kernel/check/check_ipc.hpp"
#include "kernel/check/check_memory.hpp"

namespace kernel {

void check_extensions(Checker& checker) {
    check_memory(checker);
    check_ipc(checker);
}

} // namespace kernel
