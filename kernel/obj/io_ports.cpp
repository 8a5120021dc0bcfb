// What a change to an I/O-port object's capabilities means (kernel/cap/type_hooks.hpp): the port sets built
// from capabilities may be stale, and after a removal some CPU may still enforce a set with the lost ports.
#include "kernel/obj/io_ports.hpp"
#include "kernel/cap/type_hooks.hpp"

namespace kernel {

void io_ports_caps_changed(Object& ports, bool removed) {
    IoState& s = *as<IoPorts>(ports).state;
    ++s.epoch;
    if (removed) s.revoked = true;
}

} // namespace kernel
