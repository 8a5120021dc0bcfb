// The x86-64 side of the thread extended-state contract (arch/user.hpp: extended_state_init/load/save):
// which save format this CPU uses. Chosen once at boot; extended_state.cpp says how.
#pragma once

#include <cstdint>

namespace arch::x86 {

struct ExtendedFormat {
    enum class Instructions : std::uint8_t { fxsave, xsave, xsaveopt, xsaves };
    Instructions instructions;
    std::uint64_t components; ///< XCR0 (x87 | SSE for FXSAVE)
    std::uint32_t bytes;      ///< the save area's size for these components, at most a page
    bool clear_x87_pointers;  ///< AMD without XSaveErPtr: scrub FIP/FDP/FOP before each restore
};

/// Turn on SSE (CR4.OSFXSR, OSXMMEXCPT), x87 errors as #MF (CR0.NE) and no #NM (CR0.EM, TS clear), XSAVE with
/// XCR0 where offered; pick the save format. Before any user thread runs.
const ExtendedFormat& init_extended_state();
const ExtendedFormat& extended_format();
/// An application processor: the control registers, XCR0 and IA32_XSS as init_extended_state() set them on
/// the boot CPU, so every CPU saves and restores one format.
void enable_extended_state_on_this_cpu();
const char* name(ExtendedFormat::Instructions instructions);

} // namespace arch::x86
