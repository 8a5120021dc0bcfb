// The freestanding C string and memory functions user programs get. The compiler may also emit calls to
// memcpy, memmove and memset on its own (structure copies, zeroing), so every program links them.
#pragma once

#include <cstddef>

#ifndef JANUS_USER_LIBC_NAME
/// Host tests compile string.cpp with a prefix, so it cannot collide with the host's C library.
#define JANUS_USER_LIBC_NAME(name) name
#endif

extern "C" {
void* JANUS_USER_LIBC_NAME(memcpy)(void* dst, const void* src, std::size_t n);
void* JANUS_USER_LIBC_NAME(memmove)(void* dst, const void* src, std::size_t n);
void* JANUS_USER_LIBC_NAME(memset)(void* dst, int value, std::size_t n);
int JANUS_USER_LIBC_NAME(memcmp)(const void* a, const void* b, std::size_t n);
std::size_t JANUS_USER_LIBC_NAME(strlen)(const char* s);
int JANUS_USER_LIBC_NAME(strcmp)(const char* a, const char* b);
}
