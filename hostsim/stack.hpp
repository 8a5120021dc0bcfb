// A fiber stack for a simulated CPU: mmap'ed with a guard page below it, reused run after run.
#pragma once

#include <cstddef>
#include <utility>

namespace hostsim {

class Stack {
public:
    /// Host code (sanitizers, formatting, gtest) needs far more than a kernel stack.
    static constexpr std::size_t default_size = 512u << 10;

    Stack() = default;
    explicit Stack(std::size_t size);
    ~Stack();
    Stack(Stack&& other) noexcept { swap(other); }
    Stack& operator=(Stack&& other) noexcept {
        swap(other);
        return *this;
    }

    void* bottom() const { return bottom_; } ///< lowest usable byte
    void* top() const { return static_cast<char*>(bottom_) + size_; }
    std::size_t size() const { return size_; }
    explicit operator bool() const { return bottom_ != nullptr; }

private:
    void swap(Stack& o) noexcept {
        std::swap(mapping_, o.mapping_);
        std::swap(bottom_, o.bottom_);
        std::swap(size_, o.size_);
    }

    void* mapping_ = nullptr;
    void* bottom_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace hostsim
