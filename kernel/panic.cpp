#include "kernel/panic.hpp"

namespace kernel {

void panic_stop() {
    arch::irq_disable();
    arch::shutdown(arch::ExitStatus::panic);
}

} // namespace kernel
