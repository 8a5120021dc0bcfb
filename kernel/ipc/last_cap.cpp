// What losing its last capability means for each object type (kernel/cap/type_hooks.hpp). Only a reply object
// cares: the caller waiting for an answer through it will not get one.
#include "kernel/cap/type_hooks.hpp"

#include "kernel/ipc/ipc.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel {

void last_cap_deleted(Object& object) {
    if (object.type == ObjectType::reply) ipc::reply_cap_deleted(as<Reply>(object));
}

} // namespace kernel
