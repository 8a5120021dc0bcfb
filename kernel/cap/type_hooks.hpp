// The capability layer's calls upward. The layer keeps derivation trees and knows objects only by their head;
// what a change to an object's capabilities means depends on the object's type, which the layers above know.
// So the calls are declared here and defined above, and the capability layer includes nothing of them.
#pragma once

#include "kernel/kmem/object.hpp"

namespace kernel {

/// cap_delete_subtree removed the last capability naming `object` (object.caps is nullptr now). The object
/// itself lives on: its lifetime is its payer's business (kernel/lifecycle/lifetime.hpp). Defined in
/// kernel/ipc/last_cap.cpp.
void last_cap_deleted(Object& object);

/// A slot naming the I/O-port object `ports` was filled (`removed` false), or cleared or lost rights
/// (`removed` true): the ports some domain may use changed. Defined in kernel/obj/io_ports.cpp.
void io_ports_caps_changed(Object& ports, bool removed);

/// What the derivation code calls for every change of a slot naming `object`: only I/O-port objects care, and
/// the type check stays inline so that other capabilities pay no call.
inline void caps_changed(Object& object, bool removed) {
    if (object.type == ObjectType::io_ports) io_ports_caps_changed(object, removed);
}

} // namespace kernel
