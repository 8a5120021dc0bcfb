#include "kernel/obj/address_space.hpp"

namespace kernel {

// Nothing is mapped until the memory side (kernel/mem) lands; it replaces this with the real teardown.
void address_space_teardown(Pd&) {}

} // namespace kernel
