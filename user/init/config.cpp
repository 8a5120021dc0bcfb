// Parser of init's configuration (docs/init.md "Configuration format").
//
// One pass over the text, one line at a time, no recursion: the work is linear in the text's length (every
// line costs at most a few scans of the fixed-size tables). Every check that can fail runs before the line
// changes the Config, and the first failure ends the parse, so a rejected line never leaves a half-made entry
// behind. Rules that need the whole text (a block without `elf`, an endpoint nobody serves, no component at
// all) are checked when the block or the text ends.
#include "user/init/config.hpp"

namespace janus::init {
namespace {

constexpr std::uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

constexpr std::uint64_t default_quota = 256 * KiB, min_quota = 16 * KiB, max_quota = 1 * GiB;
constexpr std::uint64_t default_memory = 64 * KiB, max_memory = 64 * MiB, memory_granule = 4 * KiB;
constexpr std::uint32_t default_priority = 100, max_priority = 254, init_priority = 255;
constexpr std::uint32_t max_cpu = 63;
constexpr std::uint64_t port_count = 65536;
constexpr std::size_t irq_lines = 24;
constexpr std::uint16_t no_server = 0xFFFF;
constexpr std::uint32_t max_line = 0xFFFFFFFF;

/// The longest token a message quotes in full; longer ones are cut and end in "...".
constexpr std::size_t quote_limit = 31;

// ---- the error message ----

/// Appends text to ConfigError::message, cutting at its capacity; the message is NUL-terminated at every
/// step.
class Message {
public:
    explicit Message(ConfigError& error) : out_(error.message) { out_[0] = '\0'; }

    Message& text(std::string_view s) {
        for (char c : s) put(c);
        return *this;
    }
    Message& number(std::uint64_t v) {
        char digits[20];
        std::size_t n = 0;
        do digits[n++] = static_cast<char>('0' + v % 10);
        while ((v /= 10) != 0);
        while (n) put(digits[--n]);
        return *this;
    }
    Message& hex_byte(unsigned char v) {
        constexpr char hex[] = "0123456789ABCDEF";
        text("0x");
        put(hex[v >> 4]);
        put(hex[v & 15]);
        return *this;
    }
    /// 'token', shortened to quote_limit characters. Tokens hold only printable ASCII (checked before).
    Message& quoted(std::string_view token) {
        put('\'');
        if (token.size() > quote_limit) {
            text(std::string_view(token.data(), quote_limit)).text("...");
        } else {
            text(token);
        }
        put('\'');
        return *this;
    }

    /// Ends a failure: `return fail().text(...).failed();`.
    bool failed() const { return false; }

private:
    static constexpr std::size_t capacity = sizeof(ConfigError::message);

    void put(char c) {
        if (used_ + 1 >= capacity) return;
        out_[used_++] = c;
        out_[used_] = '\0';
    }

    char* out_;
    std::size_t used_ = 0;
};

// ---- lexical rules ----

bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/// Names: 1..31 characters of [a-z0-9_-], starting with a letter.
bool valid_name(std::string_view s) {
    if (s.empty() || s.size() >= name_capacity || !is_lower(s[0])) return false;
    for (char c : s)
        if (!is_lower(c) && !is_digit(c) && c != '_' && c != '-') return false;
    return true;
}

/// Boot-module names: 1..63 characters of [A-Za-z0-9._/-].
bool valid_module(std::string_view s) {
    if (s.empty() || s.size() >= module_capacity) return false;
    for (char c : s)
        if (!is_lower(c) && !(c >= 'A' && c <= 'Z') && !is_digit(c) && c != '.' && c != '_' && c != '/' &&
            c != '-')
            return false;
    return true;
}

/// Copies a checked name and pads the rest of the field with NULs.
template <std::size_t N>
void store(char (&field)[N], std::string_view s) {
    for (std::size_t i = 0; i < N; ++i) field[i] = i < s.size() ? s[i] : '\0';
}

/// Compares a stored (NUL-terminated) name with a token.
template <std::size_t N>
bool same(const char (&field)[N], std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i)
        if (i >= N || field[i] != s[i]) return false;
    return s.size() < N && field[s.size()] == '\0';
}

enum class Number : std::uint8_t { ok, malformed, too_large };

/// Decimal or 0x hexadecimal; with `size`, an optional suffix K, M or G multiplies by 1024, 1024^2, 1024^3.
/// The whole token is checked for syntax even after an overflow, so a malformed token is always `malformed`.
Number parse_number(std::string_view t, bool size, std::uint64_t& value) {
    std::uint64_t scale = 1;
    if (size && !t.empty()) {
        char last = t[t.size() - 1];
        scale = last == 'K' ? KiB : last == 'M' ? MiB : last == 'G' ? GiB : 1;
        if (scale != 1) t.remove_suffix(1);
    }
    unsigned base = 10;
    if (t.size() >= 2 && t[0] == '0' && t[1] == 'x') {
        base = 16;
        t.remove_prefix(2);
    }
    if (t.empty()) return Number::malformed;
    bool overflow = false;
    std::uint64_t v = 0;
    for (char c : t) {
        unsigned d = is_digit(c)            ? unsigned(c - '0')
                     : c >= 'a' && c <= 'f' ? unsigned(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? unsigned(c - 'A' + 10)
                                            : 16;
        if (d >= base) return Number::malformed;
        if (v > (~std::uint64_t{0} - d) / base) overflow = true;
        v = v * base + d;
    }
    if (overflow || v > ~std::uint64_t{0} / scale) return Number::too_large;
    value = v * scale;
    return Number::ok;
}

// ---- one line ----

/// The tokens of one line: at most max_tokens kept, `count` says how many there were (up to max_tokens + 1).
struct Tokens {
    static constexpr std::size_t max_tokens = 4;
    std::string_view token[max_tokens];
    std::size_t count = 0;
};

enum class Keyword : std::uint8_t { component, elf, quota, memory, priority, cpu, serve, use, ioports, irq };

/// The properties that may appear once per block, in the order of Parser::seen_.
enum class Property : std::uint8_t { elf, quota, memory, priority, cpu, count };

struct KeywordInfo {
    std::string_view word;
    Keyword keyword;
    std::uint8_t min_tokens, max_tokens; // keyword included
    std::string_view usage;
};

constexpr KeywordInfo keywords[] = {
    {"component", Keyword::component, 2, 2, "component NAME"},
    {"elf", Keyword::elf, 2, 2, "elf MODULE"},
    {"quota", Keyword::quota, 2, 2, "quota BYTES"},
    {"memory", Keyword::memory, 2, 2, "memory BYTES"},
    {"priority", Keyword::priority, 2, 2, "priority N"},
    {"cpu", Keyword::cpu, 2, 2, "cpu N"},
    {"serve", Keyword::serve, 2, 2, "serve ENDPOINT"},
    {"use", Keyword::use, 2, 3, "use ENDPOINT [AS]"},
    {"ioports", Keyword::ioports, 4, 4, "ioports NAME FIRST COUNT"},
    {"irq", Keyword::irq, 3, 3, "irq NAME LINE"},
};

// ---- the parser ----

class Parser {
public:
    Parser(Config& out, ConfigError& error) : out_(out), error_(error) {
        out_.component_count = 0;
        out_.endpoint_count = 0;
        error_.line = 0;
        error_.message[0] = '\0';
    }

    /// One line without its '\n'. False (and error_ filled) on the first problem.
    bool line(std::string_view raw, std::uint32_t number) {
        line_ = number;
        if (!raw.empty() && raw[raw.size() - 1] == '\r') raw.remove_suffix(1);
        for (char c : raw) {
            auto byte = static_cast<unsigned char>(c);
            if (byte == '\r') return fail().text("carriage return inside a line").failed();
            if (byte >= 0x80) return fail().text("non-ASCII byte ").hex_byte(byte).failed();
            if ((byte < 0x20 && byte != '\t') || byte == 0x7F)
                return fail().text("control character ").hex_byte(byte).text(" is not allowed").failed();
        }
        Tokens t;
        split(raw, t);
        if (t.count == 0) return true;
        return statement(t);
    }

    /// After the last line: the rules that need the whole text.
    bool finish() {
        if (!close_block()) return false;
        if (out_.component_count == 0) {
            line_ = 0;
            return fail().text("no component in the configuration").failed();
        }
        for (std::size_t e = 0; e < out_.endpoint_count; ++e) {
            if (out_.endpoints[e].server != no_server) continue;
            line_ = first_mention_[e];
            return fail()
                .text("endpoint ")
                .quoted(out_.endpoints[e].name)
                .text(" is used but no component serves it")
                .failed();
        }
        return true;
    }

private:
    /// Starts the message of a failure on the current line.
    Message fail() {
        error_.line = line_;
        return Message(error_);
    }

    /// Splits at spaces and tabs, up to the first '#'.
    static void split(std::string_view s, Tokens& t) {
        std::size_t i = 0;
        while (i < s.size() && s[i] != '#') {
            if (s[i] == ' ' || s[i] == '\t') {
                ++i;
                continue;
            }
            std::size_t start = i;
            while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '#') ++i;
            if (t.count < Tokens::max_tokens)
                t.token[t.count] = std::string_view(s.data() + start, i - start);
            if (++t.count > Tokens::max_tokens) return; // too many already: the count says so
        }
    }

    bool statement(const Tokens& t) {
        const KeywordInfo* k = nullptr;
        for (const KeywordInfo& candidate : keywords)
            if (candidate.word == t.token[0]) k = &candidate;
        if (k == nullptr) return fail().text("unknown keyword ").quoted(t.token[0]).failed();
        if (t.count < k->min_tokens || t.count > k->max_tokens)
            return fail().text("wrong number of tokens: expected '").text(k->usage).text("'").failed();
        if (k->keyword == Keyword::component) return component(t.token[1]);
        if (current_ == nullptr)
            return fail().text("'").text(k->word).text("' before any 'component'").failed();
        switch (k->keyword) {
        case Keyword::elf:
            return elf(t.token[1]);
        case Keyword::quota:
            return quota(t.token[1]);
        case Keyword::memory:
            return memory(t.token[1]);
        case Keyword::priority:
            return priority(t.token[1]);
        case Keyword::cpu:
            return cpu(t.token[1]);
        case Keyword::serve:
            return serve(t.token[1]);
        case Keyword::use:
            return use(t.token[1], t.count == 3 ? t.token[2] : t.token[1]);
        case Keyword::ioports:
            return ioports(t.token[1], t.token[2], t.token[3]);
        case Keyword::irq:
            return irq(t.token[1], t.token[2]);
        case Keyword::component:
            break;
        }
        return true;
    }

    // ---- blocks and properties ----

    /// Ends the current block, if any: it must have named its ELF.
    bool close_block() {
        if (current_ == nullptr || seen_[unsigned(Property::elf)] != 0) return true;
        line_ = current_->line;
        return fail().text("component ").quoted(current_->name).text(" has no 'elf' line").failed();
    }

    bool component(std::string_view name) {
        std::uint32_t here = line_;
        if (!close_block()) return false;
        if (!valid_name(name)) return bad_name(name);
        for (std::size_t i = 0; i < out_.component_count; ++i)
            if (same(out_.components[i].name, name))
                return fail()
                    .text("duplicate component ")
                    .quoted(name)
                    .text(" (first on line ")
                    .number(out_.components[i].line)
                    .text(")")
                    .failed();
        if (out_.component_count == max_components)
            return fail().text("more than ").number(max_components).text(" components").failed();
        current_ = &out_.components[out_.component_count++];
        store(current_->name, name);
        store(current_->elf, {});
        current_->quota = default_quota;
        current_->memory = default_memory;
        current_->priority = default_priority;
        current_->cpu = 0;
        current_->line = here;
        current_->cap_count = 0;
        for (std::uint32_t& s : seen_) s = 0;
        return true;
    }

    /// A property's second appearance in a block is an error; the first one's line is remembered.
    bool first_time(Property p, std::string_view word) {
        std::uint32_t& seen = seen_[unsigned(p)];
        if (seen != 0)
            return fail()
                .text("'")
                .text(word)
                .text("' given twice in one component (first on line ")
                .number(seen)
                .text(")")
                .failed();
        seen = line_;
        return true;
    }

    bool elf(std::string_view module) {
        if (!first_time(Property::elf, "elf")) return false;
        if (!valid_module(module))
            return fail()
                .text("bad module name ")
                .quoted(module)
                .text(" (1..63 of A-Z a-z 0-9 . _ / -)")
                .failed();
        store(current_->elf, module);
        return true;
    }

    bool quota(std::string_view token) {
        std::uint64_t v;
        if (!first_time(Property::quota, "quota") || !number(token, true, v)) return false;
        if (v < min_quota || v > max_quota)
            return fail().text("quota ").quoted(token).text(" is outside 16K..1G").failed();
        current_->quota = v;
        return true;
    }

    bool memory(std::string_view token) {
        std::uint64_t v;
        if (!first_time(Property::memory, "memory") || !number(token, true, v)) return false;
        if (v > max_memory) return fail().text("memory ").quoted(token).text(" is outside 0..64M").failed();
        if (v % memory_granule != 0)
            return fail().text("memory ").quoted(token).text(" is not a multiple of 4K").failed();
        current_->memory = v;
        return true;
    }

    bool priority(std::string_view token) {
        std::uint64_t v;
        if (!first_time(Property::priority, "priority") || !number(token, false, v)) return false;
        if (v == init_priority) return fail().text("priority 255 is reserved for init").failed();
        if (v > max_priority)
            return fail().text("priority ").quoted(token).text(" is outside 0..254").failed();
        current_->priority = static_cast<std::uint32_t>(v);
        return true;
    }

    bool cpu(std::string_view token) {
        std::uint64_t v;
        if (!first_time(Property::cpu, "cpu") || !number(token, false, v)) return false;
        if (v > max_cpu) return fail().text("cpu ").quoted(token).text(" is outside 0..63").failed();
        current_->cpu = static_cast<std::uint32_t>(v);
        return true;
    }

    /// A number token; on failure the message names it.
    bool number(std::string_view token, bool size, std::uint64_t& v) {
        switch (parse_number(token, size, v)) {
        case Number::ok:
            return true;
        case Number::too_large:
            return fail().text("number ").quoted(token).text(" does not fit in 64 bits").failed();
        case Number::malformed:
            break;
        }
        if (size)
            return fail()
                .text("bad size ")
                .quoted(token)
                .text(" (decimal or 0x hex, optional K, M or G)")
                .failed();
        return fail().text("bad number ").quoted(token).text(" (decimal or 0x hex)").failed();
    }

    bool bad_name(std::string_view name) {
        return fail()
            .text("bad name ")
            .quoted(name)
            .text(" (1..31 of a-z 0-9 _ -, starting with a-z)")
            .failed();
    }

    // ---- capabilities ----

    /// The checks every capability line makes before it adds anything: a valid, unused name and room.
    bool cap_room(std::string_view name) {
        if (!valid_name(name)) return bad_name(name);
        for (std::size_t i = 0; i < current_->cap_count; ++i)
            if (same(current_->caps[i].name, name))
                return fail()
                    .text("capability name ")
                    .quoted(name)
                    .text(" given twice in one component")
                    .failed();
        if (current_->cap_count == max_caps)
            return fail().text("more than ").number(max_caps).text(" capabilities in one component").failed();
        return true;
    }

    void add_cap(CapKind kind, std::string_view name, std::uint16_t endpoint, std::uint64_t a,
                 std::uint64_t b) {
        CapSpec& c = current_->caps[current_->cap_count++];
        c.kind = kind;
        store(c.name, name);
        c.endpoint = endpoint;
        c.a = a;
        c.b = b;
    }

    /// The endpoint's index, numbering it if this is its first mention; false if there are too many.
    bool endpoint(std::string_view name, std::uint16_t& index) {
        for (std::size_t e = 0; e < out_.endpoint_count; ++e)
            if (same(out_.endpoints[e].name, name)) {
                index = static_cast<std::uint16_t>(e);
                return true;
            }
        if (out_.endpoint_count == max_endpoints)
            return fail().text("more than ").number(max_endpoints).text(" endpoints").failed();
        index = static_cast<std::uint16_t>(out_.endpoint_count++);
        store(out_.endpoints[index].name, name);
        out_.endpoints[index].server = no_server;
        first_mention_[index] = line_;
        return true;
    }

    std::uint16_t current_index() const { return static_cast<std::uint16_t>(current_ - out_.components); }

    bool serve(std::string_view name) {
        std::uint16_t e;
        if (!cap_room(name)) return false;
        // A new endpoint has no server yet: the check below fails only for one an earlier line numbered.
        if (!endpoint(name, e)) return false;
        EndpointSpec& spec = out_.endpoints[e];
        if (spec.server != no_server)
            return fail()
                .text("endpoint ")
                .quoted(name)
                .text(" already served by ")
                .quoted(out_.components[spec.server].name)
                .failed();
        spec.server = current_index();
        add_cap(CapKind::serve, name, e, 0, 0);
        return true;
    }

    bool use(std::string_view name, std::string_view as) {
        std::uint16_t e;
        if (!valid_name(name)) return bad_name(name);
        if (!cap_room(as) || !endpoint(name, e)) return false;
        add_cap(CapKind::use, as, e, 0, 0);
        return true;
    }

    bool ioports(std::string_view name, std::string_view first_token, std::string_view count_token) {
        std::uint64_t first, count;
        if (!valid_name(name)) return bad_name(name);
        if (!number(first_token, false, first) || !number(count_token, false, count)) return false;
        if (count == 0) return fail().text("ioports COUNT must be at least 1").failed();
        if (first >= port_count || count > port_count - first)
            return fail()
                .text("ports ")
                .quoted(first_token)
                .text(" + ")
                .quoted(count_token)
                .text(" go past 0xFFFF")
                .failed();
        if (!cap_room(name)) return false;
        add_cap(CapKind::io_ports, name, 0, first, count);
        return true;
    }

    bool irq(std::string_view name, std::string_view line_token) {
        std::uint64_t irq_line;
        if (!valid_name(name)) return bad_name(name);
        if (!number(line_token, false, irq_line)) return false;
        if (irq_line >= irq_lines)
            return fail().text("irq line ").quoted(line_token).text(" is outside 0..23").failed();
        if (std::uint8_t owner = irq_owner_[irq_line]; owner != 0)
            return fail()
                .text("irq line ")
                .number(irq_line)
                .text(" is already given to ")
                .quoted(out_.components[owner - 1].name)
                .failed();
        if (!cap_room(name)) return false;
        irq_owner_[irq_line] = static_cast<std::uint8_t>(current_index() + 1);
        add_cap(CapKind::irq, name, 0, irq_line, 0);
        return true;
    }

    Config& out_;
    ConfigError& error_;
    std::uint32_t line_ = 0;
    ComponentSpec* current_ = nullptr; ///< the open block, null before the first
    std::uint32_t seen_[unsigned(Property::count)] =
        {};                                           ///< line of each property in the open block, 0: not yet
    std::uint32_t first_mention_[max_endpoints] = {}; ///< line that numbered each endpoint
    std::uint8_t irq_owner_[irq_lines] = {};          ///< component index + 1 per line, 0: free
};

} // namespace

bool parse_config(std::string_view text, Config& out, ConfigError& error) {
    Parser parser(out, error);
    std::uint32_t number = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        if (number == max_line) {
            error.line = 0;
            Message(error).text("more than 4294967295 lines");
            return false;
        }
        ++number;
        std::size_t end = pos;
        while (end < text.size() && text[end] != '\n') ++end;
        if (!parser.line(std::string_view(text.data() + pos, end - pos), number)) return false;
        pos = end + 1; // past the '\n', or past the end of the text
    }
    return parser.finish();
}

} // namespace janus::init
