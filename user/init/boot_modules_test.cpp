// Finding the configuration and the components' ELFs among boot modules by name.
#include "user/init/boot_modules.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace janus::init {
namespace {

struct Modules {
    char names[8][module_name_bytes];
    BootModule list[8];
    std::size_t count = 0;

    void add(const char* name, std::size_t length = ~std::size_t{0}) {
        std::memset(names[count], 0, module_name_bytes);
        std::memcpy(names[count], name, std::min(std::strlen(name), std::min(length, module_name_bytes)));
        list[count] = {nullptr, 0, names[count]};
        ++count;
    }
};

TEST(BootModules, FirstWordStopsAtBlanksNulAndTheTableLimit) {
    EXPECT_EQ(first_word("uart.elf --verbose"), "uart.elf");
    EXPECT_EQ(first_word("  \tinit.config"), "init.config");
    EXPECT_EQ(first_word(""), "");
    EXPECT_EQ(first_word(nullptr), "");
    char full[module_name_bytes];
    std::memset(full, 'a', sizeof full); // no NUL in the 64 bytes
    EXPECT_EQ(first_word(full).size(), module_name_bytes);
}

TEST(BootModules, NamesMatchWithOrWithoutADirectory) {
    EXPECT_TRUE(module_matches("uart.elf", "uart.elf"));
    EXPECT_TRUE(module_matches("/boot/uart.elf", "uart.elf"));
    EXPECT_TRUE(module_matches("uart.elf", "boot/uart.elf"));
    EXPECT_FALSE(module_matches("/boot/uart.elf", "/other/uart.elf"));
    EXPECT_FALSE(module_matches("uart.elf2", "uart.elf"));
    EXPECT_FALSE(module_matches("xuart.elf", "uart.elf"));
    EXPECT_FALSE(module_matches("", "uart.elf"));
    EXPECT_FALSE(module_matches("/boot/", ""));
    EXPECT_EQ(without_directory("/a/b/c"), "c");
    EXPECT_EQ(without_directory("c"), "c");
    EXPECT_EQ(without_directory("a/"), "");
}

TEST(BootModules, TheConfigurationIsInitConfigElseTheFirstDotConfig) {
    Modules m;
    m.add("init.config"); // entry 0 is init's own module, never the configuration
    m.add("uart.elf");
    m.add("test.config");
    m.add("/boot/init.config extra words");
    EXPECT_EQ(find_config_module(m.list, m.count), 3u);
    Modules n;
    n.add("init.elf");
    n.add("a.config.txt");
    n.add(".config");
    n.add("system.config");
    n.add("other.config");
    EXPECT_EQ(find_config_module(n.list, n.count), 3u);
    Modules none;
    none.add("init.elf");
    none.add("uart.elf");
    EXPECT_EQ(find_config_module(none.list, none.count), no_module);
}

TEST(BootModules, ElfModulesAreFoundByTheirFirstWordAfterEntryZero) {
    Modules m;
    m.add("hello.elf");
    m.add("/boot/uart.elf");
    m.add("hello.elf arguments");
    EXPECT_EQ(find_elf_module(m.list, m.count, "uart.elf"), 1u);
    EXPECT_EQ(find_elf_module(m.list, m.count, "hello.elf"), 2u);
    EXPECT_EQ(find_elf_module(m.list, m.count, "timer.elf"), no_module);
}

} // namespace
} // namespace janus::init
