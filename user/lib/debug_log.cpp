#include "user/lib/debug_log.hpp"

// In .bss: zero until the first write, so a reader can tell "never written" from "empty".
extern "C" janus::user::DebugLog janus_user_debug_log = {};

namespace janus::user {

namespace {

class DebugLogSink final : public Sink {
public:
    void write(const char* text, std::size_t length) override {
        DebugLog& log = janus_user_debug_log;
        log.magic = DebugLog::magic_value;
        for (std::size_t i = 0; i < length; ++i) {
            if (log.length < DebugLog::capacity)
                log.text[log.length++] = text[i];
            else
                ++log.dropped;
        }
    }
};

DebugLogSink log_sink;
Sink* current = &log_sink;

} // namespace

Sink& debug_log_sink() {
    return log_sink;
}
Sink& debug_out() {
    return *current;
}
void set_debug_out(Sink& sink) {
    current = &sink;
}

} // namespace janus::user
