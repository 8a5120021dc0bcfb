// Result<T, E>: a value or an error, for code that must not throw (the kernel has no exceptions).
#pragma once

#include <new>
#include <type_traits>
#include <utility>

namespace kernel {

template <typename E>
struct Failure {
    E error;
};

/// Wrap an error for returning as Result<T, E>.
template <typename E>
constexpr Failure<std::decay_t<E>> fail(E&& e) {
    return {std::forward<E>(e)};
}

template <typename T, typename E>
class [[nodiscard]] Result {
public:
    constexpr Result(T value) : ok_(true) { new (&storage_.value) T(std::move(value)); }
    constexpr Result(Failure<E> f) : ok_(false) { new (&storage_.error) E(std::move(f.error)); }
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;
    constexpr Result(Result&& other) noexcept : ok_(other.ok_) {
        if (ok_)
            new (&storage_.value) T(std::move(other.storage_.value));
        else
            new (&storage_.error) E(std::move(other.storage_.error));
    }
    ~Result() {
        if (ok_)
            storage_.value.~T();
        else
            storage_.error.~E();
    }

    constexpr bool ok() const { return ok_; }
    constexpr explicit operator bool() const { return ok_; }

    /// Precondition: ok().
    constexpr T& value() { return storage_.value; }
    constexpr const T& value() const { return storage_.value; }
    constexpr T* operator->() { return &storage_.value; }
    constexpr const T* operator->() const { return &storage_.value; }

    /// Precondition: !ok().
    constexpr const E& error() const { return storage_.error; }

private:
    union Storage {
        Storage() {}
        ~Storage() {}
        T value;
        E error;
    } storage_;
    bool ok_;
};

/// Result of an operation that yields no value.
struct Ok {};

} // namespace kernel
