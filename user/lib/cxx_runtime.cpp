// The few C++ ABI hooks a freestanding program without exceptions still references.
#include "user/lib/start.hpp"

extern "C" {

/// Called through a vtable slot of a pure virtual function: a bug, so the program ends (status 127).
[[noreturn]] void __cxa_pure_virtual() {
    janus::user::exit(127);
}

/// Destructors of static objects would run at exit; programs end with exit(), which runs none.
int __cxa_atexit(void (*)(void*), void*, void*) {
    return 0;
}

void* __dso_handle = nullptr;
}
