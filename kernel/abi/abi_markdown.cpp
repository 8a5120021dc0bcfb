#include "kernel/abi/abi_markdown.hpp"

#include <sstream>

#include "kernel/abi/abi.hpp"

namespace janus::abi {

namespace {

const char* arg_type_name(ArgType t) {
    switch (t) {
#define JANUS_ARG_TYPE(name, meaning)                                                                        \
    case ArgType::name:                                                                                      \
        return #name;
#include "kernel/abi/abi.def"
    }
    return "?";
}

} // namespace

std::string render_markdown() {
    std::ostringstream md;
    md << "## Register convention\n\n"
       << "| what | register |\n|---|---|\n| syscall number (in) | rax |\n| status (out) | rax |\n";
    for (std::size_t i = 0; i < max_args; ++i)
        md << "| argument a" << i << " | " << arg_registers[i] << " |\n";
    for (std::size_t i = 0; i < max_results; ++i)
        md << "| result r" << i << " | " << result_registers[i] << " |\n";
    md << "\nrcx and r11 are clobbered by `syscall`/`sysret`; every other register is preserved, the x87, "
          "SSE and AVX "
          "registers included (\"Extended registers\" above).\n\n";

    md << "## Error codes\n\n| value | name | meaning |\n|---|---|---|\n";
#define JANUS_ERROR(value, name, meaning) md << "| " << value << " | `" #name "` | " << meaning << " |\n";
#include "kernel/abi/abi.def"

    md << "\n## Rights\n\n| bit | name | meaning |\n|---|---|---|\n";
#define JANUS_RIGHT(bit, name, meaning) md << "| " << bit << " | `" #name "` | " << meaning << " |\n";
#include "kernel/abi/abi.def"

    md << "\n## Object types\n\n| value | name | what it is |\n|---|---|---|\n";
#define JANUS_OBJECT(value, name, meaning) md << "| " << value << " | `" #name "` | " << meaning << " |\n";
#include "kernel/abi/abi.def"

    md << "\n## Kernel-memory charges\n\nEvery kernel object is paid for from a protection domain's quota "
          "(\"client pays\"). The amounts are part of the ABI.\n\n| what | bytes | paid for "
          "|\n|---|---|---|\n";
#define JANUS_CHARGE(name, bytes, meaning) md << "| `" #name "` | " << bytes << " | " << meaning << " |\n";
#include "kernel/abi/abi.def"

    md << "\n## Argument types\n\n| type | how the kernel reads it |\n|---|---|\n";
#define JANUS_ARG_TYPE(name, meaning) md << "| `" #name "` | " << meaning << " |\n";
#include "kernel/abi/abi.def"

    md << "\n## System calls\n";
    for (const SyscallSpec& s : syscalls) {
        md << "\n### " << static_cast<std::uint64_t>(s.number) << " `" << s.name << "`\n\n"
           << s.meaning << "\n\n";
        if (s.arg_count) {
            md << "| argument | register | type |\n|---|---|---|\n";
            for (std::size_t i = 0; i < s.arg_count; ++i)
                md << "| `" << s.args[i].name << "` | " << arg_registers[i] << " | `"
                   << arg_type_name(s.args[i].type) << "` |\n";
            md << "\n";
        }
        if (s.result_count) {
            md << "Results:";
            for (std::size_t i = 0; i < s.result_count; ++i)
                md << (i ? ", `" : " `") << s.results[i] << "` in " << result_registers[i];
            md << ".\n\n";
        }
        md << "Errors: `ok`";
        for (const ErrorSpec& e : errors)
            if (e.code != Error::ok && (s.error_mask >> static_cast<std::uint64_t>(e.code) & 1))
                md << ", `" << e.name << "`";
        md << ".\n";
    }
    return md.str();
}

} // namespace janus::abi
