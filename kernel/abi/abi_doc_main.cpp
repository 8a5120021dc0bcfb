// abi_doc FILE: rewrite the generated part of FILE (docs/abi.md) from the ABI specification.
// abi_doc --check FILE: exit 1 if FILE's generated part differs from the specification.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "kernel/abi/abi_markdown.hpp"

int main(int argc, char** argv) {
    bool check = argc == 3 && std::strcmp(argv[1], "--check") == 0;
    if (argc != 2 && !check) {
        std::fprintf(stderr, "usage: abi_doc [--check] docs/abi.md\n");
        return 2;
    }
    const char* path = argv[argc - 1];
    std::ifstream in(path);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string text = buf.str();
    std::string begin = janus::abi::doc_begin_marker, end = janus::abi::doc_end_marker;
    auto b = text.find(begin), e = text.find(end);
    if (b == std::string::npos || e == std::string::npos || e < b) {
        std::fprintf(stderr, "abi_doc: %s lacks the generated-section markers\n", path);
        return 2;
    }
    std::string current = text.substr(b + begin.size() + 1, e - (b + begin.size() + 1));
    std::string wanted = janus::abi::render_markdown();
    if (check) return current == wanted ? 0 : 1;
    std::ofstream(path) << text.substr(0, b + begin.size() + 1) << wanted << text.substr(e);
    return 0;
}
