#include "kernel/boot_root/root_module.hpp"

#include "kernel/lib/string_view.hpp"

namespace kernel {

namespace {

bool contains(const char* text, StringView word) {
    for (std::size_t i = 0; text[i]; ++i) {
        std::size_t k = 0;
        while (k < word.size() && text[i + k] == word[k]) ++k;
        if (k == word.size()) return true;
    }
    return false;
}

} // namespace

const boot::Module* find_root_module(const boot::BootInfo& info) {
    for (std::size_t i = 0; i < info.module_count; ++i)
        if (contains(info.modules[i].name, "roottask")) return &info.modules[i];
    return info.module_count ? &info.modules[0] : nullptr;
}

void put_module(Sink& s, const boot::Module& module) {
    if (module.name[0]) {
        print_to(s, "boot module \"", module.name, "\"");
    } else {
        print_to(s, "boot module at ", hex(module.base));
    }
}

bool load_root_module(const boot::Module& module, boot::PhysReader& reader, RootImage& out) {
    const std::byte* bytes = module.size ? reader.read(module.base, module.size) : nullptr;
    if (module.size && !bytes) {
        put_module(console(), module);
        println(" rejected: its ", size(module.size), " at ", hex(module.base), " are not readable memory");
        return false;
    }
    auto parsed = loader::parse_elf(bytes, module.size, out.elf);
    if (!parsed) {
        put_module(console(), module);
        print(" rejected: ");
        put(console(), parsed.error());
        println("");
        return false;
    }
    out.bytes = bytes;
    out.size = module.size;
    return true;
}

} // namespace kernel
