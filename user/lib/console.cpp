#include "user/lib/console.hpp"

#include "user/lib/syscall.hpp"

namespace janus::user {

void ConsoleSink::write(const char* text, std::size_t length) {
    for (std::size_t i = 0; i < length; ++i) {
        buffer_[used_++] = text[i];
        if (text[i] == '\n' || used_ == capacity) flush();
    }
}

void ConsoleSink::flush() {
    if (used_ == 0) return;
    // Nothing to do about a failure: this is the only way out for text.
    (void)sys::debug_write(reinterpret_cast<Word>(buffer_), used_);
    used_ = 0;
}

} // namespace janus::user
