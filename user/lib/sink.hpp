// Where user-program text goes. A Sink is any byte consumer; BufferSink keeps text in memory.
#pragma once

#include <cstddef>

namespace janus::user {

class Sink {
public:
    virtual void write(const char* text, std::size_t length) = 0;

protected:
    ~Sink() = default;
};

/// Appends into a caller-provided buffer. What does not fit is dropped and counted, never written past the
/// end; the text is not NUL-terminated (size() says how long it is).
class BufferSink final : public Sink {
public:
    BufferSink(char* buffer, std::size_t capacity) : buffer_(buffer), capacity_(capacity) {}

    void write(const char* text, std::size_t length) override {
        for (std::size_t i = 0; i < length; ++i) {
            if (size_ < capacity_)
                buffer_[size_++] = text[i];
            else
                ++dropped_;
        }
    }

    const char* data() const { return buffer_; }
    std::size_t size() const { return size_; }
    std::size_t dropped() const { return dropped_; }
    void clear() { size_ = dropped_ = 0; }

private:
    char* buffer_;
    std::size_t capacity_;
    std::size_t size_ = 0;
    std::size_t dropped_ = 0;
};

} // namespace janus::user
