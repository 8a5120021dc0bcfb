// A protection domain's address space, as far as the object layer knows it: the top-level page-table page,
// allocated and charged with the domain (the ABI's page_table charge, paid by the creator).
//
// Hook for the memory side (kernel/mem): it gives this page a page-table format, maps UTCBs and mem_map
// pages, keeps the mapping database, and tears everything down in address_space_teardown() before the page is
// freed. Until then the page only stands for the charge.
#pragma once

namespace kernel {

class Pd;

struct AddressSpace {
    void* top_level = nullptr; ///< one Kmem page
};

/// Called while `pd` dies, after its capabilities are gone and before its memory is freed: remove every
/// mapping in its address space and everything derived from it (memory side; nothing to do without it).
void address_space_teardown(Pd& pd);

} // namespace kernel
