// The capability layer's one call upward. The layer keeps derivation trees and knows objects only by their
// head; what it means that an object lost its last capability depends on the object's type, which the
// layers above know. So the call is declared here and defined above (kernel/ipc/last_cap.cpp), and the
// capability layer includes nothing of them.
#pragma once

namespace kernel {

class Object;

/// cap_delete_subtree removed the last capability naming `object` (object.caps is nullptr now). The object
/// itself lives on: its lifetime is its payer's business (kernel/obj/lifetime.hpp).
void last_cap_deleted(Object& object);

} // namespace kernel
