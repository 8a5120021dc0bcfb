#include "arch/x86_64/selftest/report.hpp"

#include "arch/cpu.hpp"

namespace arch::x86::selftest {

void Report::finish() {
    kernel::println("selftest ", suite_, ": ", passed_, " passed, ", failed_, " failed");
    arch::shutdown(failed_ == 0 && passed_ > 0 ? ExitStatus::success : ExitStatus::failure);
}

} // namespace arch::x86::selftest
