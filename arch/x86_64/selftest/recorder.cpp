#include "arch/x86_64/selftest/recorder.hpp"

namespace arch::x86::selftest {

Recorder recorded;

} // namespace arch::x86::selftest
