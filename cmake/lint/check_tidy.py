#!/usr/bin/env python3
"""check_tidy.py CLANG_TIDY SOURCE_DIR COMPILE_COMMANDS... [--jobs N] [--only REGEX]: the project's own
translation units pass clang-tidy with the repository's .clang-tidy.

Every entry of the given compile_commands.json files (one per build tree: the host tree has kernel, hostsim,
tests and tools, the x86_64 tree arch/x86_64 and the ring-3 programs) whose source lies in SOURCE_DIR and not
under build/ is one unit. Its headers are checked through it (.clang-tidy's HeaderFilterRegex), and each
diagnostic is reported once however many units include the header.

The clang static analyzer (clang-analyzer-*) finds the deepest bugs and costs ten times as much as every other
check together: it runs on the code that ships, kernel/, arch/ and user/ outside tests (host tools and tests
run under ASan and UBSan instead). Test code (tests, scenarios, benches, `testing/` and `tests/` folders,
proptest/) also skips performance-*: how fast a test's scaffolding copies a string is not worth a finding.

Prints each diagnostic as `file:line:col: message [check]`, then `N units checked, M diagnostics`. Exits 1 if
there is any."""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

DIAG = re.compile(r"^(/[^:]+):(\d+):(\d+): (?:error|warning): (.*)$")
CHECK = re.compile(r"^(.*?) ?\[([a-z][A-Za-z0-9.,-]*)\]$")
TEST_CODE = re.compile(r"(_test|_tests|_scenarios|_bench|_prop)\.cpp$|/testing/|/tests/|^proptest/")


def units(root, databases, only):
    seen = {}
    for db in databases:
        with open(db, encoding="utf-8") as f:
            for e in json.load(f):
                path = os.path.realpath(os.path.join(e["directory"], e["file"]))
                rel = os.path.relpath(path, root)
                if rel.startswith(("..", "build/")) or not rel.endswith((".cpp", ".cc", ".c")):
                    continue
                if only and not re.search(only, rel):
                    continue
                seen.setdefault(rel, os.path.dirname(os.path.abspath(db)))
    return sorted(seen.items())


def tidy(clang_tidy, root, rel, build_dir):
    if TEST_CODE.search(rel):
        checks = ["--checks=-clang-analyzer-*,-performance-*"]
    elif rel.startswith(("kernel/", "arch/", "user/")):
        checks = []
    else:
        checks = ["--checks=-clang-analyzer-*"]
    r = subprocess.run([clang_tidy, "--quiet", "-p", build_dir, *checks, os.path.join(root, rel)], cwd=root,
                       capture_output=True, text=True)
    found = []
    lines = r.stdout.splitlines()
    for i, line in enumerate(lines):
        m = DIAG.match(line)
        if not m:
            continue
        file, ln, col, text = m.groups()
        # A long message (the analyzer's) runs over several lines; the check's name ends the last of them.
        for more in lines[i + 1:i + 20]:
            if CHECK.match(text):
                break
            text += " " + more.strip()
        c = CHECK.match(text)
        if c:
            found.append((os.path.relpath(file, root), int(ln), int(col), c.group(1),
                          c.group(2).replace(",-warnings-as-errors", "")))
    # A unit clang-tidy could not compile is a failure too, with its own message.
    if r.returncode != 0 and not found:
        err = (r.stderr.strip().splitlines() or ["clang-tidy failed"])[-1]
        found.append((rel, 0, 0, err, "clang-tidy"))
    return found


def main():
    ap = argparse.ArgumentParser(usage=__doc__.splitlines()[0])
    ap.add_argument("clang_tidy")
    ap.add_argument("root")
    ap.add_argument("databases", nargs="+")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", help="check only the units whose path matches this regular expression")
    a = ap.parse_args()
    root = os.path.realpath(a.root)
    todo = units(root, [d for d in a.databases if os.path.exists(d)], a.only)
    if not todo:
        print("no translation units found (build the host preset first)")
        return 1
    diagnostics = set()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for found in pool.map(lambda u: tidy(a.clang_tidy, root, u[0], u[1]), todo):
            diagnostics.update(found)
    for file, ln, col, msg, check in sorted(diagnostics):
        print(f"{file}:{ln}:{col}: {msg} [{check}]")
    print(f"{len(todo)} units checked, {len(diagnostics)} diagnostics")
    return 1 if diagnostics else 0


if __name__ == "__main__":
    sys.exit(main())
