// The memory side's invariants, for the kernel's invariant checker (kernel/check/extensions.cpp).
#pragma once

namespace kernel {

class Checker;

/// Per live domain: its index is a well-formed AVL tree of nodes naming it; every node's derivation links
/// are consistent (its parent names the same frame with a superset of its rights and lies in a live
/// domain's index); every present page-table entry of the user half is a 4 KiB page backed by a node with
/// the same frame and rights, and every node with an access right has such an entry; the page-table pages
/// and paid nodes match the counters its quota charge is computed from; each thread's UTCB has its node.
/// Kernel-wide: the node pool holds exactly the indexed nodes.
void check_memory(Checker& checker);

} // namespace kernel
