// The machine's page-table entry format, for kernel/mem's PageTable template (its Encoding policy). Both
// worlds run x86-64 four-level paging: bare metal on the MMU, hostsim with its own page walker over the same
// tables (hostsim/pagewalk.cpp, written from the SDM independently of this encoding so that each checks the
// other). So both take arch/x86_64/pte_encoding.hpp; the portable core names only arch::PteEncoding.
#pragma once

#include "arch/x86_64/pte_encoding.hpp"

namespace arch {

using PteEncoding = x86::PteEncoding;

} // namespace arch
