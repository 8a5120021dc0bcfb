// Include this instead of user/lib/string.hpp in host tests: the functions carry a janus_test_ prefix.
#pragma once

#define JANUS_USER_LIBC_NAME(name) janus_test_##name
#include "user/lib/string.hpp"
