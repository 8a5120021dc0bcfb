// Byte-at-a-time implementations: small and obviously right. User programs are built with -ffreestanding
// (which implies -fno-builtin), so the compiler does not turn these loops back into calls to themselves.
#include "user/lib/string.hpp"

extern "C" {

void* JANUS_USER_LIBC_NAME(memcpy)(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    for (std::size_t i = 0; i < n; ++i) d[i] = s[i];
    return dst;
}

void* JANUS_USER_LIBC_NAME(memmove)(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    // Copy away from the overlap: forwards when the destination is below the source, else backwards.
    if (d < s) {
        for (std::size_t i = 0; i < n; ++i) d[i] = s[i];
    } else if (d > s) {
        for (std::size_t i = n; i > 0; --i) d[i - 1] = s[i - 1];
    }
    return dst;
}

void* JANUS_USER_LIBC_NAME(memset)(void* dst, int value, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<unsigned char>(value);
    return dst;
}

int JANUS_USER_LIBC_NAME(memcmp)(const void* a, const void* b, std::size_t n) {
    const auto* x = static_cast<const unsigned char*>(a);
    const auto* y = static_cast<const unsigned char*>(b);
    for (std::size_t i = 0; i < n; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

std::size_t JANUS_USER_LIBC_NAME(strlen)(const char* s) {
    std::size_t n = 0;
    while (s[n] != '\0') ++n;
    return n;
}

int JANUS_USER_LIBC_NAME(strcmp)(const char* a, const char* b) {
    std::size_t i = 0;
    while (a[i] != '\0' && a[i] == b[i]) ++i;
    auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    return x == y ? 0 : (x < y ? -1 : 1);
}
}
