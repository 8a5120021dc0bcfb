// libFuzzer target for init's configuration parser (ctest init.fuzz.init_config): the input is the text.
//
// The text is parsed from an exact-size heap copy (ASan sees any read past it). An accepted configuration
// must keep every rule of the format (user/init/testing/config_check.hpp: counts within limits, names and
// modules NUL-terminated and valid, values in range, every serve/use naming an endpoint with exactly one
// server, endpoints numbered by first mention, irq lines unique), have one component per line that starts
// with the keyword `component` (counted here without the parser), and give the same configuration again when
// written back in canonical form and parsed. A refusal must carry a non-empty printable message
// NUL-terminated inside its field, on a line of the text (0 only for the whole-file "no component"). A
// violation prints the reason and traps, so libFuzzer saves the input. JANUS_FUZZ_VERBOSE=1 prints each
// outcome.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "user/init/config.hpp"
#include "user/init/testing/config_check.hpp"
#include "user/init/testing/config_print.hpp"

namespace {

using namespace janus::init;
using namespace janus::init::testing;

// About 10 KiB each: static, as init keeps its own.
Config parsed, reparsed;
ConfigError error, reparse_error;

[[noreturn]] void broken(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "init_config_fuzz: %s %s\n", what, detail.c_str());
    __builtin_trap();
}

/// Lines whose first token is exactly `component`, found without the parser's tokenizer.
std::size_t component_lines(std::string_view text) {
    std::size_t n = 0;
    for (std::size_t begin = 0; begin < text.size();) {
        std::size_t end = text.find('\n', begin);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(begin, end - begin);
        std::size_t i = line.find_first_not_of(" \t");
        if (i != std::string_view::npos && line.substr(i).starts_with("component")) {
            std::string_view after = line.substr(i + 9);
            if (after.empty() || after[0] == ' ' || after[0] == '\t' || after[0] == '#' || after[0] == '\r')
                ++n;
        }
        begin = end + 1;
    }
    return n;
}

void check_accepted(std::string_view text) {
    if (std::string why = check_config(parsed); !why.empty())
        broken("accepted a configuration breaking a rule:", why);
    if (parsed.component_count != component_lines(text))
        broken("component count differs from the lines starting with 'component'");
    std::size_t lines = count_lines(text);
    for (std::size_t i = 0; i < parsed.component_count; ++i)
        if (parsed.components[i].line == 0 || parsed.components[i].line > lines)
            broken("component line outside the text:", std::to_string(parsed.components[i].line));
    std::string canonical = print_config(parsed);
    if (!parse_config(canonical, reparsed, reparse_error))
        broken("canonical form refused:", std::to_string(reparse_error.line) + ": " + reparse_error.message);
    if (std::string diff = compare_configs(parsed, reparsed, false); !diff.empty())
        broken("canonical form parses differently:", diff);
}

void check_refused(std::string_view text) {
    const char* nul = static_cast<const char*>(std::memchr(error.message, '\0', sizeof error.message));
    if (nul == nullptr) broken("message not NUL-terminated");
    if (nul == error.message) broken("empty message");
    for (const char* c = error.message; c != nul; ++c)
        if (*c < 0x20 || *c > 0x7E) broken("unprintable byte in message:", error.message);
    if (error.line > count_lines(text)) broken("error line past the text:", std::to_string(error.line));
    if (error.line == 0 && std::string_view(error.message).rfind("no component", 0) != 0)
        broken("line 0 for a problem that is not the whole file's:", error.message);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::unique_ptr<char[]> copy(new char[size ? size : 1]);
    if (size) std::memcpy(copy.get(), data, size);
    std::string_view text(copy.get(), size);
    bool ok = parse_config(text, parsed, error);
    static const bool verbose = std::getenv("JANUS_FUZZ_VERBOSE") != nullptr;
    if (verbose) {
        if (ok)
            std::fprintf(stderr, "accepted: %zu components, %zu endpoints\n", parsed.component_count,
                         parsed.endpoint_count);
        else
            std::fprintf(stderr, "refused: line %u: %s\n", error.line, error.message);
    }
    if (ok)
        check_accepted(text);
    else
        check_refused(text);
    return 0;
}
