#include "hostsim/schedule.hpp"

namespace hostsim {

namespace {

char letter(Choice c) {
    return static_cast<char>((c.kind == Choice::Kind::run ? 'a' : 'A') + c.cpu);
}

} // namespace

std::string encode_schedule(std::span<const Choice> schedule) {
    std::string out;
    for (std::size_t i = 0; i < schedule.size();) {
        std::size_t n = 1;
        while (i + n < schedule.size() && schedule[i + n] == schedule[i]) ++n;
        out += letter(schedule[i]);
        if (n > 1) out += std::to_string(n);
        i += n;
    }
    return out;
}

std::optional<std::vector<Choice>> decode_schedule(std::string_view text) {
    std::vector<Choice> out;
    std::size_t i = 0;
    while (i < text.size()) {
        char ch = text[i++];
        Choice c;
        if (ch >= 'a' && ch < static_cast<char>('a' + max_sim_cpus))
            c = Choice::run_cpu(ch - 'a');
        else if (ch >= 'A' && ch < static_cast<char>('A' + max_sim_cpus))
            c = Choice::drain_cpu(ch - 'A');
        else
            return std::nullopt;
        std::uint64_t n = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            n = n * 10 + static_cast<unsigned>(text[i++] - '0');
            if (++digits > 9) return std::nullopt;
        }
        if (digits == 0)
            n = 1;
        else if (n < 2)
            return std::nullopt; // "a1" and "a0" are never written
        out.insert(out.end(), n, c);
    }
    return out;
}

} // namespace hostsim
