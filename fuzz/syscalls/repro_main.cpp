// syscalls_repro: a syscall fuzzer input as a readable C++ program, and optionally as a GoogleTest regression
// test (`./janus fuzz repro FILE [--write NAME]`, fuzz/README.md).
//
//   syscalls_repro [--smp] FILE                   the program the input makes, with each step's outcome
//   syscalls_repro [--smp] FILE --write NAME [--dir D]
//                                                 also writes D/NAME_test.cpp (D: fuzz/regressions)
//   syscalls_repro --census FILE|DIR...           which (syscall, status) pairs the inputs reach
//
// --smp reads a syscalls_smp input: the program is printed in the order the steps took the kernel lock, each
// with its CPU, followed by the schedule; the regression test runs each CPU's steps on that CPU and follows
// the recorded schedule as long as it applies.
//
// The program runs in a child process that streams each step before and after it runs, so an input that
// crashes the process (a sanitizer report, a kernel panic) still yields the steps up to and including the one
// that crashed (smp: the steps are sent when the run ends).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "fuzz/syscalls/program.hpp"
#include "fuzz/syscalls/sandbox.hpp"
#include "fuzz/syscalls/smp.hpp"
#include "hostsim/schedule.hpp"

namespace {

/// One line of the child's report: 'P' a step about to run, 'D' the step done (smp: with its CPU first),
/// 'F' the failure text, 'M' why the model stepped out, 'S' the schedule (smp), 'N' the CPU count (smp).
void send(int fd, char tag, std::string text) {
    for (char& c : text)
        if (c == '\n') c = '\x1f';
    text = std::string(1, tag) + text + "\n";
    for (std::size_t at = 0; at < text.size();) {
        ssize_t n = write(fd, text.data() + at, text.size() - at);
        if (n <= 0) return;
        at += static_cast<std::size_t>(n);
    }
}

[[noreturn]] void child(int fd, const std::vector<std::uint8_t>& input, bool smp) {
    fuzzsys::Sandbox w(fuzzsys::Sandbox::OnFailure::record,
                       smp ? fuzzsys::smp_options() : fuzzsys::Options{});
    if (smp) {
        fuzzsys::run_smp_program(w, input.data(), input.size());
        w.finish();
        send(fd, 'N', std::to_string(w.cpus()));
        for (const fuzzsys::Step& step : w.trace())
            send(fd, 'D', std::to_string(step.cpu) + fuzzsys::to_cpp(step));
        send(fd, 'S', hostsim::encode_schedule(w.machine().outcome().schedule));
    } else {
        w.set_step_hook([fd](const fuzzsys::Step& step, bool done) {
            send(fd, done ? 'D' : 'P', fuzzsys::to_cpp(step, done));
        });
        w.reset();
        fuzzsys::run_program(w, input.data(), input.size());
        w.finish();
    }
    if (w.failed()) send(fd, 'F', w.failure());
    if (!w.model_stepped_out().empty()) send(fd, 'M', w.model_stepped_out());
    close(fd);
    _exit(0);
}

std::string identifier(const std::string& name) {
    std::string out;
    for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "input_" + out;
    return out;
}

std::string commented(const std::string& text, const std::string& indent) {
    std::string out = indent + "// ";
    for (char c : text) out += c == '\x1f' || c == '\n' ? "\n" + indent + "// " : std::string(1, c);
    return out + "\n";
}

/// What the child reported.
struct Report {
    std::vector<std::pair<unsigned, std::string>> statements; ///< (CPU, statement) in execution order
    std::string failure, stepped_out, schedule;
    unsigned cpus = 1;
};

Report collect(const std::string& text, bool crashed, int status) {
    Report r;
    std::string pending;
    for (std::size_t at = 0; at < text.size();) {
        std::size_t end = text.find('\n', at);
        std::string line = text.substr(at, end - at);
        at = end == std::string::npos ? text.size() : end + 1;
        if (line.empty()) continue;
        std::string t = line.substr(1);
        switch (line[0]) {
        case 'P':
            pending = t;
            break;
        case 'D':
            if (!t.empty() && std::isdigit(static_cast<unsigned char>(t[0])) && r.cpus > 1)
                r.statements.emplace_back(unsigned(t[0] - '0'), t.substr(1));
            else
                r.statements.emplace_back(0, t);
            pending.clear();
            break;
        case 'F':
            r.failure = t;
            break;
        case 'M':
            r.stepped_out = t;
            break;
        case 'S':
            r.schedule = t;
            break;
        case 'N':
            r.cpus = static_cast<unsigned>(std::stoul(t));
            break;
        default:
            break;
        }
    }
    if (crashed && !pending.empty())
        r.statements.emplace_back(0, pending + "  // the process died in this step");
    if (crashed)
        r.failure = "the process died (" +
                    (WIFSIGNALED(status) ? std::string("signal ") + std::to_string(WTERMSIG(status))
                                         : "exit status " + std::to_string(WEXITSTATUS(status))) +
                    "; its report is above)" + (r.failure.empty() ? "" : ": " + r.failure);
    return r;
}

void print(const Report& r, const std::string& file, std::size_t bytes) {
    std::printf("// %s: %zu bytes, %zu steps", file.c_str(), bytes, r.statements.size());
    if (r.cpus > 1) std::printf(" on %u CPUs, in the order they took the kernel lock", r.cpus);
    std::printf(". Actor 0 is the root thread, actor n the n-th thread created.\n");
    std::printf("w.reset(%s);\n", r.cpus > 1 ? std::to_string(r.cpus).c_str() : "");
    for (const auto& [cpu, s] : r.statements)
        std::printf("%s%s\n", r.cpus > 1 ? ("/* cpu " + std::to_string(cpu) + " */ ").c_str() : "",
                    s.c_str());
    if (r.cpus > 1) std::printf("// schedule: %s\n", r.schedule.c_str());
    std::printf("w.finish();\n");
    if (!r.stepped_out.empty())
        std::printf("%s", commented("the model stepped out: " + r.stepped_out, "").c_str());
    std::printf(
        "%s",
        commented(r.failure.empty() ? "PASSED: every oracle holds" : "FAILED: " + r.failure, "").c_str());
}

bool write_test(const Report& r, const std::string& path, const std::string& id, const std::string& command,
                std::size_t bytes, bool smp) {
    std::ofstream out(path);
    out << "// Regression test written by `" << command << "`\n"
        << "// from a fuzz_" << (smp ? "syscalls_smp" : "syscalls") << " input of " << bytes
        << " bytes. When it was written:\n"
        << commented(r.failure.empty() ? "every oracle held" : r.failure, "")
        << "// Actor 0 is the root thread, actor n the n-th thread thread_create made. The comments show "
           "what the\n"
        << "// kernel returned when the test was written (and the model, where it disagreed); the test "
           "checks every\n"
        << "// oracle of the fuzzer (fuzz/syscalls/sandbox.hpp), not the comments.\n"
        << "#include <gtest/gtest.h>\n\n#include \"fuzz/syscalls/sandbox.hpp\"\n"
        << (smp ? "#include \"fuzz/syscalls/smp.hpp\"\n" : "") << "\n"
        << "namespace fuzzsys {\nnamespace {\n\nusing enum janus::abi::Syscall;\n\n"
        << "TEST(SyscallRegression, " << id << ") {\n";
    if (!smp) {
        out << "    Sandbox w(Sandbox::OnFailure::record);\n    w.reset();\n";
        for (const auto& [cpu, s] : r.statements) out << "    " << s << "\n";
    } else {
        out << "    Sandbox w(Sandbox::OnFailure::record, smp_options());\n    w.reset(" << r.cpus << ");\n"
            << "    std::vector<std::function<void()>> cpu(" << r.cpus << ");\n";
        for (unsigned c = 0; c < r.cpus; ++c) {
            out << "    cpu[" << c << "] = [&w] {\n";
            for (const auto& [on, s] : r.statements)
                if (on == c) out << "        " << s << "\n";
            out << "    };\n";
        }
        out << "    w.run_concurrently(cpu, \"" << r.schedule << "\");\n";
    }
    out << "    w.finish();\n    EXPECT_FALSE(w.failed()) << w.report();\n}\n\n"
        << "} // namespace\n} // namespace fuzzsys\n";
    return static_cast<bool>(out);
}

/// Runs every input (a directory stands for the files in it) and prints, per spec syscall, how often each
/// status came back (statuses of waits that ended later included); syscalls or (syscall, error) pairs of the
/// spec that no input reached are listed. Exit status 1 if a spec syscall was never reached or an input
/// failed an oracle: the ctest syscall.fuzz.census runs it over fuzz/corpus/syscalls.
int census(int argc, char** argv) {
    std::map<std::pair<fuzzsys::Word, janus::abi::Error>, std::uint64_t> seen;
    fuzzsys::Sandbox w(fuzzsys::Sandbox::OnFailure::record);
    std::vector<std::string> files;
    for (int i = 2; i < argc; ++i) {
        if (std::filesystem::is_directory(argv[i])) {
            std::vector<std::string> in_dir;
            for (const auto& e : std::filesystem::directory_iterator(argv[i]))
                if (e.is_regular_file()) in_dir.push_back(e.path().string());
            std::sort(in_dir.begin(), in_dir.end());
            files.insert(files.end(), in_dir.begin(), in_dir.end());
        } else {
            files.emplace_back(argv[i]);
        }
    }
    int inputs = 0, failed = 0;
    // Issue "Fast kernel paths": the fuzzer must reach both ways of each fast-pathed syscall. Calls of each
    // that went into the kernel, and how many of those the fast path took (kernel counters, read before the
    // next reset restores them).
    std::uint64_t made_call = 0, made_reply_recv = 0, fast_call = 0, fast_reply_recv = 0;
    for (const std::string& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::vector<std::uint8_t> input{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        w.reset();
        fuzzsys::run_program(w, input.data(), input.size());
        w.finish();
        ++inputs;
        if (w.failed()) {
            std::printf("FAILED %s: %s\n", file.c_str(), w.failure().c_str());
            ++failed;
        }
        for (const fuzzsys::Step& s : w.trace())
            if (s.kind == fuzzsys::Step::Kind::call && s.end == fuzzsys::Step::End::status)
                ++seen[{s.number, s.status}];
        for (const auto& [number, status] : w.wakeups()) ++seen[{number, status}];
        for (const fuzzsys::Step& s : w.trace()) {
            if (s.kind != fuzzsys::Step::Kind::call) continue;
            made_call += s.number == static_cast<fuzzsys::Word>(janus::abi::Syscall::ipc_call);
            made_reply_recv += s.number == static_cast<fuzzsys::Word>(janus::abi::Syscall::ipc_reply_recv);
        }
        fast_call += w.kernel().test.ipc_fastpath_calls;
        fast_reply_recv += w.kernel().test.ipc_fastpath_taken - w.kernel().test.ipc_fastpath_calls;
    }
    std::printf("%d inputs, %d failed\n", inputs, failed);
    int missing = 0;
    for (const janus::abi::SyscallSpec& spec : janus::abi::syscalls) {
        const auto number = static_cast<fuzzsys::Word>(spec.number);
        std::string reached, unreached;
        for (std::size_t e = 0; e < janus::abi::error_count; ++e) {
            const auto error = static_cast<janus::abi::Error>(e);
            const bool listed = e == 0 || (spec.error_mask >> e & 1);
            auto it = seen.find({number, error});
            if (it != seen.end())
                reached += " " + fuzzsys::error_name(error) + "=" + std::to_string(it->second);
            else if (listed)
                unreached += " " + fuzzsys::error_name(error);
        }
        std::printf("%-20s%s\n", spec.name, reached.empty() ? " NEVER REACHED" : reached.c_str());
        if (!unreached.empty()) std::printf("%-20s  unreached:%s\n", "", unreached.c_str());
        missing += reached.empty();
    }
    if (missing) std::printf("%d spec syscalls never reached\n", missing);
    std::printf(
        "ipc_call: fast path %llu, general path %llu; ipc_reply_recv: fast path %llu, general path %llu\n",
        static_cast<unsigned long long>(fast_call), static_cast<unsigned long long>(made_call - fast_call),
        static_cast<unsigned long long>(fast_reply_recv),
        static_cast<unsigned long long>(made_reply_recv - fast_reply_recv));
    const bool both_ways =
        fast_call > 0 && made_call > fast_call && fast_reply_recv > 0 && made_reply_recv > fast_reply_recv;
    if (!both_ways) std::printf("a fast-pathed syscall is reached only one way (fast or general)\n");
    return missing || failed || inputs == 0 || !both_ways ? 1 : 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "--census") return census(argc, argv);
    const char* usage = "usage: syscalls_repro [--smp] FILE [--write NAME [--dir DIR]] | --census FILE...\n";
    std::string file, name, dir = "fuzz/regressions";
    bool smp = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--write" && i + 1 < argc) {
            name = argv[++i];
        } else if (a == "--dir" && i + 1 < argc) {
            dir = argv[++i];
        } else if (a == "--smp") {
            smp = true;
        } else if (file.empty()) {
            file = a;
        } else {
            std::fprintf(stderr, "%s", usage);
            return 2;
        }
    }
    if (file.empty()) {
        std::fprintf(stderr, "%s", usage);
        return 2;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "syscalls_repro: cannot read %s\n", file.c_str());
        return 2;
    }
    std::vector<std::uint8_t> input{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};

    int fds[2];
    if (pipe(fds) != 0) return 2;
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(fds[1], input, smp);
    }
    close(fds[1]);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    const bool crashed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    const Report r = collect(text, crashed, status);
    print(r, file, input.size());

    if (!name.empty()) {
        const std::string id = identifier(name);
        const std::string path = dir + "/" + id + "_test.cpp";
        const std::string command = "./janus fuzz repro " + file + " --write " + name;
        std::error_code ignored;
        std::filesystem::create_directories(dir, ignored);
        if (!write_test(r, path, id, command, input.size(), smp)) {
            std::fprintf(stderr, "syscalls_repro: cannot write %s\n", path.c_str());
            return 2;
        }
        std::printf("// wrote %s (ctest fuzz.SyscallRegression.%s, label unit)\n", path.c_str(), id.c_str());
    }
    return r.failure.empty() ? 0 : 1;
}
