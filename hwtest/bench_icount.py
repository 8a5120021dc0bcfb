#!/usr/bin/env python3
"""Instruction counts of kernel paths on bare metal: boot Janus with the benchmark root task (user/bench) under
QEMU TCG with `-icount shift=0`, where the virtual clock and with it the TSC advance one tick per guest
instruction, so the benchmark's rdtsc deltas count instructions (user/bench/README.md).

    bench_icount.py --image build/x86_64/janus.elf --module build/x86_64/user/bench.elf [--timeout S] [--log FILE]
                    [--check] [--baseline FILE]

Prints the figures next to the published seL4 reference. Fails (exit 1) unless the kernel reports the bench's
success (QEMU status 33), the calibration loop of two instructions measures exactly 2, and every figure is
there. --check also requires each figure inside a wide plausible range (a path that suddenly costs ten times as
much, or nothing, is a regression of the benchmark or of the kernel). --baseline FILE (hwtest/bench_baseline.txt,
"key count" lines) fails when a figure exceeds its baseline by more than 5 %: the counts are deterministic, so
that is a regression test of the kernel's paths, not a timing test. A figure well below its baseline is reported
so that the baseline can be lowered (a one-line commit).

Only the Python standard library; the QEMU command line comes from qemu_boot.py.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_boot  # noqa: E402  (next to this file)

# key, what it measures, plausible range for --check (instructions per operation), seL4 measured the same way
# (QEMU 7.2 TCG, -icount shift=0; release build, fastpath on, non-MCS, one core; the figures of issue "Fast kernel
# paths": seL4_Yield for the first two, Call + ReplyRecv for the third), and the goal that issue sets.
FIGURES = [
    ("null_syscall", "null syscall (pd_quota: entry, run loop, dispatch, exit)", (100, 5_000), 293, 150),
    ("yield", "thread_yield with nothing else ready", (100, 5_000), 293, 250),
    ("call_reply", "call+reply round trip between two domains, 1 word (fast path)", (200, 20_000), 427, 400),
    ("call_reply_utcb", "call+reply round trip between two domains, 4 words (1 in the UTCB)", (200, 30_000),
     None, 1_000),
    ("page_fault", "page-fault round trip through a user pager (fault, map, retry)", (500, 50_000), None, 2_000),
]
BASELINE_SLACK = 1.05
LINE = re.compile(r"^bench (\w+) (\d+)$", re.M)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", required=True, help="janus.elf (booted through -kernel, PVH)")
    parser.add_argument("--module", required=True, help="the benchmark's ELF (user/bench), the root module")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--log", help="write the cleaned serial log here")
    parser.add_argument("--check", action="store_true", help="also require every figure in its plausible range")
    parser.add_argument("--baseline", help="fail if a figure exceeds this file's count by more than 5 %%")
    args = parser.parse_args()
    for path in (args.image, args.module):
        if not os.path.exists(path):
            raise SystemExit(f"bench_icount: no {path} (build the x86_64 preset first)")

    cmd = qemu_boot.qemu_command("pvh", args.image, "", None, interactive=False, module=args.module)
    cmd[1:1] = ["-icount", "shift=0"]
    print("bench_icount: " + " ".join(cmd), flush=True)
    raw, status = qemu_boot.boot_and_capture(cmd, args.timeout)
    log = qemu_boot.clean(raw)
    if args.log:
        os.makedirs(os.path.dirname(os.path.abspath(args.log)), exist_ok=True)
        with open(args.log, "w") as f:
            f.write(log)

    values = {key: int(value) for key, value in LINE.findall(log)}
    problems = []
    if status != qemu_boot.EXIT_SUCCESS:
        problems.append(f"QEMU exit status {status} ({qemu_boot.STATUS_NAMES.get(status, 'no kernel status')}), "
                        f"expected {qemu_boot.EXIT_SUCCESS}: the benchmark failed or did not finish")
    if values.get("calibration") != 2:
        problems.append(f"the two-instruction calibration loop measured {values.get('calibration')}: "
                        "rdtsc deltas are not instruction counts")
    for key, what, (low, high), _, _ in FIGURES:
        if key not in values or values[key] == 0:
            problems.append(f"no figure for {key} ({what})")
        elif args.check and not low <= values[key] <= high:
            problems.append(f"{key} = {values[key]} instructions, outside the plausible {low}..{high}")
    notes = []
    if args.baseline:
        baseline = {}
        for line in open(args.baseline):
            fields = line.split("#")[0].split()
            if len(fields) == 2:
                baseline[fields[0]] = int(fields[1])
        for key, what, _, _, _ in FIGURES:
            if key not in baseline:
                problems.append(f"{args.baseline} has no baseline for {key}")
            elif key in values and values[key] > baseline[key] * BASELINE_SLACK:
                problems.append(f"{key} = {values[key]} instructions, more than 5 % over its baseline "
                                f"{baseline[key]} ({args.baseline}): a kernel path became slower")
            elif key in values and values[key] < baseline[key] / BASELINE_SLACK:
                notes.append(f"{key} = {values[key]} is well below its baseline {baseline[key]}: lower it in "
                             f"{args.baseline}")

    if values:
        print("Janus on bare metal (QEMU TCG, -icount shift=0), instructions per operation; each the difference "
              "of two runs\nof thousands of operations, so one-off costs cancel. seL4 measured the same way, and "
              "the goal:")
        print(f"  {'path':<72} {'Janus':>7} {'seL4':>7} {'goal':>7}")
        for key, what, _, sel4, goal in FIGURES:
            if key in values:
                sel4_text = f"{sel4:,}" if sel4 else "-"
                mark = "" if values[key] <= goal else "  (above the goal)"
                print(f"  {what:<72} {values[key]:>7,} {sel4_text:>7} {goal:>7,}{mark}")
        for note in notes:
            print(f"note: {note}")
        print("Published reference: seL4 on x86-64 (Skylake) takes about 375 cycles for a call and 382 for a reply\n"
              "(about 757 per round trip). Cycles are not instructions: a cycle count depends on the CPU (caches,\n"
              "pipeline, the cost of syscall/sysret and of a CR3 switch), an instruction count only on the code\n"
              "path, so the two compare only roughly.")
    if problems:
        tail = "\n".join(log.splitlines()[-30:])
        print(f"--- serial log (last 30 lines) ---\n{tail}\n---", flush=True)
        for p in problems:
            print(f"FAIL: {p}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
