// IPC and scheduler part of the invariant checker (called from kernel/check/extensions.cpp).
#pragma once

namespace kernel {

class Checker;

void check_ipc(Checker& checker);

} // namespace kernel
