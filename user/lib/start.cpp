// The C++ half of program start-up (see start.hpp).
#include "user/lib/start.hpp"

extern "C" {
using InitFunction = void (*)();
// Bounds of .init_array, defined by user.ld.
extern InitFunction __init_array_start[];
extern InitFunction __init_array_end[];

[[noreturn]] void janus_user_start(std::uint64_t word0, std::uint64_t word1, std::uint64_t word2);
}

extern "C" [[noreturn]] void janus_user_start(std::uint64_t word0, std::uint64_t word1, std::uint64_t word2) {
    for (InitFunction* f = __init_array_start; f != __init_array_end; ++f) (*f)();
    janus::user::StartInfo start{word0, word1, word2};
    janus::user::exit(main(start));
}
