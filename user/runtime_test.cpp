// The user runtime executing for real: the root task ELF, loaded with the kernel's own ELF loader
// (kernel/loader), runs in Unicorn; the syscall hook answers either from a tiny fake kernel or from the real
// kernel's dispatcher (kernel::testing::TestKernel, the root domain the objects work builds).
//
// What this proves before the kernel can enter ring 3: _start sets up its own stack and reaches main with the
// start words, the JANUS_TEST registry is complete, the stubs put numbers and arguments where the ABI says on
// a real (emulated) CPU, output lands in janus_user_debug_log, and the program ends through the exit
// convention (ud2 at janus_user_exit_fault with exit_marker in rax and the failure count in rdi).
//
// The fake kernel implements only cap_info on the root task's well-known selectors, pd_quota and bad_syscall
// for unknown numbers; everything else answers invalid_argument. So only the tests that need no more than
// that are expected to pass; the others fail, which the exit status must count exactly.
#include <elf.h>
#include <gtest/gtest.h>
#include <unicorn/unicorn.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kernel/abi/abi.hpp"
#include "kernel/loader/elf.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"
#include "user/lib/debug_log.hpp"
#include "user/lib/exit_marker.h"

namespace spec = janus::abi;
using namespace kernel::loader;

namespace {

std::vector<std::byte> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::memcpy(bytes.data(), chars.data(), chars.size());
    return bytes;
}

/// Symbol values from the ELF symbol table (host <elf.h>; test code, the image is our own build output).
std::map<std::string, std::uint64_t> symbols(const std::vector<std::byte>& image) {
    std::map<std::string, std::uint64_t> out;
    auto* base = reinterpret_cast<const unsigned char*>(image.data());
    Elf64_Ehdr eh;
    std::memcpy(&eh, base, sizeof eh);
    for (unsigned i = 0; i < eh.e_shnum; ++i) {
        Elf64_Shdr sh;
        std::memcpy(&sh, base + eh.e_shoff + i * sizeof sh, sizeof sh);
        if (sh.sh_type != SHT_SYMTAB) continue;
        Elf64_Shdr strtab;
        std::memcpy(&strtab, base + eh.e_shoff + sh.sh_link * sizeof strtab, sizeof strtab);
        for (std::uint64_t off = 0; off + sizeof(Elf64_Sym) <= sh.sh_size; off += sizeof(Elf64_Sym)) {
            Elf64_Sym sym;
            std::memcpy(&sym, base + sh.sh_offset + off, sizeof sym);
            out[reinterpret_cast<const char*>(base + strtab.sh_offset + sym.st_name)] = sym.st_value;
        }
    }
    return out;
}

/// The registers a syscall reads and writes (rax, then the argument/result registers).
struct Regs {
    std::uint64_t rax, rdi, rsi, rdx, r10, r8, r9;
};
using KernelModel = std::function<void(Regs&)>;

struct Machine {
    uc_engine* uc = nullptr;
    KernelModel kernel;
    std::vector<std::uint64_t> syscalls; ///< numbers, in order
    bool exited = false;
    std::uint64_t exit_rip = 0, exit_rax = 0, exit_rdi = 0;
    std::uint32_t other_interrupt = 0;

    ~Machine() {
        if (uc) uc_close(uc);
    }
    std::uint64_t reg(int r) {
        std::uint64_t v = 0;
        uc_reg_read(uc, r, &v);
        return v;
    }
    void set(int r, std::uint64_t v) { uc_reg_write(uc, r, &v); }
};

constexpr int syscall_registers[] = {UC_X86_REG_RAX, UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RDX,
                                     UC_X86_REG_R10, UC_X86_REG_R8,  UC_X86_REG_R9};

void on_syscall(uc_engine*, void* user) {
    auto& m = *static_cast<Machine*>(user);
    std::uint64_t v[7];
    for (int i = 0; i < 7; ++i) v[i] = m.reg(syscall_registers[i]);
    Regs r{v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
    m.syscalls.push_back(r.rax);
    m.kernel(r);
    const std::uint64_t out[7] = {r.rax, r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9};
    for (int i = 0; i < 7; ++i) m.set(syscall_registers[i], out[i]);
    // As syscall does: rcx = return address, r11 = rflags.
    m.set(UC_X86_REG_RCX, m.reg(UC_X86_REG_RIP) + 2);
    m.set(UC_X86_REG_R11, m.reg(UC_X86_REG_EFLAGS));
}

/// The fake kernel: cap_info on selectors 1..3 as the root-task contract says, bad_selector for other
/// selectors, a fixed pd_quota, bad_syscall for unknown numbers, invalid_argument for every other syscall.
/// Like the ABI demands, it writes result registers only on success.
void fake_kernel(Regs& r) {
    const std::uint64_t number = r.rax;
    r.rax = static_cast<std::uint64_t>(spec::Error::invalid_argument);
    if (spec::find(number) == nullptr) {
        r.rax = static_cast<std::uint64_t>(spec::Error::bad_syscall);
    } else if (number == static_cast<std::uint64_t>(spec::Syscall::pd_quota)) {
        r.rax = 0;
        r.rdi = 1 << 20; // limit
        r.rsi = 1 << 16; // used
    } else if (number == static_cast<std::uint64_t>(spec::Syscall::cap_info)) {
        static const std::map<std::uint64_t, spec::ObjectType> well_known = {
            {1, spec::ObjectType::pd}, {2, spec::ObjectType::thread}, {3, spec::ObjectType::irq_control}};
        auto it = well_known.find(r.rdi);
        if (it == well_known.end()) {
            r.rax = static_cast<std::uint64_t>(spec::Error::bad_selector);
        } else {
            r.rax = 0;
            r.rdi = static_cast<std::uint64_t>(it->second);
            r.rsi = spec::rights::all;
            r.rdx = 0;
        }
    }
}

void on_interrupt(uc_engine* uc, std::uint32_t intno, void* user) {
    auto& m = *static_cast<Machine*>(user);
    m.other_interrupt = intno; // the program should raise none but #UD (which Unicorn reports differently)
    uc_emu_stop(uc);
}

/// Load roottask.elf into a fresh engine and run it to its end with `kernel` answering its syscalls.
class RootTaskRun : public ::testing::Test {
protected:
    void run(KernelModel kernel) {
        m.kernel = std::move(kernel);
        image = read_file(JANUS_USER_ELF_DIR "/roottask.elf");
        ASSERT_GT(image.size(), 4096u);
        auto r = parse_elf(image.data(), image.size(), elf);
        ASSERT_TRUE(r.ok());
        syms = symbols(image);
        ASSERT_EQ(uc_open(UC_ARCH_X86, UC_MODE_64, &m.uc), UC_ERR_OK);
        std::vector<std::byte> page(page_size);
        for (const Segment& s : elf) {
            std::uint32_t prot = ((s.rights & spec::rights::read) ? UC_PROT_READ : 0) |
                                 ((s.rights & spec::rights::write) ? UC_PROT_WRITE : 0) |
                                 ((s.rights & spec::rights::exec) ? UC_PROT_EXEC : 0);
            ASSERT_EQ(uc_mem_map(m.uc, s.page_begin(), s.page_end() - s.page_begin(), prot), UC_ERR_OK);
            for (std::uint64_t va = s.page_begin(); va < s.page_end(); va += page_size) {
                ASSERT_TRUE(fill_page(image.data(), image.size(), s, va, page.data()));
                ASSERT_EQ(uc_mem_write(m.uc, va, page.data(), page_size), UC_ERR_OK);
            }
        }
        uc_hook h1, h2;
        ASSERT_EQ(uc_hook_add(m.uc, &h1, UC_HOOK_INSN, reinterpret_cast<void*>(on_syscall), &m, 1, 0,
                              UC_X86_INS_SYSCALL),
                  UC_ERR_OK);
        ASSERT_EQ(uc_hook_add(m.uc, &h2, UC_HOOK_INTR, reinterpret_cast<void*>(on_interrupt), &m, 1, 0),
                  UC_ERR_OK);
        // Garbage everywhere the start code must not rely on, start words in rdi, rsi, rdx.
        for (int reg : {UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RBX, UC_X86_REG_R12, UC_X86_REG_R15})
            m.set(reg, 0xdead00000000beef);
        m.set(UC_X86_REG_RDI, 0x1111);
        m.set(UC_X86_REG_RSI, 0x2222);
        m.set(UC_X86_REG_RDX, 0x3333);
        uc_err e = uc_emu_start(m.uc, elf.entry, 0, 0, 50'000'000);
        // Unicorn reports #UD by stopping with UC_ERR_INSN_INVALID, the registers as the fault left them.
        if (e == UC_ERR_INSN_INVALID) {
            std::uint8_t insn[2] = {};
            uc_mem_read(m.uc, m.reg(UC_X86_REG_RIP), insn, sizeof insn);
            m.exited = insn[0] == 0x0f && insn[1] == 0x0b; // ud2
            m.exit_rip = m.reg(UC_X86_REG_RIP);
            m.exit_rax = m.reg(UC_X86_REG_RAX);
            m.exit_rdi = m.reg(UC_X86_REG_RDI);
            e = UC_ERR_OK;
        }
        ASSERT_EQ(e, UC_ERR_OK) << uc_strerror(e) << " at rip 0x" << std::hex << m.reg(UC_X86_REG_RIP);
    }

    std::string debug_log() {
        janus::user::DebugLog log{};
        uc_mem_read(m.uc, syms.at("janus_user_debug_log"), &log, sizeof log);
        EXPECT_EQ(log.magic, janus::user::DebugLog::magic_value);
        EXPECT_EQ(log.dropped, 0u);
        return std::string(log.text, std::min<std::uint64_t>(log.length, sizeof log.text));
    }

    /// Per test line of the suite's output: "pass" or "FAIL".
    std::map<std::string, std::string> results() {
        std::map<std::string, std::string> out;
        std::string log = debug_log();
        for (std::size_t at = 0; (at = log.find("\n[", at)) != std::string::npos; ++at) {
            std::size_t end = log.find_first_of(" \n", at + 8);
            if (log.compare(at + 1, 7, "[pass] ") == 0) out[log.substr(at + 8, end - at - 8)] = "pass";
            if (log.compare(at + 1, 7, "[FAIL] ") == 0) out[log.substr(at + 8, end - at - 8)] = "FAIL";
        }
        return out;
    }

    std::vector<std::byte> image;
    ElfImage elf;
    std::map<std::string, std::uint64_t> syms;
    Machine m;
};

class RootTaskOnUnicorn : public RootTaskRun {
protected:
    void SetUp() override { run(fake_kernel); }
};

TEST_F(RootTaskOnUnicorn, EndsThroughTheExitConvention) {
    ASSERT_TRUE(m.exited) << "no #UD; other interrupt " << m.other_interrupt;
    EXPECT_EQ(m.exit_rip, syms.at("janus_user_exit_fault"));
    EXPECT_EQ(m.exit_rax, std::uint64_t{JANUS_USER_EXIT_MARKER});
}

TEST_F(RootTaskOnUnicorn, ReportsEveryRegisteredTestAndCountsFailuresInItsStatus) {
    ASSERT_TRUE(m.exited);
    std::string log = debug_log();
    // Each descriptor in janus_tests is {name, body, file, line}: 32 bytes.
    std::uint64_t registered = (syms.at("__stop_janus_tests") - syms.at("__start_janus_tests")) / 32;
    EXPECT_GE(registered, 25u);
    std::size_t passed = 0, failed = 0;
    for (std::size_t at = 0; (at = log.find("\n[", at)) != std::string::npos; ++at) {
        if (log.compare(at + 1, 7, "[pass] ") == 0) ++passed;
        if (log.compare(at + 1, 7, "[FAIL] ") == 0) ++failed;
    }
    EXPECT_EQ(passed + failed, registered) << log;
    EXPECT_NE(log.find(std::to_string(passed) + " passed, " + std::to_string(failed) + " failed\n"),
              std::string::npos)
        << log;
    EXPECT_EQ(m.exit_rdi, failed) << "exit status = number of failed tests";
}

TEST_F(RootTaskOnUnicorn, MainGetsTheStartWords) {
    EXPECT_NE(debug_log().find("(start words 0x1111 0x2222 0x3333)"), std::string::npos);
}

TEST_F(RootTaskOnUnicorn, TestsTheFakeKernelImplementsPass) {
    std::string log = debug_log();
    for (const char* name :
         {"cap_info_own_pd", "cap_info_own_thread", "cap_info_irq_control", "free_slots_are_empty",
          "unknown_syscall_numbers", "pd_quota_is_consistent", "syscall_preserves_registers"})
        EXPECT_NE(log.find(std::string("[pass] ") + name + "\n"), std::string::npos) << name << "\n" << log;
    // Everything else needs a real kernel: the fake answers invalid_argument.
    EXPECT_NE(log.find("[FAIL] endpoint_create_info_delete"), std::string::npos) << log;
}

TEST_F(RootTaskOnUnicorn, EverySyscallNumberComesFromTheSpecificationOrIsADeliberateProbe) {
    std::set<std::uint64_t> probes = {
        0, ~std::uint64_t{0}, (std::uint64_t{1} << 32) | static_cast<std::uint64_t>(spec::Syscall::cap_info)};
    std::uint64_t highest = 0;
    for (const auto& s : spec::syscalls) highest = std::max(highest, static_cast<std::uint64_t>(s.number));
    probes.insert(highest + 1);
    ASSERT_FALSE(m.syscalls.empty());
    for (std::uint64_t n : m.syscalls)
        EXPECT_TRUE(spec::find(n) != nullptr || probes.count(n)) << "syscall number 0x" << std::hex << n;
}

} // namespace

namespace {

/// The same ELF against the real kernel: every syscall goes through kernel::syscall() for the root thread of
/// a TestKernel (root domain with selectors 1..3, 1 MiB boot quota, 256 slots), which also runs the kernel's
/// invariant checker after each one.
class RootTaskOnTheKernel : public RootTaskRun {
protected:
    void SetUp() override {
        run([this](Regs& r) {
            kernel::testing::Outcome o =
                k.call(k.root_thread(), r.rax, {r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9});
            r = {o.regs.rax, o.regs.rdi, o.regs.rsi, o.regs.rdx, o.regs.r10, o.regs.r8, o.regs.r9};
        });
    }

    kernel::testing::TestKernel k;
};

TEST_F(RootTaskOnTheKernel, EveryRing3TestPasses) {
    ASSERT_TRUE(m.exited) << debug_log();
    std::map<std::string, std::string> r = results();
    EXPECT_GE(r.size(), 25u);
    for (const auto& [name, result] : r) EXPECT_EQ(result, "pass") << name;
    EXPECT_EQ(m.exit_rdi, 0u) << debug_log();
    EXPECT_TRUE(k.clean()) << (k.violations().empty() ? "" : k.violations().front());
}

} // namespace
