#!/usr/bin/env python3
"""Where the instructions of one kernel path go, on bare metal: boot Janus with the benchmark root task under
QEMU TCG, stop at the N-th execution of a kernel symbol (by then the benchmark runs the path in its loop),
single-step through the gdb stub until that symbol comes round again, and print each instruction's function,
in order and summed up.

    profile_path.py --image build/x86_64/janus.elf --module build/x86_64/user/bench.elf
                    --at 'kernel::sys_pd_quota' [--skip 2000] [--max 20000] [--trace]

--at names the symbol (as `nm -C` prints it, or an address) that marks one turn of the loop: a handler only
that path calls (sys_pd_quota for the null syscall, x86_syscall_entry for anything else once --skip has brought
the benchmark into the path). One turn from there to its next execution is what is counted, user code
included. The figure agrees with `./janus bench metal` up to the benchmark's own loop instructions.

A developer's tool for finding what to make cheaper (docs/ipc.md; `./janus bench profile`). With --baseline FILE
--key KEY (hwtest/bench_baseline.txt) it checks itself, which the hw tier does: the turn must take the kernel's
syscall entry and user code, and its count must lie within 10 % of the benchmark's figure for that path (the
two count the same loop by different means: rdtsc deltas under -icount, and single steps).
"""
import argparse
import bisect
import os
import re
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_boot  # noqa: E402  (next to this file)

GDB_SCRIPT = r'''
import gdb
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote localhost:%(port)d")
gdb.execute("hbreak *%(at)#x")
if %(skip)d:
    gdb.execute("ignore 1 %(skip)d")
gdb.execute("continue")
at = %(at)#x
with open(%(out)r, "w") as out:
    for i in range(%(max)d):
        pc = int(gdb.parse_and_eval("$pc")) & 0xffffffffffffffff
        if i and pc == at:
            break
        out.write("%%x\n" %% pc)
        gdb.execute("stepi", to_string=True)
gdb.execute("kill")
'''


def symbols(elf):
    """Sorted (address, name) of the functions in elf."""
    out = subprocess.run(["nm", "-C", "--defined-only", elf], check=True, capture_output=True, text=True).stdout
    table = []
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]+) [tTwW] (.*)$", line)
        if m:
            table.append((int(m.group(1), 16), m.group(2)))
    table.sort()
    return table


def name_of(table, addrs, pc):
    i = bisect.bisect_right(addrs, pc) - 1
    return table[i][1] if i >= 0 else "?"


def short(name):
    """A C++ name without its parameter list and template arguments, which make the table unreadable."""
    depth, out = 0, []
    for ch in name:
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", required=True)
    parser.add_argument("--module", required=True)
    parser.add_argument("--at", required=True, help="symbol or address marking one turn of the path")
    parser.add_argument("--skip", type=int, default=2000, help="executions of --at to let pass first")
    parser.add_argument("--max", type=int, default=20000, help="give up after this many instructions")
    parser.add_argument("--trace", action="store_true", help="also print every run of one function in order")
    parser.add_argument("--baseline", help="bench_baseline.txt: check the count against its --key line")
    parser.add_argument("--key", help="the --baseline line this turn is (null_syscall, yield, ...)")
    args = parser.parse_args()

    kernel, user = symbols(args.image), symbols(args.module)
    if args.at.startswith("0x"):
        at = int(args.at, 16)
    else:
        hits = [a for a, n in kernel + user if n == args.at or short(n) == args.at]
        if len(hits) != 1:
            raise SystemExit(f"profile_path: {args.at!r} names {len(hits)} functions, not one")
        at = hits[0]

    with socket.socket() as s:
        s.bind(("localhost", 0))
        port = s.getsockname()[1]
    cmd = qemu_boot.qemu_command("pvh", args.image, "", None, interactive=False, module=args.module)
    cmd[1:1] = ["-icount", "shift=0", "-gdb", f"tcp:localhost:{port}", "-S"]
    with tempfile.TemporaryDirectory() as tmp:
        out, script = os.path.join(tmp, "pcs"), os.path.join(tmp, "profile.py")
        with open(script, "w") as f:
            f.write(GDB_SCRIPT % {"port": port, "at": at, "skip": args.skip, "max": args.max, "out": out})
        qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            subprocess.run(["gdb", "-nx", "-batch", "-x", script], check=False, capture_output=True, timeout=900)
        finally:
            qemu.kill()
            qemu.wait()
        pcs = [int(x, 16) for x in open(out).read().split()] if os.path.exists(out) else []
    if not pcs:
        raise SystemExit("profile_path: no instructions recorded (did the benchmark reach --at?)")

    kaddrs, uaddrs = [a for a, _ in kernel], [a for a, _ in user]
    runs, totals = [], {}
    for pc in pcs:
        name = short(name_of(kernel, kaddrs, pc) if pc >> 63 else "user: " + name_of(user, uaddrs, pc))
        totals[name] = totals.get(name, 0) + 1
        if runs and runs[-1][0] == name:
            runs[-1][1] += 1
        else:
            runs.append([name, 1])
    print(f"profile_path: {len(pcs)} instructions from {args.at} to its next execution")
    if args.trace:
        print("\nin order:")
        for name, n in runs:
            print(f"  {n:5d}  {name}")
    print("\nby function:")
    for name, n in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {n:5d}  {name}")
    if args.baseline:
        return check(args, len(pcs), totals)
    return 0


def check(args, count, totals):
    """Problems with the turn against the benchmark's figure for --key; exit status 0 when there are none."""
    lines = dict(re.findall(r"^(\w+) (\d+)$", open(args.baseline).read(), re.M))
    if args.key not in lines:
        raise SystemExit(f"profile_path: no line {args.key!r} in {args.baseline}")
    want = int(lines[args.key])
    problems = []
    if not 0.9 * want <= count <= 1.1 * want:
        problems.append(f"{count} instructions, the benchmark's {args.key} is {want} (10 % apart at most)")
    if "x86_syscall_entry" not in totals:
        problems.append("the turn never took x86_syscall_entry")
    if not any(name.startswith("user: ") for name in totals):
        problems.append("the turn ran no user code")
    for p in problems:
        print("profile_path: FAIL: " + p)
    if not problems:
        print(f"profile_path: {count} instructions agree with the benchmark's {args.key} {want}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
