#!/usr/bin/env python3
"""check_format.py CLANG_FORMAT SOURCE_DIR: every C/C++ file git tracks in SOURCE_DIR is as the repository's
.clang-format says (clang-format --dry-run -Werror). Prints each file that is not, with the first lines
clang-format would change, then `N files checked, M not formatted`; exits 1 if any is not.

Files outside git (a source tarball) are found by walking the tree instead, build/ left out."""
import os
import subprocess
import sys

SUFFIXES = (".cpp", ".hpp", ".h")


def files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "--", "*.cpp", "*.hpp", "*.h"], check=True,
                             capture_output=True, text=True).stdout.split()
        if out:
            return sorted(out)
    except (OSError, subprocess.CalledProcessError):
        pass
    found = []
    for d, subdirs, names in os.walk(root):
        subdirs[:] = [s for s in subdirs if not (d == root and s in ("build", ".git"))]
        found += [os.path.relpath(os.path.join(d, n), root) for n in names if n.endswith(SUFFIXES)]
    return sorted(found)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_format.py CLANG_FORMAT SOURCE_DIR")
    clang_format, root = sys.argv[1], sys.argv[2]
    checked = bad = 0
    for f in files(root):
        checked += 1
        r = subprocess.run([clang_format, "--dry-run", "-Werror", f], cwd=root, capture_output=True, text=True)
        if r.returncode != 0:
            bad += 1
            print(f"not formatted: {f}")
            for line in r.stderr.splitlines()[:4]:
                print(f"    {line}")
    print(f"{checked} files checked, {bad} not formatted" + (" (fix: ./janus lint --fix)" if bad else ""))
    return 1 if bad or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
