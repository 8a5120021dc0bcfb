#!/usr/bin/env python3
"""Boot Janus in QEMU (TCG, or KVM with --accel kvm) and judge the serial log, or boot it interactively.

    qemu_boot.py check --boot pvh|bios|uefi --image FILE [--append ARGS] [--version V]
                       [--expect-exception VECTOR [--expect-cr2 ADDR]] [--timeout S] [--log FILE]
    qemu_boot.py screen --boot pvh|bios|uefi --image FILE [--font PSF] [--timeout S]
    qemu_boot.py selftest --boot pvh --image FILE --append janus.selftest=NAME [--min-passed N]
                       [--timeout S] [--log FILE]
    qemu_boot.py wx --boot pvh|bios|uefi --image FILE [--append janus.selftest=layout|wx|wx-rodata]
                       [--expect-wx ADDR | --expect-mismatch RANGE] [--timeout S]
    qemu_boot.py run   --boot pvh|bios|uefi --image FILE [--append ARGS]
    qemu_boot.py command --boot ... --image ...          (print the QEMU command line)

Every mode also takes [--accel tcg|kvm] [--cpu MODEL].

Boots: pvh = the ELF through `-kernel` (PVH entry), bios = the ISO under SeaBIOS, uefi = the ISO under OVMF
(read-only code flash plus a private writable copy of the variable store).

Accelerators: --accel tcg (the default) emulates the CPU, with QEMU's default CPU model (qemu64) unless --cpu
names another (e.g. `max` for SMEP, SMAP and UMIP). --accel kvm runs on the host CPU through /dev/kvm, with
`-cpu host,-arch-capabilities` unless --cpu names a model (QEMU 7.2 aborts on plain `-cpu host` when KVM
refuses MSR 0x10a, IA32_ARCH_CAPABILITIES). It needs hardware KVM (kvm_intel or kvm_amd): whether this
machine's /dev/kvm is usable is for the caller to decide (./janus test does); when a KVM run fails here and
the host's KVM is not hardware KVM, the failure says so.

`check` passes when QEMU exits with the expected isa-debug-exit status and the log shows the banner
"Janus <version> (build <16 hex digits>)", the boot protocol, the console, memory-map lines and
"Janus: boot complete", with no exception dump. With --expect-exception it instead requires exit status 39
and a complete dump for that vector, and proves the ordinary check would have rejected the run. A run that
does not end within the timeout is a hang: QEMU is killed and the log tail printed.

`screen` checks the screen console through the QEMU monitor: it boots without the exit device (so the kernel
halts instead of ending QEMU), waits for "Janus: boot complete" on serial, then reads the screen — EGA text
memory with `xp` (pvh, bios) or the framebuffer with `screendump` (uefi, drawn here from the PSF font
independently of the kernel) — and requires the first screen rows to show the kernel's first serial lines.

`selftest` boots a kernel self-test (janus.selftest=NAME, arch/x86_64/selftest/) and passes when QEMU exits 33,
the log shows no exception dump and no FAIL line, and the summary "selftest NAME: P passed, 0 failed" matches
the PASS lines printed, with P at least --min-passed (so a run that silently skipped its checks fails).
--cpu picks the QEMU CPU model (e.g. `max` for SMEP, SMAP and UMIP under TCG).

`wx` boots without the exit device, waits for "Janus: boot complete", reads the live page tables with the
monitor's `info tlb` and checks them (W^X): no page of the upper half is writable and executable or
user-accessible, and every range the kernel reported ("paging: <name> <start>-<end> <rights>", printed with
janus.selftest=layout) has exactly those rights page by page ("---": nothing mapped). `info tlb` shows leaf
entries only; the kernel's non-leaf entries are fully permissive (arch/x86_64/pte_encoding.hpp), so a leaf's
rights are the page's. --expect-wx ADDR passes only if the single problem found is the writable+executable
page at ADDR (janus.selftest=wx plants one); --expect-mismatch NAME only if the single problem is the first
page of the reported range NAME having other rights (janus.selftest=wx-rodata makes .rodata's writable).

`run` puts the serial line on this terminal (Ctrl-A X quits QEMU, Ctrl-A C switches to its monitor) and
returns when the kernel stops; its exit status is 0 when the kernel reported success.

Only the Python standard library is used. Statuses (docs/boot.md): QEMU exits (value << 1) | 1 for a value
written to port 0xf4, so 33 success, 35 failure, 37 panic, 39 exception.
"""
import argparse
import gzip
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

EXIT_SUCCESS, EXIT_FAILURE, EXIT_PANIC, EXIT_EXCEPTION = 33, 35, 37, 39
STATUS_NAMES = {EXIT_SUCCESS: "success", EXIT_FAILURE: "failure", EXIT_PANIC: "panic",
                EXIT_EXCEPTION: "exception"}

# Mnemonics from the Intel SDM, vol. 3, table 6-1 (for the vectors the self-tests raise and a few more).
EXCEPTION_MNEMONICS = {0: "#DE", 3: "#BP", 6: "#UD", 8: "#DF", 13: "#GP", 14: "#PF", 18: "#MC"}

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

BANNER = re.compile(r"^Janus (\S+) \(build ([0-9a-f]{16})\)$", re.M)
DUMP_HEADER = re.compile(r"^EXCEPTION (\d+) (\S+) \(([^)]*)\) on CPU (\d+), error code (0x[0-9a-f]+)$", re.M)
MEMORY_LINE = re.compile(r"^memory: \[0x[0-9a-f]+, 0x[0-9a-f]+\) \S", re.M)
USABLE_SUMMARY = re.compile(r"^boot: \d+ \S+ usable in (\d+) regions$", re.M)
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
REGISTER_LINES = [re.compile(p, re.M) for p in (
    r"^rip 0x[0-9a-f]{16} cs 0x[0-9a-f]{4} rflags 0x[0-9a-f]{8,} rsp 0x[0-9a-f]{16} ss 0x[0-9a-f]{4}$",
    r"^rax 0x[0-9a-f]{16} rbx 0x[0-9a-f]{16} rcx 0x[0-9a-f]{16} rdx 0x[0-9a-f]{16}$",
    r"^rsi 0x[0-9a-f]{16} rdi 0x[0-9a-f]{16} rbp 0x[0-9a-f]{16} r8  0x[0-9a-f]{16}$",
    r"^r9  0x[0-9a-f]{16} r10 0x[0-9a-f]{16} r11 0x[0-9a-f]{16} r12 0x[0-9a-f]{16}$",
    r"^r13 0x[0-9a-f]{16} r14 0x[0-9a-f]{16} r15 0x[0-9a-f]{16}$")]

# What each boot must show about itself: the protocol the kernel saw and the screen it chose.
EXPECTED_LINES = {
    "pvh": [r"^boot: PVH$", r"^console: COM1 and EGA text 80x25$"],
    "bios": [r"^boot: multiboot2 from GRUB", r"^console: COM1 and EGA text 80x25$"],
    "uefi": [r"^boot: multiboot2 from GRUB", r"^console: COM1 and framebuffer \d+x\d+x\d+ at 0x[0-9a-f]+ "],
}


# --accel kvm without --cpu: the host CPU, minus the MSR QEMU 7.2 cannot set under KVM (see the docstring).
KVM_DEFAULT_CPU = "host,-arch-capabilities"


# The machine every mode boots: set once from --machine, --smp and --memory (main()).
MACHINE = {"machine": None, "smp": None, "memory": "256M"}


def qemu_command(boot, image, append, vars_copy, interactive, monitor_socket=None, cpu=None, module=None,
                 accel="tcg"):
    cmd = ["qemu-system-x86_64", "-accel", accel, "-m", MACHINE["memory"], "-no-reboot", "-nic", "none",
           "-display", "none"]
    if MACHINE["machine"]:
        cmd += ["-machine", MACHINE["machine"]]
    if MACHINE["smp"]:
        cmd += ["-smp", str(MACHINE["smp"])]
    if cpu:
        cmd += ["-cpu", cpu]
    if monitor_socket:  # screen check: no exit device, the kernel halts and QEMU waits for the monitor
        cmd += ["-serial", "stdio", "-monitor", f"unix:{monitor_socket},server,nowait"]
    else:
        cmd += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        cmd += ["-serial", "mon:stdio"] if interactive else ["-serial", "stdio", "-monitor", "none"]
    if boot == "pvh":
        cmd += ["-kernel", image]
        if append:
            cmd += ["-append", append]
        if module:  # PVH hands it over as the first entry of hvm_start_info's module list
            cmd += ["-initrd", module]
    else:
        if append:
            raise SystemExit("qemu_boot: --append works only with --boot pvh (the ISO's GRUB entry has its own)")
        if module:
            raise SystemExit("qemu_boot: --module works only with --boot pvh (the ISO carries the root task)")
        if boot == "uefi":
            cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                    "-drive", f"if=pflash,format=raw,file={vars_copy}"]
        cmd += ["-boot", "order=d", "-cdrom", image]
    return cmd


def clean(raw):
    """Serial bytes as text lines: GRUB's terminal escapes and carriage returns removed."""
    text = raw.decode("utf-8", errors="replace")
    return ANSI_ESCAPE.sub("", text).replace("\r", "")


def verdict_success(log, status, boot, version, want=EXIT_SUCCESS):
    """Problems with a run that should have booted normally and ended with `want` (empty list: it did)."""
    problems = []
    if status != want:
        problems.append(f"exit status {status} ({STATUS_NAMES.get(status, 'not a kernel status')}), "
                        f"expected {want} ({STATUS_NAMES[want]})")
    banner = BANNER.search(log)
    if not banner:
        problems.append("no banner 'Janus <version> (build <id>)'")
    elif version and banner.group(1) != version:
        problems.append(f"banner names version {banner.group(1)}, expected {version}")
    dump = DUMP_HEADER.search(log) or re.search(r"^EXCEPTION", log, re.M)
    if dump:
        problems.append(f"exception dump: {dump.group(0)}")
    if "PANIC" in log or "boot information rejected" in log:
        problems.append("kernel panic or rejected boot information")
    for pattern in EXPECTED_LINES[boot]:
        if not re.search(pattern, log, re.M):
            problems.append(f"no line matching /{pattern}/")
    memory_lines = len(MEMORY_LINE.findall(log))
    summary = USABLE_SUMMARY.search(log)
    if memory_lines == 0:
        problems.append("no memory-map lines")
    elif not summary or int(summary.group(1)) != memory_lines:
        problems.append(f"{memory_lines} memory-map lines but summary says "
                        f"{summary.group(1) if summary else 'nothing'}")
    if not re.search(r"^Janus: boot complete$", log, re.M):
        problems.append("no 'Janus: boot complete'")
    return problems


def verdict_exception(log, status, vector, cr2):
    """Problems with a run that should have stopped on exception `vector`."""
    problems = []
    if status != EXIT_EXCEPTION:
        problems.append(f"exit status {status}, expected {EXIT_EXCEPTION} (exception)")
    if not BANNER.search(log):
        problems.append("no banner")
    dumps = DUMP_HEADER.findall(log)
    if len(dumps) != 1:
        problems.append(f"{len(dumps)} exception dumps, expected exactly 1")
    else:
        got_vector, mnemonic = int(dumps[0][0]), dumps[0][1]
        if got_vector != vector:
            problems.append(f"dump names vector {got_vector}, expected {vector}")
        expected_mnemonic = EXCEPTION_MNEMONICS.get(vector)
        if expected_mnemonic and mnemonic != expected_mnemonic:
            problems.append(f"dump names {mnemonic}, expected {expected_mnemonic}")
    for line in REGISTER_LINES:
        if not line.search(log):
            problems.append(f"register dump lacks a line matching /{line.pattern}/")
    if cr2 is not None:
        m = re.search(r"^cr2 (0x[0-9a-f]+) ", log, re.M)
        if not m or int(m.group(1), 16) != cr2:
            problems.append(f"cr2 {m.group(1) if m else 'missing'}, expected {cr2:#x}")
    return problems


SUITE_SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)
SUITE_RESULT = re.compile(r"^\[(pass|FAIL)\] (\S+)", re.M)


def verdict_suite(log, min_passed):
    """Problems with the root task's ring-3 suite (user/lib/test.hpp prints one line per test and the summary;
    the kernel reports the root task's exit, docs/user.md)."""
    problems = []
    summaries = SUITE_SUMMARY.findall(log)
    results = SUITE_RESULT.findall(log)
    passed = [name for verdict, name in results if verdict == "pass"]
    failed = [name for verdict, name in results if verdict == "FAIL"]
    problems += [f"ring-3 test failed: {name}" for name in failed]
    if len(summaries) != 1:
        problems.append(f"{len(summaries)} summary lines 'N passed, M failed', expected 1")
    elif (int(summaries[0][0]), int(summaries[0][1])) != (len(passed), 0):
        problems.append(f"summary says {summaries[0][0]} passed, {summaries[0][1]} failed; the log shows "
                        f"{len(passed)} [pass] and {len(failed)} [FAIL] lines")
    if len(set(passed)) != len(passed):
        problems.append("a ring-3 test reported more than once")
    if len(passed) < min_passed:
        problems.append(f"only {len(passed)} ring-3 tests passed, expected at least {min_passed}")
    if not re.search(r"^Janus: the root task exited with status 0 \(success\)$", log, re.M):
        problems.append("no 'Janus: the root task exited with status 0 (success)'")
    return problems


def verdict_sequence(log, patterns):
    """Problems unless lines matching `patterns` appear in this order (other lines may come between)."""
    lines = log.splitlines()
    at = 0
    for pattern in patterns:
        regex = re.compile(pattern)
        while at < len(lines) and not regex.search(lines[at]):
            at += 1
        if at == len(lines):
            return [f"no line matching {pattern!r} after the lines before it in --expect-sequence"]
        at += 1
    return []


def sequence_file(path):
    """The regular expressions of an expectations file ("<where> <regex>" per line, # comments), by console
    (user/system/system.expect): each console's in order. QEMU's serial log has every console's lines."""
    if not path:
        return {}
    patterns = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where, _, regex = line.partition(" ")
            if where not in ("kernel", "uart") or not regex:
                raise SystemExit(f"{path}: not '<kernel|uart> <regex>': {line!r}")
            patterns.setdefault(where, []).append(regex)
    return patterns


def verdict_panic(log, status, pattern):
    """Problems with a run that should have stopped with a clear message and the panic status."""
    problems = []
    if status != EXIT_PANIC:
        problems.append(f"exit status {status} ({STATUS_NAMES.get(status, 'not a kernel status')}), "
                        f"expected {EXIT_PANIC} (panic)")
    if not BANNER.search(log):
        problems.append("no banner")
    if re.search(r"^EXCEPTION", log, re.M):
        problems.append("an exception dump: the kernel crashed instead of refusing")
    if not re.search(pattern, log, re.M):
        problems.append(f"no line matching /{pattern}/")
    if re.search(r"^Janus: boot complete$", log, re.M):
        problems.append("'Janus: boot complete' although the boot should have been refused")
    return problems


def prepare_module(args, tmp):
    """The module file to boot with: --module as is, or a corrupted copy (--module-truncate, --module-not-elf)."""
    if args.module_not_elf:
        path = os.path.join(tmp, "not-an-elf.txt")
        with open(path, "w") as f:
            f.write("This boot module is plain text, not an ELF executable.\n" * 64)
        return path
    if args.module and args.module_truncate is not None:
        path = os.path.join(tmp, "truncated.elf")
        with open(args.module, "rb") as src, open(path, "wb") as dst:
            dst.write(src.read(args.module_truncate))
        return path
    return args.module


# The kernel runs at most this many CPUs (arch/cpu.hpp max_cpus) and says so for the rest.
KERNEL_MAX_CPUS = 64
CPU_ONLINE = re.compile(r"^cpu (\d+): apic id (\d+) online$", re.M)


def verdict_cpus(log, smp):
    """Every CPU QEMU gave (up to the kernel's limit) must be announced online once, numbered 1..n-1 in order,
    each with its own APIC ID; beyond the limit the kernel must say that the rest stay off."""
    want = min(smp, KERNEL_MAX_CPUS)
    online = [(int(n), int(a)) for n, a in CPU_ONLINE.findall(log)]
    problems = []
    if [n for n, _ in online] != list(range(1, want)):
        problems.append(f"CPUs announced online: {[n for n, _ in online]}, expected 1..{want - 1} "
                        f"(-smp {smp})")
    if len({a for _, a in online}) != len(online):
        problems.append(f"two CPUs announced with one APIC ID: {online}")
    if smp > KERNEL_MAX_CPUS and not re.search(r"^smp: \d+ CPUs listed, this kernel runs at most", log, re.M):
        problems.append(f"-smp {smp} exceeds the kernel's {KERNEL_MAX_CPUS} CPUs and it did not say so")
    return problems


def boot_and_capture(cmd, timeout):
    """Run QEMU; return (serial bytes, exit status or None on a hang)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return out, proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        return out, None


def check(args):
    with tempfile.TemporaryDirectory(prefix="janus-hwtest-") as tmp:
        vars_copy = os.path.join(tmp, "OVMF_VARS.fd")
        if args.boot == "uefi":
            shutil.copyfile(OVMF_VARS, vars_copy)
        module = prepare_module(args, tmp)
        cmd = qemu_command(args.boot, args.image, args.append, vars_copy, interactive=False, module=module,
                           cpu=args.cpu, accel=args.accel)
        print("qemu_boot: " + " ".join(cmd), flush=True)
        raw, status = boot_and_capture(cmd, args.timeout)
    log = clean(raw)
    if args.log:
        os.makedirs(os.path.dirname(os.path.abspath(args.log)), exist_ok=True)
        with open(args.log, "w") as f:
            f.write(log)

    if status is None:
        problems = [f"hang: QEMU did not exit within {args.timeout} s and was killed"]
    elif args.expect_panic is not None:
        problems = verdict_panic(log, status, args.expect_panic)
        # The ordinary check must reject this run too, for its status.
        ordinary = verdict_success(log, status, args.boot, args.version)
        if not any(p.startswith("exit status") for p in ordinary):
            problems.append("the ordinary check did not report the panic status: " + "; ".join(ordinary))
    elif args.expect_exception is not None:
        problems = verdict_exception(log, status, args.expect_exception, args.expect_cr2)
        # The negative check must also prove that an ordinary check rejects this run, for the right reason.
        ordinary = verdict_success(log, status, args.boot, args.version)
        if not any(p.startswith("exception dump") for p in ordinary):
            problems.append("the ordinary check did not report the exception dump: " + "; ".join(ordinary))
    else:
        want = EXIT_FAILURE if args.expect_status == "failure" else EXIT_SUCCESS
        problems = verdict_success(log, status, args.boot, args.version, want)
        if args.smp:
            problems += verdict_cpus(log, args.smp)
        for pattern in args.expect_line or []:
            if not re.search(pattern, log, re.M):
                problems.append(f"no line matching {pattern!r}")
        problems += verdict_sequence(log, args.expect_sequence or [])
        # Each console's lines in their order; QEMU's serial log interleaves the consoles unpredictably.
        for patterns in sequence_file(args.expect_sequence_file).values():
            problems += verdict_sequence(log, patterns)
        if args.expect_suite is not None:
            problems += verdict_suite(log, args.expect_suite)

    if args.results:
        # Per-test results for comparisons with other runs of the same suite (hostsim: usermode.*).
        with open(args.results, "w") as f:
            for verdict, name in SUITE_RESULT.findall(log):
                f.write(f"{verdict} {name}\n")

    if problems:
        tail = "\n".join(log.splitlines()[-40:])
        print(f"--- serial log (last 40 lines) ---\n{tail}\n---", flush=True)
        for p in problems:
            print(f"FAIL: {p}")
        return 1
    what = f"exception {args.expect_exception}" if args.expect_exception is not None else "boot"
    if args.expect_panic is not None:
        what = "refused boot (panic)"
    elif args.expect_suite is not None:
        summary = SUITE_SUMMARY.search(log)
        what = f"boot, ring-3 suite {summary.group(1)} passed, {summary.group(2)} failed"
    print(f"PASS: {args.boot} {what}, QEMU exit status {status} ({STATUS_NAMES.get(status)})")
    return 0


SELFTEST_RESULT = re.compile(r"^selftest (\S+): (PASS|FAIL|SKIP) (.*)$", re.M)
SELFTEST_SUMMARY = re.compile(r"^selftest (\S+): (\d+) passed, (\d+) failed$", re.M)


def verdict_selftest(log, status, name, min_passed):
    """Problems with a self-test run (empty list: every check passed)."""
    problems = []
    if status != EXIT_SUCCESS:
        problems.append(f"exit status {status} ({STATUS_NAMES.get(status, 'not a kernel status')}), "
                        f"expected {EXIT_SUCCESS} (success)")
    if not BANNER.search(log):
        problems.append("no banner")
    dump = re.search(r"^EXCEPTION.*$", log, re.M)
    if dump:
        problems.append(f"exception dump: {dump.group(0)}")
    results = [(suite, verdict, what) for suite, verdict, what in SELFTEST_RESULT.findall(log) if suite == name]
    passed = [what for _, verdict, what in results if verdict == "PASS"]
    problems += [f"check failed: {what}" for _, verdict, what in results if verdict == "FAIL"]
    summaries = [(int(p), int(f)) for suite, p, f in SELFTEST_SUMMARY.findall(log) if suite == name]
    if len(summaries) != 1:
        problems.append(f"{len(summaries)} summary lines 'selftest {name}: P passed, F failed', expected 1")
    elif summaries[0] != (len(passed), 0):
        problems.append(f"summary says {summaries[0][0]} passed, {summaries[0][1]} failed; "
                        f"the log shows {len(passed)} PASS lines")
    if len(passed) < min_passed:
        problems.append(f"only {len(passed)} checks passed, expected at least {min_passed}")
    return problems


def selftest(args):
    match = re.search(r"janus\.selftest=(\S+)", args.append)
    if args.boot != "pvh" or not match:
        raise SystemExit("qemu_boot: selftest needs --boot pvh and --append janus.selftest=NAME")
    cmd = qemu_command(args.boot, args.image, args.append, None, interactive=False, cpu=args.cpu,
                       module=args.module, accel=args.accel)
    print("qemu_boot: " + " ".join(cmd), flush=True)
    raw, status = boot_and_capture(cmd, args.timeout)
    log = clean(raw)
    if args.log:
        os.makedirs(os.path.dirname(os.path.abspath(args.log)), exist_ok=True)
        with open(args.log, "w") as f:
            f.write(log)
    if status is None:
        problems = [f"hang: QEMU did not exit within {args.timeout} s and was killed"]
    else:
        problems = verdict_selftest(log, status, match.group(1), args.min_passed)
    for line in SELFTEST_RESULT.finditer(log):
        print(line.group(0))
    if problems:
        tail = "\n".join(log.splitlines()[-40:])
        print(f"--- serial log (last 40 lines) ---\n{tail}\n---", flush=True)
        for p in problems:
            print(f"FAIL: {p}")
        return 1
    print(f"PASS: selftest {match.group(1)}, QEMU exit status {status}")
    return 0


LAYOUT_LINE = re.compile(r"^paging: (\S+) 0x([0-9a-f]+)-0x([0-9a-f]+) ([r-][w-][x-]|---)$", re.M)
TLB_LINE = re.compile(r"^([0-9a-f]{16}): ([0-9a-f]{16}) ([X-])([G-])([P-])([D-])([A-])([C-])([T-])([U-])([W-])$", re.M)
PAGE = 0x1000
UPPER_HALF = 0xffff800000000000


def tlb_entries(text):
    """[(va, end, writable, executable, user)] from `info tlb`, sorted. A large page ('P') covers 2 MiB, or
    1 GiB when 1 GiB-aligned and nothing else starts inside that span."""
    raw = [(int(m.group(1), 16), m) for m in TLB_LINE.finditer(text)]
    raw.sort(key=lambda e: e[0])
    entries = []
    for i, (va, m) in enumerate(raw):
        size = PAGE
        if m.group(5) == "P":
            following = raw[i + 1][0] if i + 1 < len(raw) else None
            size = 1 << 30 if va % (1 << 30) == 0 and (following is None or following - va >= 1 << 30) else 1 << 21
        entries.append((va, va + size, m.group(11) == "W", m.group(3) != "X", m.group(10) == "U"))
    return entries


def rights_text(writable, executable):
    return "r" + ("w" if writable else "-") + ("x" if executable else "-")


def wx_problems(entries, layout):
    """[(kind, page, message)] for W+X pages, user pages in the upper half, and reported ranges whose live
    rights differ."""
    problems = []
    for va, end, w, x, u in entries:
        if w and x:
            problems.append(("wx", va, f"{va:#x}-{end:#x} is writable and executable"))
        if u and va >= UPPER_HALF:
            problems.append(("user", va, f"{va:#x}-{end:#x} in the kernel half is user-accessible"))
    for name, start, end, rights in layout:
        inside = [e for e in entries if e[0] < end and e[1] > start]
        if rights == "---":
            for va, e_end, *_ in inside:
                problems.append(("mismatch", max(va, start), f"{name} {start:#x}-{end:#x} should be unmapped, "
                                                             f"but {va:#x}-{e_end:#x} is mapped"))
            continue
        cursor = start
        for va, e_end, w, x, u in inside:
            if va > cursor:
                problems.append(("mismatch", cursor, f"{name}: {cursor:#x}-{va:#x} is not mapped, "
                                                     f"expected {rights}"))
            if rights_text(w, x) != rights:
                problems.append(("mismatch", max(va, start), f"{name}: {max(va, start):#x}-{min(e_end, end):#x} "
                                                             f"is {rights_text(w, x)}, the kernel reports {rights}"))
            cursor = max(cursor, e_end)
        if cursor < end:
            problems.append(("mismatch", cursor, f"{name}: {cursor:#x}-{end:#x} is not mapped, expected {rights}"))
    return problems


def wx(args):
    problems, layout = [], []
    with tempfile.TemporaryDirectory(prefix="janus-wx-") as tmp:
        vars_copy, sock = os.path.join(tmp, "OVMF_VARS.fd"), os.path.join(tmp, "monitor.sock")
        if args.boot == "uefi":
            shutil.copyfile(OVMF_VARS, vars_copy)
        cmd = qemu_command(args.boot, args.image, args.append, vars_copy, interactive=False, monitor_socket=sock,
                           cpu=args.cpu, module=args.module, accel=args.accel)
        print("qemu_boot: " + " ".join(cmd), flush=True)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        serial = bytearray()

        def read_serial():
            for chunk in iter(lambda: proc.stdout.read1(4096), b""):
                serial.extend(chunk)

        reader = threading.Thread(target=read_serial, daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + args.timeout
            while b"Janus: boot complete" not in serial and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.2)  # the kernel halts right after the line
            log = clean(bytes(serial))
            if "Janus: boot complete" not in log:
                problems.append(("boot", 0, f"no 'Janus: boot complete' within {args.timeout} s"))
            else:
                monitor = Monitor(sock, 30)
                entries = tlb_entries(monitor.command("info tlb"))
                monitor.command("quit")
                layout = [(m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4))
                          for m in LAYOUT_LINE.finditer(log)]
                names = {name for name, *_ in layout}
                for required in ("text", "rodata", "data", "guard", "direct-map"):
                    if required not in names:
                        problems.append(("layout", 0, f"the kernel reported no '{required}' range "
                                                      f"(boot with janus.selftest=layout)"))
                if not entries:
                    problems.append(("tlb", 0, "info tlb showed no mappings"))
                problems += wx_problems(entries, layout)
                print(f"qemu_boot: {len(entries)} leaf entries, {len(layout)} reported ranges")
        finally:
            proc.kill()
            proc.wait()
            reader.join(5)

    if args.expect_wx is not None or args.expect_mismatch is not None:
        if args.expect_wx is not None:
            want = [("wx", args.expect_wx)]
        else:
            named = [start for name, start, *_ in layout if name == args.expect_mismatch] if not any(
                k in ("boot", "layout", "tlb") for k, *_ in problems) else []
            want = [("mismatch", named[0])] if named else [("mismatch", None)]
        got = [(kind, page) for kind, page, _ in problems]
        for _, _, message in problems:
            print(f"found: {message}")
        if got != want:
            def show(pairs):
                return ", ".join(f"{k} at {p:#x}" if p is not None else k for k, p in pairs) or "nothing"
            print(f"FAIL: expected exactly {show(want)}, the check found {show(got)}")
            return 1
        print(f"PASS: the W^X check caught exactly the planted {want[0][0]} at {want[0][1]:#x}")
        return 0
    if problems:
        tail = "\n".join(clean(bytes(serial)).splitlines()[-20:])
        print(f"--- serial log (last 20 lines) ---\n{tail}\n---")
        for _, _, message in problems:
            print(f"FAIL: {message}")
        return 1
    print("PASS: no writable+executable page; every reported range has its rights")
    return 0


class Monitor:
    """The QEMU human monitor on a Unix socket: send a command, collect its output up to the next prompt."""

    def __init__(self, path, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.settimeout(timeout)
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self._read_to_prompt()

    def _read_to_prompt(self):
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return clean(data)

    def command(self, text):
        self.sock.sendall(text.encode() + b"\n")
        return self._read_to_prompt()


def psf_glyphs(path):
    """{code point: 16 row bytes} for an 8x16 PSF1/PSF2 font with a Unicode table (as psf-unifont ships)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    table = {}
    if data[:2] == b"\x36\x04":
        mode, height = data[2], data[3]
        count, offset, size = (512 if mode & 1 else 256), 4, data[3]
        pos = offset + count * size
        for index in range(count):
            sequence = False
            while True:
                (cp,) = struct.unpack_from("<H", data, pos)
                pos += 2
                if cp == 0xFFFF:
                    break
                if cp == 0xFFFE:
                    sequence = True
                elif not sequence:
                    table.setdefault(cp, data[offset + index * size:offset + (index + 1) * size])
    elif data[:4] == b"\x72\xb5\x4a\x86":
        _, _, offset, flags, count, size, height, _ = struct.unpack_from("<8I", data, 0)
        pos = offset + count * size
        for index in range(count):
            end = data.index(b"\xff", pos)
            for ch in data[pos:end].split(b"\xfe")[0].decode("utf-8", errors="ignore"):
                table.setdefault(ord(ch), data[offset + index * size:offset + (index + 1) * size])
            pos = end + 1
    else:
        raise SystemExit(f"qemu_boot: {path} is not a PSF font")
    if height != 16:
        raise SystemExit(f"qemu_boot: {path} is not 8x16")
    return table


def ega_rows(monitor, columns=80, rows=25):
    """The characters of EGA text memory at 0xb8000, read as 16-bit cells (character in the low byte)."""
    out = monitor.command(f"xp /{columns * rows}hx 0xb8000")
    cells = [int(v, 16) for line in out.splitlines() if re.match(r"^[0-9a-f]+:", line)
             for v in re.findall(r"0x([0-9a-f]{4})", line)]
    if len(cells) != columns * rows:
        raise RuntimeError(f"xp returned {len(cells)} cells, expected {columns * rows}")
    return ["".join(chr(c & 0xFF) for c in cells[r * columns:(r + 1) * columns]).rstrip() for r in range(rows)]


def framebuffer_mismatch(ppm, lines, glyphs):
    """First difference between a screendump (PPM) and `lines` drawn with 8x16 glyphs from the top-left
    corner (lit pixel = not black), or None."""
    with open(ppm, "rb") as f:
        data = f.read()
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    width, height = int(header.group(1)), int(header.group(2))
    pixels = data[header.end():]
    columns, rows = width // 8, height // 16
    for row, text in enumerate(lines[:rows]):
        for column, ch in enumerate(text[:columns]):
            glyph = glyphs.get(ord(ch), glyphs.get(0xFFFD))
            for y in range(16):
                for x in range(8):
                    at = ((row * 16 + y) * width + column * 8 + x) * 3
                    lit = pixels[at:at + 3] != b"\0\0\0"
                    if lit != bool(glyph[y] & (0x80 >> x)):
                        return f"row {row} column {column} ({ch!r}), pixel ({x}, {y}) is {'lit' if lit else 'dark'}"
    return None


def terminal_rows(text, columns, rows):
    """The rows a terminal of columns x rows shows after `text`, as the kernel's screen console draws it
    (arch/x86_64/screen.cpp): a full row wraps at the next character, a newline on the last row scrolls at
    once. Lets a run print more than one screen (the root task's suite) and still be compared exactly."""
    grid, row, column = [[]], 0, 0
    for ch in text:
        if ch == "\n" or column == columns:
            grid.append([])
            column = 0
            if len(grid) > rows:
                grid.pop(0)
            if ch == "\n":
                continue
        grid[-1].append(ch)
        column += 1
    grid += [[]] * (rows - len(grid))
    return ["".join(r).rstrip() for r in grid]


CHARACTER_GRID = re.compile(r"^console: COM1 and framebuffer .* \((\d+)x(\d+) characters\)$", re.M)


def screen_mismatch(monitor, args, kernel_text, tmp):
    """How the screen differs from what the kernel wrote to serial, or None."""
    if args.boot == "uefi":
        grid = CHARACTER_GRID.search(kernel_text)
        if not grid:
            return "no 'console: ... (CxR characters)' line naming the framebuffer's character grid"
        expected = terminal_rows(kernel_text, int(grid.group(1)), int(grid.group(2)))
        ppm = os.path.join(tmp, "screen.ppm")
        monitor.command(f"screendump {ppm}")
        mismatch = framebuffer_mismatch(ppm, expected, psf_glyphs(args.font))
        return f"framebuffer differs from the serial log: {mismatch}" if mismatch else None
    shown = ega_rows(monitor)
    expected = terminal_rows(kernel_text, 80, 25)
    for row, line in enumerate(expected):
        if shown[row] != line:
            return f"EGA row {row} shows {shown[row]!r}, serial says {line!r}"
    return None


def wait_for_quiet(serial, proc, seconds, deadline):
    """Wait until the serial line has been silent for `seconds` (the kernel has halted), or the deadline."""
    last, since = len(serial), time.monotonic()
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
        if len(serial) != last:
            last, since = len(serial), time.monotonic()
        elif time.monotonic() - since >= seconds:
            return


def screen(args):
    with tempfile.TemporaryDirectory(prefix="janus-screen-") as tmp:
        vars_copy, sock = os.path.join(tmp, "OVMF_VARS.fd"), os.path.join(tmp, "monitor.sock")
        if args.boot == "uefi":
            shutil.copyfile(OVMF_VARS, vars_copy)
        cmd = qemu_command(args.boot, args.image, args.append, vars_copy, interactive=False, monitor_socket=sock,
                           module=args.module, cpu=args.cpu, accel=args.accel)
        print("qemu_boot: " + " ".join(cmd), flush=True)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        serial = bytearray()

        def read_serial():
            for chunk in iter(lambda: proc.stdout.read1(4096), b""):
                serial.extend(chunk)

        reader = threading.Thread(target=read_serial, daemon=True)
        reader.start()
        problems = []
        try:
            deadline = time.monotonic() + args.timeout
            while b"Janus: boot complete" not in serial and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            log = clean(bytes(serial))
            banner = BANNER.search(log)
            if "Janus: boot complete" not in log or not banner:
                problems.append(f"no banner and 'Janus: boot complete' within {args.timeout} s")
            else:
                # Without the exit device the kernel halts when its run ends; compare the final screen.
                wait_for_quiet(serial, proc, 1.5, deadline)
                monitor = Monitor(sock, 30)
                # The kernel writes each line to serial before the screen: poll until the screen has caught
                # up, for at most 10 s, rather than guess how long that takes.
                settle = time.monotonic() + 10
                while True:
                    log = clean(bytes(serial))
                    kernel_text = log[BANNER.search(log).start():]
                    mismatch = screen_mismatch(monitor, args, kernel_text, tmp)
                    if not mismatch or time.monotonic() > settle:
                        break
                    time.sleep(0.5)
                if mismatch:
                    problems.append(mismatch)
                monitor.command("quit")
        finally:
            proc.kill()
            proc.wait()
            reader.join(5)
    if problems:
        tail = "\n".join(clean(bytes(serial)).splitlines()[-20:])
        print(f"--- serial log (last 20 lines) ---\n{tail}\n---")
        for p in problems:
            print(f"FAIL: {p}")
        return 1
    print(f"PASS: {args.boot} screen shows the kernel's output")
    return 0


def run(args):
    with tempfile.TemporaryDirectory(prefix="janus-run-") as tmp:
        vars_copy = os.path.join(tmp, "OVMF_VARS.fd")
        if args.boot == "uefi":
            shutil.copyfile(OVMF_VARS, vars_copy)
        cmd = qemu_command(args.boot, args.image, args.append, vars_copy, interactive=True, module=args.module,
                           cpu=args.cpu, accel=args.accel)
        print("Booting Janus in QEMU (" + args.boot + "). Serial console below; Ctrl-A X quits, "
              "Ctrl-A C toggles the QEMU monitor.", flush=True)
        status = subprocess.call(cmd)
    name = STATUS_NAMES.get(status, "QEMU stopped without a kernel status")
    print(f"\nJanus stopped: {name} (QEMU exit status {status})")
    return 0 if status == EXIT_SUCCESS else (status or 1)


def kvm_host_note():
    """Why --accel kvm cannot work on this host, or None if nothing is known against it. Only explains a
    failure; ./janus decides whether the KVM set runs at all."""
    if not os.path.exists("/dev/kvm"):
        return "this host has no /dev/kvm"
    if os.path.isdir("/sys/module/kvm_pvm"):
        return ("this host's /dev/kvm is kvm_pvm, the Pagetable-based Virtual Machine hypervisor: a software "
                "hypervisor that emulates ring 0 and delivers no interrupts to a non-PVM guest, not hardware KVM")
    if not any(os.path.isdir(f"/sys/module/{m}") for m in ("kvm_intel", "kvm_amd")):
        return "neither kvm_intel nor kvm_amd is loaded on this host, so /dev/kvm is not hardware KVM"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["check", "screen", "selftest", "wx", "run", "command"])
    parser.add_argument("--boot", choices=["pvh", "bios", "uefi"], required=True)
    parser.add_argument("--image", required=True, help="janus.elf for pvh, janus.iso for bios/uefi")
    parser.add_argument("--append", default="", help="kernel command line (pvh only)")
    parser.add_argument("--version", default="", help="version the banner must name")
    parser.add_argument("--expect-exception", type=int, metavar="VECTOR")
    parser.add_argument("--expect-cr2", type=lambda s: int(s, 0), metavar="ADDR")
    parser.add_argument("--accel", choices=["tcg", "kvm"], default="tcg",
                        help="QEMU accelerator: tcg (default) or kvm (hardware KVM through /dev/kvm)")
    parser.add_argument("--cpu", help=f"QEMU CPU model (-cpu), e.g. max; default: QEMU's (tcg), "
                                      f"{KVM_DEFAULT_CPU} (kvm)")
    parser.add_argument("--expect-wx", type=lambda s: int(s, 0), metavar="ADDR",
                        help="wx: pass only if the one problem is this writable+executable page")
    parser.add_argument("--expect-mismatch", metavar="RANGE",
                        help="wx: pass only if the one problem is the first page of this reported range")
    parser.add_argument("--min-passed", type=int, default=1, help="selftest: fewest PASS lines accepted")
    parser.add_argument("--module", help="pvh: boot module (the root task ELF), given to QEMU as -initrd")
    parser.add_argument("--module-truncate", type=int, metavar="BYTES",
                        help="check: boot only the first BYTES of --module")
    parser.add_argument("--module-not-elf", action="store_true",
                        help="check: boot a plain-text file as the module")
    parser.add_argument("--expect-suite", type=int, metavar="MIN",
                        help="check: the ring-3 suite must report at least MIN passed and 0 failed")
    parser.add_argument("--results", metavar="FILE",
                        help="check: write the ring-3 suite's per-test results here, one 'pass|FAIL NAME' a line")
    parser.add_argument("--expect-panic", metavar="REGEX",
                        help="check: pass only if the kernel refuses the boot (exit 37) with a line matching REGEX")
    parser.add_argument("--expect-line", action="append", metavar="REGEX",
                        help="check: some line must match REGEX (may be given several times)")
    parser.add_argument("--expect-sequence", action="append", metavar="REGEX",
                        help="check: lines matching these must appear in the order given (may be given several "
                             "times)")
    parser.add_argument("--expect-sequence-file", metavar="FILE",
                        help="check: like --expect-sequence for each console named in FILE ('<where> <regex>' "
                             "per line, e.g. user/system/system.expect)")
    parser.add_argument("--expect-status", choices=("success", "failure"), default="success",
                        help="check: the kernel's exit status (failure: the root task ended with a non-zero "
                             "status, as init does when a component faulted)")
    parser.add_argument("--machine", help="QEMU machine type (-machine), e.g. q35; default: QEMU's (pc)")
    parser.add_argument("--smp", type=int, help="CPUs (-smp N); check: each must be announced online")
    parser.add_argument("--memory", default="256M", help="guest RAM (-m), default 256M")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a run counts as a hang")
    parser.add_argument("--log", help="write the cleaned serial log here")
    parser.add_argument("--font", default="/usr/share/consolefonts/Unifont-APL8x16.psf.gz",
                        help="the PSF font the kernel was built with (screen check of a framebuffer)")
    args = parser.parse_args()
    if args.accel == "kvm" and not args.cpu:
        args.cpu = KVM_DEFAULT_CPU
    MACHINE.update(machine=args.machine, smp=args.smp, memory=args.memory)
    if not os.path.exists(args.image):
        raise SystemExit(f"qemu_boot: no image {args.image} (build first)")
    if args.mode == "command":
        print(" ".join(qemu_command(args.boot, args.image, args.append, "<copy of OVMF_VARS_4M.fd>",
                                    interactive=True, module=args.module, cpu=args.cpu, accel=args.accel)))
        return 0
    status = {"check": check, "screen": screen, "selftest": selftest, "wx": wx, "run": run}[args.mode](args)
    if status != 0 and args.accel == "kvm" and kvm_host_note():
        print(f"note: --accel kvm needs hardware KVM (kvm_intel or kvm_amd); {kvm_host_note()}")
    return status


if __name__ == "__main__":
    sys.exit(main())
