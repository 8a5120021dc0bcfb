// user/lib/string.cpp compiled for host tests under prefixed names (janus_test_memcpy, ...), so it neither
// replaces nor collides with the host's C library.
#include "user/lib/testing/string_host.hpp"

// NOLINTNEXTLINE(bugprone-suspicious-include): the point of this file is to compile that one for the host
#include "user/lib/string.cpp"
