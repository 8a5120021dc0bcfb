// The kernel's debug console from ring 3: the debug_write syscall behind a Sink.
//
// ConsoleSink collects text until a newline (or a full buffer) and writes it with one debug_write, so lines
// from different threads or programs do not interleave mid-line and a line costs one syscall, not one per
// formatted piece. TeeSink copies text to two sinks (the root task writes to the console and keeps its debug
// log, which hostsim and debuggers read).
#pragma once

#include <cstddef>

#include "user/lib/sink.hpp"

namespace janus::user {

class ConsoleSink final : public Sink {
public:
    void write(const char* text, std::size_t length) override;
    /// Writes out a partial line (call before exit).
    void flush();

private:
    static constexpr std::size_t capacity = 256;
    char buffer_[capacity];
    std::size_t used_ = 0;
};

class TeeSink final : public Sink {
public:
    TeeSink(Sink& a, Sink& b) : a_(a), b_(b) {}
    void write(const char* text, std::size_t length) override {
        a_.write(text, length);
        b_.write(text, length);
    }

private:
    Sink& a_;
    Sink& b_;
};

} // namespace janus::user
