// arch/console.hpp on x86-64: every line goes to COM1 and to the screen (EGA text or a framebuffer).
#include "arch/console.hpp"

#include "arch/x86_64/screen.hpp"
#include "arch/x86_64/serial.hpp"

namespace arch {

void console_write(const char* text, std::size_t length) {
    x86::serial::write(text, length);
    x86::screen::write(text, length);
}

} // namespace arch
