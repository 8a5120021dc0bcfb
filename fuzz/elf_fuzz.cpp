// libFuzzer target for the ELF loader (ctest elf.fuzz.elf): the input is a boot-module image.
//
// Each input is parsed from an exact-size heap copy (ASan sees any over-read). An accepted image must satisfy
// every acceptance rule, re-derived independently from its bytes (kernel/loader/testing/elf_check.hpp), and
// fill_page must work on the first and last page of every segment; a refusal must name a known kind, a field
// and a place inside the image. A violation aborts with a message, so libFuzzer saves the input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "kernel/loader/elf.hpp"
#include "kernel/loader/testing/elf_check.hpp"

using namespace kernel::loader;

namespace {

[[noreturn]] void violation(const std::string& what) {
    std::fprintf(stderr, "elf_fuzz: %s\n", what.c_str());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::unique_ptr<std::byte[]> image(new std::byte[size ? size : 1]);
    if (size) std::memcpy(image.get(), data, size);
    ElfImage parsed;
    auto r = parse_elf(image.get(), size, parsed);
    if (r) {
        std::string v = testing::check_accepted(image.get(), size, parsed);
        if (!v.empty()) violation("accepted a bad image: " + v);
        std::byte page[page_size];
        for (const Segment& s : parsed)
            if (!fill_page(image.get(), size, s, s.page_begin(), page) ||
                !fill_page(image.get(), size, s, s.page_end() - page_size, page))
                violation("fill_page refused a page of an accepted segment");
    } else {
        std::string v = testing::check_refused(size, r.error());
        if (!v.empty()) violation("malformed refusal: " + v);
        char text[256];
        kernel::BufferSink sink(text, sizeof text);
        put(sink, r.error());
    }
    return 0;
}
