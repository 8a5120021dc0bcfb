// Writes the hand-made seeds of fuzz/corpus/elf/ with the test-only image builder (kernel/loader/testing): a
// few valid layouts and images that each stop exactly one check. The corpus also holds a stripped copy of the
// root task (roottask.stripped.elf: llvm-strip of build/<preset>/user/roottask.elf).
//
//   elf_seeds <directory>        (built in the fuzz preset; the files are committed)
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "kernel/loader/testing/elf_builder.hpp"

namespace {

using namespace kernel::loader::testing;

void write(const std::string& dir, const std::string& name, const ElfBuilder& b) {
    std::vector<std::byte> bytes = b.build();
    std::ofstream out(dir + "/" + name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <directory>\n", argv[0]);
        return 2;
    }
    std::string dir = argv[1];

    write(dir, "good-two-segments", good_image());

    ElfBuilder one = good_image();
    one.headers.pop_back();
    one.contents.pop_back();
    write(dir, "good-text-only", one);

    ElfBuilder extra = good_image(); // headers that need no loading around the loadable ones
    ProgramHeader note, stack;
    note.type = 4;
    stack.type = 0x6474e551;
    stack.flags = 6;
    extra.headers.push_back(note);
    extra.headers.push_back(stack);
    extra.phoff = 0x280; // the table after the contents, so four headers fit
    write(dir, "good-with-note-and-stack", extra);

    ElfBuilder top = good_image(); // data ending exactly at the user-space boundary
    top.headers[1].vaddr = 0x0000800000000000 - 0x2000 + 0x200;
    top.headers[1].memsz = 0x2000 - 0x200;
    write(dir, "good-data-at-user-end", top);

    ElfBuilder wx = good_image();
    wx.headers[1].flags = 7;
    write(dir, "bad-writable-executable", wx);

    ElfBuilder shared = good_image();
    shared.headers[1].vaddr = 0x400200;
    shared.headers[1].memsz = 0x80;
    write(dir, "bad-shared-page", shared);

    ElfBuilder past = good_image();
    past.headers[1].filesz = 0x81;
    write(dir, "bad-bytes-past-end", past);

    ElfBuilder entry = good_image();
    entry.entry = 0x401200;
    write(dir, "bad-entry-in-data", entry);

    ElfBuilder dynamic = good_image();
    dynamic.headers[1].type = 2;
    write(dir, "bad-dynamic", dynamic);

    ElfBuilder pie = good_image();
    pie.type = 3;
    write(dir, "bad-pie", pie);

    ElfBuilder table = good_image();
    table.phoff_value = 0x280 - 56 + 8;
    write(dir, "bad-table-crosses-end", table);
    return 0;
}
