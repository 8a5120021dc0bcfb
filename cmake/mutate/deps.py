"""Which objects a source file reaches, and which test programs contain those objects.

From ninja: `ninja -t deps` (each object's headers) and `ninja -t query` (each link's inputs). A static
library's member is in a program only if the linker pulled it in; that is read off the symbols: a member
counts as linked when one of its strong global definitions is defined in the program (a strong name has one
definition, so this is exact), or, conservatively, when it has no strong global definition at all.
"""

import os
import re
import subprocess

NM = "llvm-nm-14"


def ninja(bdir, *args):
    return subprocess.run(["ninja", "-C", bdir, "-t"] + list(args), check=True, capture_output=True,
                          text=True).stdout


def header_users(bdir):
    """source or header (absolute, realpath) -> set of objects (relative to bdir) that include or compile it."""
    users = {}
    obj = None
    for line in ninja(bdir, "deps").splitlines():
        if line and not line.startswith(" "):
            obj = line.split(":")[0]
        elif line.strip() and obj:
            users.setdefault(os.path.realpath(line.strip()), set()).add(obj)
    return users


def outputs(bdir):
    """Every file ninja builds in bdir (relative paths)."""
    outs = set()
    for line in ninja(bdir, "targets", "all").splitlines():
        name, _, rule = line.rpartition(": ")
        if rule == "phony" or os.path.isabs(name) or name == "build.ninja":
            continue
        if "CMakeFiles/" in name and not name.endswith((".o", ".obj")):
            continue  # CMake's own bookkeeping (.util stamps, glob checks), never a mutant's output
        outs.add(name)
    return outs


def link_inputs(bdir, target, memo):
    """The objects and static libraries a target links (direct inputs of its link edge), relative to bdir."""
    if target in memo:
        return memo[target]
    out = ninja(bdir, "query", target)
    inputs, section = [], None
    for line in out.splitlines()[1:]:
        s = line.strip()
        if s == "input:" or s.startswith("input: "):
            section = "input"
            continue
        if s.startswith("outputs:"):
            section = None
            continue
        if line.startswith("    ") and section == "input" and not s.startswith("||"):
            inputs.append(s.lstrip("| "))  # "| lib.a": CMake lists link libraries as implicit inputs
    objs = [i for i in inputs if i.endswith((".o", ".obj"))]
    libs = sorted({i for i in inputs if i.endswith(".a") and not os.path.isabs(i)})  # this tree's libraries
    memo[target] = (objs, libs)
    return memo[target]


def symbols(path, strong_only):
    out = subprocess.run([NM, "--defined-only", "--extern-only", "--format=posix", path], capture_output=True,
                         text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if strong_only and kind not in "TDBRCG":
            continue
        syms.add(name)
    return syms


class Programs:
    """For the build tree bdir: programs -> the set of objects linked into each."""

    def __init__(self, bdir, programs):
        self.bdir = bdir
        memo, lib_members, member_syms = {}, {}, {}
        self.members = {}
        for prog in programs:
            rel = os.path.relpath(prog, bdir)
            try:
                objs, libs = link_inputs(bdir, rel, memo)
            except subprocess.CalledProcessError:
                self.members[prog] = None  # unknown: always affected
                continue
            have = set(objs)
            prog_syms = None
            pending = list(libs)
            seen = set()
            while pending:
                lib = pending.pop()
                if lib in seen:
                    continue
                seen.add(lib)
                if lib not in lib_members:
                    try:
                        lib_members[lib] = link_inputs(bdir, lib, memo)
                    except subprocess.CalledProcessError:
                        lib_members[lib] = ([], [])
                mobjs, mlibs = lib_members[lib]
                pending.extend(mlibs)  # a library's own dependencies are linked too (CMake passes them on)
                if prog_syms is None:
                    prog_syms = symbols(prog, strong_only=False)
                for o in mobjs:
                    if o not in member_syms:
                        member_syms[o] = symbols(os.path.join(bdir, o), strong_only=True)
                    ms = member_syms[o]
                    if not ms or ms & prog_syms:
                        have.add(o)
            # CMake lists transitive libraries on the program's own link line, so `libs` already holds them.
            self.members[prog] = have

    def affected(self, objects):
        """Programs containing any of objects (or whose contents are unknown)."""
        objects = set(objects)
        return {p for p, m in self.members.items() if m is None or m & objects}


def test_program(test, bdir):
    """The program of the build tree a ctest test runs, or None (a script that runs none of them)."""
    cmd = test.get("command") or []
    if cmd and os.path.realpath(cmd[0]).startswith(os.path.realpath(bdir) + os.sep):
        return cmd[0]
    for a in cmd[1:]:
        m = re.match(r"-D\w+=(.*)", a)
        if m and os.path.realpath(m.group(1)).startswith(os.path.realpath(bdir) + os.sep) and \
                os.access(m.group(1), os.X_OK) and not os.path.isdir(m.group(1)):
            return m.group(1)
    return None
