// Unit tests of init's configuration parser (ctest init.ConfigParse.*, init.ConfigReject.*): every rule of
// docs/init.md "Configuration format", its limits on both sides, and each error with its line.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <string_view>

#include "user/init/config.hpp"
#include "user/init/testing/config_check.hpp"

using namespace janus::init;
using janus::init::testing::check_config;

namespace {

// The Config is about 10 KiB: kept in static storage, as init does.
Config parsed;
ConfigError error;

/// The message must be non-empty printable ASCII, NUL-terminated inside the field.
::testing::AssertionResult sane_message(const ConfigError& e) {
    const void* nul = std::memchr(e.message, '\0', sizeof e.message);
    if (nul == nullptr) return ::testing::AssertionFailure() << "message not NUL-terminated";
    std::string_view m(e.message);
    if (m.empty()) return ::testing::AssertionFailure() << "empty message";
    for (char c : m)
        if (c < 0x20 || c > 0x7E) return ::testing::AssertionFailure() << "non-printable byte in: " << m;
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult accepts(std::string_view text) {
    if (!parse_config(text, parsed, error))
        return ::testing::AssertionFailure() << "refused at line " << error.line << ": " << error.message;
    std::string broken = check_config(parsed);
    if (!broken.empty())
        return ::testing::AssertionFailure() << "accepted a Config breaking a rule: " << broken;
    return ::testing::AssertionSuccess();
}

/// Refused, on `line`, with a message containing `part`.
::testing::AssertionResult refuses(std::string_view text, std::uint32_t line, std::string_view part) {
    if (parse_config(text, parsed, error)) return ::testing::AssertionFailure() << "accepted";
    if (auto sane = sane_message(error); !sane) return sane;
    if (error.line != line || std::string_view(error.message).find(part) == std::string_view::npos)
        return ::testing::AssertionFailure()
               << "refused at line " << error.line << " with \"" << error.message << "\", expected line "
               << line << " and \"" << part << "\"";
    return ::testing::AssertionSuccess();
}

/// "component NAME\nelf NAME\n" plus the given lines: one valid block.
std::string block(const std::string& name, const std::string& lines = "") {
    return "component " + name + "\nelf " + name + ".elf\n" + lines;
}

std::string repeat(char c, std::size_t n) {
    return std::string(n, c);
}

} // namespace

// ---- what is accepted ----

TEST(ConfigParse, AComponentWithOnlyAnElfGetsTheDefaults) {
    ASSERT_TRUE(accepts("component hello\n  elf hello.elf\n"));
    ASSERT_EQ(parsed.component_count, 1u);
    const ComponentSpec& c = parsed.components[0];
    EXPECT_STREQ(c.name, "hello");
    EXPECT_STREQ(c.elf, "hello.elf");
    EXPECT_EQ(c.quota, 256u * 1024);
    EXPECT_EQ(c.memory, 64u * 1024);
    EXPECT_EQ(c.priority, 100u);
    EXPECT_EQ(c.cpu, 0u);
    EXPECT_EQ(c.line, 1u);
    EXPECT_EQ(c.cap_count, 0u);
    EXPECT_EQ(parsed.endpoint_count, 0u);
}

TEST(ConfigParse, TheDocumentedExample) {
    const char* text = R"(# Three components: a UART driver serving the console, a timer, and a client.
component uart
  elf     uart.elf
  quota   128K
  memory  0x2000
  priority 150
  serve   console
  ioports com1 0x3F8 8
  irq     com1_irq 4

component timer
  elf     components/timer.elf
  priority 140
  cpu     1
  serve   timer
  ioports pit 0x40 4
  irq     tick 0

component hello              # says hello on the console, then sleeps
  elf     hello.elf
  memory  1M
  use     console
  use     timer clock
)";
    ASSERT_TRUE(accepts(text));
    ASSERT_EQ(parsed.component_count, 3u);
    const ComponentSpec &uart = parsed.components[0], &timer = parsed.components[1],
                        &hello = parsed.components[2];
    EXPECT_STREQ(uart.name, "uart");
    EXPECT_EQ(uart.line, 2u);
    EXPECT_EQ(uart.quota, 131072u);
    EXPECT_EQ(uart.memory, 8192u);
    EXPECT_EQ(uart.priority, 150u);
    ASSERT_EQ(uart.cap_count, 3u);
    EXPECT_EQ(uart.caps[0].kind, CapKind::serve);
    EXPECT_STREQ(uart.caps[0].name, "console");
    EXPECT_EQ(uart.caps[0].endpoint, 0u);
    EXPECT_EQ(uart.caps[1].kind, CapKind::io_ports);
    EXPECT_STREQ(uart.caps[1].name, "com1");
    EXPECT_EQ(uart.caps[1].a, 0x3F8u);
    EXPECT_EQ(uart.caps[1].b, 8u);
    EXPECT_EQ(uart.caps[2].kind, CapKind::irq);
    EXPECT_STREQ(uart.caps[2].name, "com1_irq");
    EXPECT_EQ(uart.caps[2].a, 4u);
    EXPECT_EQ(uart.caps[2].b, 0u);

    EXPECT_STREQ(timer.elf, "components/timer.elf");
    EXPECT_EQ(timer.line, 11u);
    EXPECT_EQ(timer.cpu, 1u);
    EXPECT_EQ(timer.quota, 256u * 1024);
    ASSERT_EQ(timer.cap_count, 3u);
    EXPECT_EQ(timer.caps[0].endpoint, 1u);

    EXPECT_EQ(hello.line, 19u);
    EXPECT_EQ(hello.memory, 1024u * 1024);
    ASSERT_EQ(hello.cap_count, 2u);
    EXPECT_EQ(hello.caps[0].kind, CapKind::use);
    EXPECT_STREQ(hello.caps[0].name, "console");
    EXPECT_EQ(hello.caps[0].endpoint, 0u);
    EXPECT_EQ(hello.caps[1].kind, CapKind::use);
    EXPECT_STREQ(hello.caps[1].name, "clock");
    EXPECT_EQ(hello.caps[1].endpoint, 1u);

    ASSERT_EQ(parsed.endpoint_count, 2u);
    EXPECT_STREQ(parsed.endpoints[0].name, "console");
    EXPECT_EQ(parsed.endpoints[0].server, 0u);
    EXPECT_STREQ(parsed.endpoints[1].name, "timer");
    EXPECT_EQ(parsed.endpoints[1].server, 1u);
}

TEST(ConfigParse, EndpointsAreNumberedByFirstMentionAndMayBeUsedBeforeTheyAreServed) {
    ASSERT_TRUE(accepts(block("client", "use log\nuse fs files\n") + block("fs", "serve fs\nuse log\n") +
                        block("logger", "serve log\n")));
    ASSERT_EQ(parsed.endpoint_count, 2u);
    EXPECT_STREQ(parsed.endpoints[0].name, "log");
    EXPECT_EQ(parsed.endpoints[0].server, 2u);
    EXPECT_STREQ(parsed.endpoints[1].name, "fs");
    EXPECT_EQ(parsed.endpoints[1].server, 1u);
    const ComponentSpec& client = parsed.components[0];
    EXPECT_STREQ(client.caps[0].name, "log");
    EXPECT_EQ(client.caps[0].endpoint, 0u);
    EXPECT_STREQ(client.caps[1].name, "files");
    EXPECT_EQ(client.caps[1].endpoint, 1u);
    EXPECT_EQ(parsed.components[1].caps[0].kind, CapKind::serve);
    EXPECT_EQ(parsed.components[1].caps[0].endpoint, 1u);
    EXPECT_EQ(parsed.components[1].caps[1].endpoint, 0u);
}

TEST(ConfigParse, AComponentMayUseTheEndpointItServesUnderAnotherName) {
    ASSERT_TRUE(accepts(block("a", "serve loop\nuse loop self\n")));
    ASSERT_EQ(parsed.components[0].cap_count, 2u);
    EXPECT_EQ(parsed.components[0].caps[1].endpoint, 0u);
    EXPECT_EQ(parsed.endpoint_count, 1u);
}

TEST(ConfigParse, NumbersInDecimalHexAndWithSizeSuffixes) {
    struct Case {
        const char* line;
        std::uint64_t ComponentSpec::*field;
        std::uint64_t value;
    };
    const Case cases[] = {
        {"quota 16384", &ComponentSpec::quota, 16384},
        {"quota 0x4000", &ComponentSpec::quota, 16384},
        {"quota 0x10K", &ComponentSpec::quota, 16384},
        {"quota 0x10k", nullptr, 0},
        {"quota 1G", &ComponentSpec::quota, 1u << 30},
        {"quota 3M", &ComponentSpec::quota, 3u << 20},
        {"quota 0xaBcK", &ComponentSpec::quota, 0xABCu << 10},
        {"memory 0", &ComponentSpec::memory, 0},
        {"memory 0x0", &ComponentSpec::memory, 0},
        {"memory 000004096", &ComponentSpec::memory, 4096},
        {"memory 0K", &ComponentSpec::memory, 0},
        {"memory 64M", &ComponentSpec::memory, 64u << 20},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.line);
        std::string text = block("a", std::string(c.line) + "\n");
        if (c.field == nullptr) {
            EXPECT_TRUE(refuses(text, 3, "bad size"));
            continue;
        }
        ASSERT_TRUE(accepts(text));
        EXPECT_EQ(parsed.components[0].*c.field, c.value);
    }
    ASSERT_TRUE(accepts(block("a", "priority 0xFE\ncpu 0x3f\n")));
    EXPECT_EQ(parsed.components[0].priority, 254u);
    EXPECT_EQ(parsed.components[0].cpu, 63u);
}

TEST(ConfigParse, LimitsOfEachValueAreInclusive) {
    ASSERT_TRUE(accepts(block("a", "quota 16K\nmemory 64M\npriority 254\ncpu 63\n")));
    EXPECT_EQ(parsed.components[0].quota, 16u * 1024);
    EXPECT_EQ(parsed.components[0].memory, 64u << 20);
    ASSERT_TRUE(accepts(block("a", "quota 1G\nmemory 0\npriority 0\ncpu 0\n")));
    EXPECT_EQ(parsed.components[0].quota, 1u << 30);
    EXPECT_EQ(parsed.components[0].memory, 0u);
    EXPECT_EQ(parsed.components[0].priority, 0u);
    ASSERT_TRUE(
        accepts(block("a", "ioports all 0 65536\nioports last 65535 1\nioports hex 0xFFF0 0x10\nirq low 0\n"
                           "irq high 23\n")));
    const ComponentSpec& c = parsed.components[0];
    ASSERT_EQ(c.cap_count, 5u);
    EXPECT_EQ(c.caps[0].a, 0u);
    EXPECT_EQ(c.caps[0].b, 65536u);
    EXPECT_EQ(c.caps[1].a, 65535u);
    EXPECT_EQ(c.caps[1].b, 1u);
    EXPECT_EQ(c.caps[2].a, 0xFFF0u);
    EXPECT_EQ(c.caps[2].b, 16u);
    EXPECT_EQ(c.caps[3].a, 0u);
    EXPECT_EQ(c.caps[4].a, 23u);
}

TEST(ConfigParse, NamesAndModulesAtTheirLongest) {
    std::string name = "a" + repeat('z', 29) + "9";    // 31 characters
    std::string module = "Az09._/-" + repeat('m', 55); // 63 characters
    ASSERT_TRUE(
        accepts("component " + name + "\nelf " + module + "\nserve " + name + "\nuse " + name + " x-y_0\n"));
    EXPECT_STREQ(parsed.components[0].name, name.c_str());
    EXPECT_STREQ(parsed.components[0].elf, module.c_str());
    EXPECT_STREQ(parsed.endpoints[0].name, name.c_str());
    EXPECT_STREQ(parsed.components[0].caps[1].name, "x-y_0");
}

TEST(ConfigParse, CommentsBlankLinesIndentationTabsAndCarriageReturns) {
    std::string text = "# leading comment\r\n"
                       "\r\n"
                       "   \t  \n"
                       "\tcomponent   a#glued comment\r\n"
                       "elf\ta.elf   # trailing\n"
                       "  \t priority \t 7\t\n"
                       "#component b\n"
                       "component b\n"
                       "elf b.elf\r"; // the last line has no '\n'
    ASSERT_TRUE(accepts(text));
    ASSERT_EQ(parsed.component_count, 2u);
    EXPECT_EQ(parsed.components[0].line, 4u);
    EXPECT_STREQ(parsed.components[0].name, "a");
    EXPECT_STREQ(parsed.components[0].elf, "a.elf");
    EXPECT_EQ(parsed.components[0].priority, 7u);
    EXPECT_EQ(parsed.components[1].line, 8u);
    EXPECT_STREQ(parsed.components[1].elf, "b.elf");
}

TEST(ConfigParse, SixteenOfEverythingFits) {
    std::string text;
    // Component i serves endpoint e<i> and uses every endpoint after it: the last has 16 capabilities.
    for (int i = 0; i < 16; ++i) {
        std::string lines = "serve e" + std::to_string(i) + "\n";
        for (int k = 0; k < i; ++k) lines += "use e" + std::to_string(k) + "\n";
        text += block("c" + std::to_string(i), lines);
    }
    ASSERT_TRUE(accepts(text));
    EXPECT_EQ(parsed.component_count, 16u);
    EXPECT_EQ(parsed.endpoint_count, 16u);
    EXPECT_EQ(parsed.components[15].cap_count, 16u);
    EXPECT_EQ(parsed.endpoints[15].server, 15u);
}

TEST(ConfigParse, ComponentsMayShareOverlappingPortRanges) {
    ASSERT_TRUE(accepts(block("a", "ioports com 0x3F8 8\nioports wide 0x3F0 16\n") +
                        block("b", "ioports com 0x3F8 8\n")));
    EXPECT_EQ(parsed.components[1].caps[0].a, 0x3F8u);
}

TEST(ConfigParse, AReusedConfigHoldsOnlyTheLastParse) {
    ASSERT_TRUE(accepts(block("a", "serve x\n") + block("b", "use x\nirq i 3\n") + block("c")));
    ASSERT_TRUE(accepts(block("z")));
    EXPECT_EQ(parsed.component_count, 1u);
    EXPECT_EQ(parsed.endpoint_count, 0u);
    EXPECT_STREQ(parsed.components[0].name, "z");
    // Irq line 3 and name "a" are free again in a new parse.
    ASSERT_TRUE(accepts(block("a", "irq i 3\n")));
}

// ---- what is refused, and where ----

TEST(ConfigReject, AnEmptyConfigurationIsAWholeFileError) {
    EXPECT_TRUE(refuses("", 0, "no component"));
    EXPECT_TRUE(refuses("\n\n\n", 0, "no component"));
    EXPECT_TRUE(refuses("# nothing but a comment\r\n \t \n", 0, "no component"));
}

TEST(ConfigReject, UnknownKeywordsIncludingWrongCase) {
    EXPECT_TRUE(refuses(block("a", "start now\n"), 3, "unknown keyword 'start'"));
    EXPECT_TRUE(refuses("Component a\n", 1, "unknown keyword"));
    EXPECT_TRUE(refuses(block("a", "ELF a\n"), 3, "unknown keyword"));
    EXPECT_TRUE(refuses(block("a", "ioport p 1 1\n"), 3, "unknown keyword"));
}

TEST(ConfigReject, WrongNumberOfTokens) {
    const char* lines[] = {"component", "component b c", "elf",
                           "elf a b",   "quota",         "quota 1 2",
                           "memory",    "priority",      "cpu 1 2",
                           "serve",     "serve a b",     "use",
                           "use a b c", "ioports p 1",   "ioports p 1 2 3",
                           "irq i",     "irq i 1 2",     "irq i 1 2 3 4 5 6"};
    for (const char* line : lines) {
        SCOPED_TRACE(line);
        EXPECT_TRUE(refuses("component a\n" + std::string(line) + "\nelf a\n", 2, "wrong number of tokens"));
    }
}

TEST(ConfigReject, APropertyBeforeAnyComponent) {
    EXPECT_TRUE(refuses("# first\nelf a.elf\ncomponent a\n", 2, "before any 'component'"));
    EXPECT_TRUE(refuses("serve x\n" + block("a"), 1, "before any 'component'"));
    EXPECT_TRUE(refuses("irq i 1\n", 1, "before any 'component'"));
}

TEST(ConfigReject, APropertyGivenTwiceInOneBlock) {
    const char* properties[] = {"elf b.elf", "quota 16K", "memory 0", "priority 1", "cpu 0"};
    for (const char* p : properties) {
        SCOPED_TRACE(p);
        std::string text = "component a\n" + std::string(p) + "\n# x\n" + p + "\nelf a.elf\n";
        EXPECT_TRUE(refuses(text, 4, "' given twice in one component (first on line 2)"));
    }
    // The same property in two blocks is fine.
    EXPECT_TRUE(accepts(block("a", "quota 16K\n") + block("b", "quota 16K\n")));
}

TEST(ConfigReject, ABlockWithoutElfIsReportedAtItsComponentLine) {
    EXPECT_TRUE(refuses("component a\nquota 16K\n" + block("b"), 1, "component 'a' has no 'elf'"));
    EXPECT_TRUE(refuses(block("a") + "\ncomponent b\npriority 3\n", 4, "component 'b' has no 'elf'"));
}

TEST(ConfigReject, DuplicateComponentNames) {
    EXPECT_TRUE(
        refuses(block("a") + block("b") + block("a"), 5, "duplicate component 'a' (first on line 1)"));
}

TEST(ConfigReject, MoreThanSixteenComponents) {
    std::string text;
    for (int i = 0; i < 17; ++i) text += block("c" + std::to_string(i));
    EXPECT_TRUE(refuses(text, 33, "more than 16 components"));
}

TEST(ConfigReject, MoreThanSixteenCapabilitiesInOneComponent) {
    std::string lines = "serve e\n";
    for (int i = 0; i < 15; ++i) lines += "ioports p" + std::to_string(i) + " 1 1\n";
    EXPECT_TRUE(accepts(block("a", lines)));
    EXPECT_TRUE(refuses(block("a", lines + "irq extra 1\n"), 19, "more than 16 capabilities"));
    EXPECT_TRUE(refuses(block("a", lines + "use e again\n"), 19, "more than 16 capabilities"));
}

TEST(ConfigReject, TwoCapabilitiesWithOneNameInAComponent) {
    EXPECT_TRUE(refuses(block("a", "serve x\nirq x 1\n"), 4, "capability name 'x' given twice"));
    EXPECT_TRUE(refuses(block("a", "serve x\nuse x\n"), 4, "capability name 'x'"));
    EXPECT_TRUE(refuses(block("a", "serve x\nserve x\n"), 4, "capability name 'x'"));
    EXPECT_TRUE(refuses(block("a", "serve x\nserve y\nuse y x\n"), 5, "capability name 'x'"));
    EXPECT_TRUE(refuses(block("a", "ioports p 1 1\nioports p 2 1\n"), 4, "capability name 'p'"));
    // One name in two components is fine.
    EXPECT_TRUE(accepts(block("a", "serve x\nirq i 1\n") + block("b", "use x\nirq i 2\n")));
}

TEST(ConfigReject, AnEndpointWithTwoServers) {
    EXPECT_TRUE(refuses(block("a", "serve x\n") + block("b", "use x\n") + block("c", "serve x\n"), 9,
                        "endpoint 'x' already served by 'a'"));
}

TEST(ConfigReject, AnEndpointUsedButServedByNoComponent) {
    // Reported at the line that first mentioned it; the lowest such line when several are unserved.
    EXPECT_TRUE(refuses(block("a", "serve x\n") + block("b", "use x\nuse y\nuse z\n"), 7,
                        "endpoint 'y' is used but no component serves it"));
}

TEST(ConfigReject, OneIrqLineForTwoCapabilities) {
    EXPECT_TRUE(refuses(block("a", "irq i 4\n") + block("b", "irq j 0x4\n"), 6,
                        "irq line 4 is already given to 'a'"));
    EXPECT_TRUE(refuses(block("a", "irq i 4\nirq j 4\n"), 4, "irq line 4 is already given to 'a'"));
}

TEST(ConfigReject, MoreThanSixteenEndpoints) {
    std::string a, b;
    for (int i = 0; i < 9; ++i) a += "serve e" + std::to_string(i) + "\n";
    for (int i = 9; i < 17; ++i) b += "serve e" + std::to_string(i) + "\n";
    // Line of the 17th endpoint's serve: 2 + 9 lines of a, 2 of b's header, 8th serve of b.
    EXPECT_TRUE(refuses(block("a", a) + block("b", b), 2 + 9 + 2 + 8, "more than 16 endpoints"));
}

TEST(ConfigReject, ValuesOutsideTheirRanges) {
    struct Case {
        const char* line;
        const char* part;
    };
    const Case cases[] = {
        {"quota 16383", "outside 16K..1G"},
        {"quota 0", "outside 16K..1G"},
        {"quota 1073741825", "outside 16K..1G"},
        {"quota 2G", "outside 16K..1G"},
        {"memory 4097", "not a multiple of 4K"},
        {"memory 1", "not a multiple of 4K"},
        {"memory 1K", "not a multiple of 4K"},
        {"memory 6K", "not a multiple of 4K"},
        {"memory 0xFFF", "not a multiple of 4K"},
        {"memory 65540K", "outside 0..64M"},   // 64M + 4K
        {"memory 67112960", "outside 0..64M"}, // 64M + 4K
        {"memory 1G", "outside 0..64M"},
        {"priority 255", "priority 255 is reserved for init"},
        {"priority 0xFF", "reserved for init"},
        {"priority 256", "outside 0..254"},
        {"priority 18446744073709551615", "outside 0..254"},
        {"cpu 64", "outside 0..63"},
        {"ioports p 0 0", "COUNT must be at least 1"},
        {"ioports p 65535 2", "go past 0xFFFF"},
        {"ioports p 65536 1", "go past 0xFFFF"},
        {"ioports p 1 65536", "go past 0xFFFF"},
        {"ioports p 18446744073709551615 18446744073709551615", "go past 0xFFFF"},
        {"irq i 24", "outside 0..23"},
        {"irq i 0x100000000", "outside 0..23"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.line);
        EXPECT_TRUE(refuses(block("a", std::string(c.line) + "\n"), 3, c.part));
    }
}

TEST(ConfigReject, MalformedAndOverflowingNumbers) {
    struct Case {
        const char* line;
        const char* part;
    };
    const Case cases[] = {
        {"quota abc", "bad size 'abc'"},
        {"quota 0x", "bad size"},
        {"quota K", "bad size"},
        {"quota 16KK", "bad size"},
        {"quota 16k", "bad size"},
        {"quota 0X4000", "bad size"},
        {"quota -1", "bad size"},
        {"quota +16K", "bad size"},
        {"quota 16T", "bad size"},
        {"quota 1.5M", "bad size"},
        {"quota 0x1g", "bad size"},
        {"priority 1K", "bad number '1K' (decimal or 0x hex)"},
        {"cpu x1", "bad number"},
        {"irq i 0b1", "bad number"},
        {"ioports p 1 1K", "bad number"},
        {"ioports p 0x 1", "bad number"},
        {"quota 18446744073709551616", "does not fit in 64 bits"},
        {"quota 0x10000000000000000", "does not fit in 64 bits"},
        {"quota 17179869184G", "does not fit in 64 bits"}, // 2^34 * 2^30
        {"quota 18014398509481984K", "does not fit in 64 bits"},
        {"cpu 99999999999999999999999999", "does not fit in 64 bits"},
        // Malformed wins over too large: the whole token is read.
        {"quota 99999999999999999999999z", "bad size"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.line);
        EXPECT_TRUE(refuses(block("a", std::string(c.line) + "\n"), 3, c.part));
    }
    // 2^64 - 1 and 2^24 G (2^54) do fit.
    EXPECT_TRUE(refuses(block("a", "quota 0xFFFFFFFFFFFFFFFF\n"), 3, "outside 16K..1G"));
    EXPECT_TRUE(refuses(block("a", "quota 16777216G\n"), 3, "outside 16K..1G"));
}

TEST(ConfigReject, BadNames) {
    const char* names[] = {"A", "aB", "1a", "_a", "-a", "a.b", "a/b", "a*", "a'b"};
    for (const char* n : names) {
        SCOPED_TRACE(n);
        std::string name(n);
        EXPECT_TRUE(refuses("component " + name + "\nelf x\n", 1, "bad name"));
        EXPECT_TRUE(refuses(block("a", "serve " + name + "\n"), 3, "bad name"));
        EXPECT_TRUE(refuses(block("a", "use " + name + "\n"), 3, "bad name"));
        EXPECT_TRUE(refuses(block("a", "use x " + name + "\n"), 3, "bad name"));
        EXPECT_TRUE(refuses(block("a", "ioports " + name + " 1 1\n"), 3, "bad name"));
        EXPECT_TRUE(refuses(block("a", "irq " + name + " 1\n"), 3, "bad name"));
    }
    std::string too_long = "a" + repeat('b', 31); // 32 characters
    EXPECT_TRUE(refuses("component " + too_long + "\nelf x\n", 1, "bad name"));
    EXPECT_TRUE(refuses(block("a", "irq " + too_long + " 1\n"), 3, "bad name"));
}

TEST(ConfigReject, BadModuleNames) {
    const char* modules[] = {"a*b", "a:b", "a\\b", "a,b", "a@b", "$x", "a~"};
    for (const char* m : modules) {
        SCOPED_TRACE(m);
        EXPECT_TRUE(refuses("component a\nelf " + std::string(m) + "\n", 2, "bad module name"));
    }
    EXPECT_TRUE(refuses("component a\nelf " + repeat('m', 64) + "\n", 2, "bad module name"));
}

TEST(ConfigReject, ControlCharactersAndNonAsciiBytesAnywhere) {
    struct Case {
        std::string text;
        std::uint32_t line;
        const char* part;
    };
    const std::string ok = block("a");
    const Case cases[] = {
        {ok + std::string("serve x\0\n", 9), 3, "control character 0x00"},
        {ok + std::string("# a comment \0 too\n", 18), 3, "control character 0x00"},
        {std::string("\0", 1) + ok, 1, "control character 0x00"},
        {ok + "\x01\n", 3, "control character 0x01"},
        {ok + "cpu 1\x1B\n", 3, "control character 0x1B"},
        {ok + "\x7F\n", 3, "control character 0x7F"},
        {ok + "\x0B\n", 3, "control character 0x0B"},
        {ok + "\x0C\n", 3, "control character 0x0C"},
        {ok + "# caf\xC3\xA9\n", 3, "non-ASCII byte 0xC3"},
        {ok + "\xFF", 3, "non-ASCII byte 0xFF"},
        {ok + "cpu\r1\n", 3, "carriage return inside a line"},
        {ok + "cpu 1\r\r\n", 3, "carriage return inside a line"},
        {"component a\relf a\n", 1, "carriage return inside a line"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.line);
        SCOPED_TRACE(c.part);
        EXPECT_TRUE(refuses(c.text, c.line, c.part));
    }
}

TEST(ConfigReject, LineNumbersCountEveryLineKindOnTheWay) {
    std::string text = "\n# c\r\n  \t\ncomponent a\r\n# c\nelf a\n\n\t\nbogus\n";
    EXPECT_TRUE(refuses(text, 9, "unknown keyword 'bogus'"));
}

TEST(ConfigReject, LongTokensAreShortenedInTheMessage) {
    std::string keyword = "x" + repeat('y', 500);
    ASSERT_TRUE(refuses(block("a", keyword + "\n"), 3, "unknown keyword 'xyyy"));
    EXPECT_NE(std::string_view(error.message).find("...'"), std::string_view::npos) << error.message;
    // The longest messages still fit: every quoted part at its longest.
    std::string name = "a" + repeat('b', 30);
    ASSERT_TRUE(
        refuses(block(name, "serve " + name + "\n") + block("c" + repeat('d', 30), "serve " + name + "\n"), 6,
                "already served by"));
    EXPECT_TRUE(std::string_view(error.message).ends_with("'" + name + "'")) << error.message;
}
