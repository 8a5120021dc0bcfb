#include "user/init/boot_modules.hpp"

namespace janus::init {

std::string_view first_word(const char* command_line) {
    if (command_line == nullptr) return {};
    std::size_t start = 0;
    while (start < module_name_bytes && (command_line[start] == ' ' || command_line[start] == '\t')) ++start;
    std::size_t end = start;
    while (end < module_name_bytes && command_line[end] != '\0' && command_line[end] != ' ' &&
           command_line[end] != '\t')
        ++end;
    return std::string_view(command_line + start, end - start);
}

std::string_view without_directory(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    // Not substr: its range check may throw, and ring 3 has no exceptions.
    if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
    return path;
}

bool module_matches(std::string_view module, std::string_view wanted) {
    if (module.empty() || wanted.empty()) return false;
    return module == wanted || without_directory(module) == wanted || module == without_directory(wanted);
}

std::size_t find_config_module(const BootModule* modules, std::size_t count) {
    for (std::size_t i = 1; i < count; ++i)
        if (without_directory(first_word(modules[i].name)) == "init.config") return i;
    for (std::size_t i = 1; i < count; ++i) {
        const std::string_view name = without_directory(first_word(modules[i].name));
        if (name.size() > 7 && name.ends_with(".config")) return i;
    }
    return no_module;
}

std::size_t find_elf_module(const BootModule* modules, std::size_t count, std::string_view elf) {
    for (std::size_t i = 1; i < count; ++i)
        if (module_matches(first_word(modules[i].name), elf)) return i;
    return no_module;
}

} // namespace janus::init
