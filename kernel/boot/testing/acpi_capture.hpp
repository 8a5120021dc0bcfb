// ACPI tables captured from QEMU's firmware (kernel/boot/testing/acpi/<configuration>/, written by
// capture_acpi.py): loads a capture's manifest and files, and places each table in a SparsePhys at the
// physical address it had, in a range of exactly its size (host only; tests, properties and fuzz seeds).
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernel/boot/testing/multiboot2_builder.hpp"
#include "kernel/boot/testing/sparse_phys.hpp"

namespace kernel::boot::testing::acpi {

struct CapturedTable {
    std::uint64_t pa;
    std::string file; ///< e.g. "APIC.bin"; the RSDP is "RSDP.bin" and comes first
    Bytes bytes;
};

struct Capture {
    std::string name;
    std::vector<CapturedTable> tables;

    std::uint64_t rsdp_pa() const { return tables.at(0).pa; }
    const CapturedTable& get(const std::string& file) const {
        for (const CapturedTable& t : tables)
            if (t.file == file) return t;
        throw std::out_of_range("capture " + name + " has no " + file);
    }
    bool has(const std::string& file) const {
        for (const CapturedTable& t : tables)
            if (t.file == file) return true;
        return false;
    }

    /// Every table at its address, each in a range of its own size.
    void install(SparsePhys& mem) const {
        for (const CapturedTable& t : tables) {
            mem.add(t.pa, t.bytes.size());
            mem.write(t.pa, t.bytes);
        }
    }
};

/// Load `<dir>/manifest.txt` ("<pa in hex> <file>" lines, '#' comments) and the files it names.
inline Capture load_capture(const std::string& dir, const std::string& name) {
    Capture c{name, {}};
    std::ifstream manifest(dir + "/" + name + "/manifest.txt");
    if (!manifest) throw std::runtime_error("cannot open " + dir + "/" + name + "/manifest.txt");
    std::string line;
    while (std::getline(manifest, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream in(line);
        std::string pa, file;
        in >> pa >> file;
        std::ifstream f(dir + "/" + name + "/" + file, std::ios::binary);
        if (!f) throw std::runtime_error("cannot open " + file);
        std::vector<char> raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        Bytes bytes(raw.size());
        for (std::size_t i = 0; i < raw.size(); ++i) bytes[i] = static_cast<std::byte>(raw[i]);
        c.tables.push_back({std::stoull(pa, nullptr, 16), file, std::move(bytes)});
    }
    if (c.tables.empty() || c.tables[0].file != "RSDP.bin")
        throw std::runtime_error(name + ": no RSDP first");
    return c;
}

/// The configurations capture_acpi.py writes.
inline const std::vector<std::string>& capture_names() {
    static const std::vector<std::string> names = {"pc-seabios", "q35-seabios", "pc-ovmf", "q35-ovmf",
                                                   "pc-seabios-hotplug"};
    return names;
}

} // namespace kernel::boot::testing::acpi
