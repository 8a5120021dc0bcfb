#include "fuzz/syscalls/step.hpp"

#include <cinttypes>
#include <cstdio>

namespace fuzzsys {

const char* syscall_name(Word number) {
    const abi::SyscallSpec* s = abi::find(number);
    return s ? s->name : "bad_syscall";
}

bool may_change_on_error(Word number) {
    return number == static_cast<Word>(abi::Syscall::ipc_call) ||
           number == static_cast<Word>(abi::Syscall::ipc_reply_recv);
}

std::string error_name(abi::Error e) {
    auto i = static_cast<std::size_t>(e);
    if (i < abi::error_count) return abi::errors[i].name;
    return "error " + std::to_string(i);
}

namespace {

/// Small values in decimal, the rest in hex; all ones as ~0.
std::string value(Word v) {
    char buf[32];
    if (v == ~Word{0}) return "~0ull";
    if (v < 4096)
        std::snprintf(buf, sizeof buf, "%" PRIu64, v);
    else
        std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}

std::string list(const Word* v, std::size_t n) {
    std::string out = "{";
    for (std::size_t i = 0; i < n; ++i) out += (i ? ", " : "") + value(v[i]);
    return out + "}";
}

const char* field_name(Word f) {
    static const char* const names[utcb_field_count] = {"mr", "item", "reply_sel", "cap_window",
                                                        "mem_window"};
    return f < utcb_field_count ? names[f] : "?";
}

std::string outcome(const Step& s) {
    switch (s.end) {
    case Step::End::skipped:
        return "skipped: the actor could not run";
    case Step::End::waits:
        return "waits";
    case Step::End::status:
        break;
    }
    std::string out = error_name(s.status);
    const abi::SyscallSpec* spec = abi::find(s.number);
    if (s.status == abi::Error::ok && spec && spec->result_count)
        out += " " + list(s.out.data(), spec->result_count);
    if (s.modelled &&
        (s.model_status != s.status ||
         (s.status == abi::Error::ok && spec && spec->result_count &&
          (s.model_out[0] != s.out[0] || s.model_out[1] != s.out[1] || s.model_out[2] != s.out[2])))) {
        out += "; MODEL: " + error_name(s.model_status);
        if (s.model_status == abi::Error::ok && spec && spec->result_count)
            out += " " + list(s.model_out.data(), spec->result_count < 3 ? spec->result_count : 3);
    }
    return out;
}

} // namespace

std::string to_cpp(const Step& s, bool with_outcome) {
    std::string code;
    switch (s.kind) {
    case Step::Kind::call: {
        const abi::SyscallSpec* spec = abi::find(s.number);
        std::size_t n = abi::max_args;
        if (spec) n = spec->arg_count;
        while (n > 0 && s.arg[n - 1] == 0 && !spec) --n;
        // Arguments past the spec's count are ignored by the kernel; show them only if the generator set any.
        std::size_t shown = n;
        for (std::size_t i = n; i < abi::max_args; ++i)
            if (s.arg[i]) shown = i + 1;
        if (spec)
            code = "w.call(" + std::to_string(s.actor) + ", " + spec->name + ", " +
                   list(s.arg.data(), shown) + ");";
        else
            code = "w.call_number(" + std::to_string(s.actor) + ", " + value(s.number) + ", " +
                   list(s.arg.data(), shown) + ");";
        return with_outcome ? code + "  // " + outcome(s) : code;
    }
    case Step::Kind::advance:
        return "w.advance(" + value(s.arg[0]) + ");";
    case Step::Kind::interrupt:
        return "w.interrupt(" + value(s.arg[0]) + ");";
    case Step::Kind::utcb:
        code = "w.utcb(" + std::to_string(s.actor) + ", UtcbField::" + field_name(s.number) + ", " +
               value(s.arg[0]) + ", " + value(s.arg[1]) + ");";
        if (with_outcome && s.end == Step::End::skipped) code += "  // " + outcome(s);
        return code;
    }
    return code;
}

std::string to_cpp(const std::vector<Step>& steps, const std::string& indent) {
    std::string out;
    for (const Step& s : steps) {
        out += indent;
        if (s.cpu) out += "/* cpu " + std::to_string(s.cpu) + " */ ";
        out += to_cpp(s) + "\n";
    }
    return out;
}

} // namespace fuzzsys
