// RC_PARAMS defaults for the capability property tests: CI (which sets only the seed) runs 1000 random
// syscall sequences of up to about 100 calls. Anything the developer sets in RC_PARAMS wins. Runs before
// main, so before RapidCheck reads its configuration.
#include <cstdlib>
#include <string>

namespace {

struct RcDefaults {
    RcDefaults() {
        const char* given = std::getenv("RC_PARAMS");
        std::string params = given ? given : "";
        if (params.find("max_success") == std::string::npos) params += " max_success=1000";
        if (params.find("max_size") == std::string::npos) params += " max_size=100";
        setenv("RC_PARAMS", params.c_str(), 1);
    }
} const rc_defaults;

} // namespace
