// The freestanding runtime's one entry point the boot code calls (the rest are compiler hooks).
#pragma once

namespace arch::x86 {

/// Run the static constructors in .init_array, once, before anything uses a static object.
void run_static_constructors();

} // namespace arch::x86
