#!/usr/bin/env python3
"""A syscall fuzz target's inputs run alone as they run among others (ctest syscall.fuzz.replay_alone*).

The syscall targets restore a snapshot of the booted kernel between inputs instead of booting anew
(fuzz/syscalls/snapshot.hpp), while libFuzzer reproduces a crash by running the input alone in a fresh
process, on a fresh boot. So every input must do exactly the same in both: this runs a sample of a corpus in
one process with JANUS_FUZZ_VERBOSE=1 (each input's program with the kernel's and the model's outcome of
every step, and the smp target's schedule), then each input of the sample alone, and compares the reports.
"""
import argparse
import os
import subprocess
import sys


def reports(output, files):
    """The last report printed between libFuzzer's 'Running: F' and 'Executed F' lines, per file F (libFuzzer
    runs an input a second time when it looks like a leak, so a file may have two)."""
    out, current, lines = {}, None, []
    for line in output.splitlines():
        if line.startswith("Running: "):
            current, lines = line[len("Running: "):], []
        elif line.startswith("Executed ") and current is not None:
            text = "\n".join(lines)
            marker = "==== syscall program"
            out[current] = text[text.rfind(marker):] if marker in text else text
            current = None
        elif current is not None:
            lines.append(line)
    missing = [f for f in files if f not in out]
    if missing:
        sys.exit("no report for " + ", ".join(missing) + "; the run printed:\n" + output[-4000:])
    return out


def run(target, files):
    env = dict(os.environ, JANUS_FUZZ_VERBOSE="1")
    p = subprocess.run([target, "-runs=1"] + files, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace")
    if p.returncode != 0:
        sys.exit(f"{target} failed (status {p.returncode}) on {len(files)} inputs:\n{p.stdout[-4000:]}")
    return reports(p.stdout, files)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--target", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--every", type=int, default=10, help="take every n-th input (sorted by name)")
    args = ap.parse_args()
    files = sorted(os.path.join(args.corpus, f) for f in os.listdir(args.corpus))
    sample = files[:: args.every]
    together = run(args.target, sample)
    for f in sample:
        alone = run(args.target, [f])[f]
        if alone != together[f]:
            sys.exit(f"{f} runs differently alone than after the inputs before it:\n---- among others:\n"
                     f"{together[f]}\n---- alone:\n{alone}")
    print(f"{len(sample)} of {len(files)} inputs of {args.corpus}: the same report alone as among the others")


if __name__ == "__main__":
    main()
