#!/usr/bin/python3
"""python3 check_kernel_layers.py ROOT: the kernel's folders and the rules their READMEs state.

Each folder of kernel/ says in its README.md, in a paragraph that starts with "May include:", which other parts
of kernel/ its code may include: `kernel/<folder>` for a whole folder, `kernel/<folder>/<file>` or
`kernel/<file>` for one file. Kernel code is every file of kernel/ that is not a test (`*_test.cpp`,
`*_scenarios.cpp`, `*_bench.cpp`, `testing/`) or a host-only tool (`*_main.cpp`, `abi_markdown.*`). This
check fails when
  * a kernel-code include is outside its folder's rule (the README drifted from the code, or the code broke
    the layering),
  * kernel code includes hostsim/, arch/x86_64/ or models/ (only the arch contract, arch/*.hpp),
  * the folders' include graph has a cycle that is not in KNOWN_CYCLES below, or a cycle listed there is gone
    (the list only shrinks: remove the line in the commit that breaks the cycle).
Top-level files of kernel/ (main, panic, version) are nodes of their own: main.cpp sits above every folder and
panic.hpp below all of them.
"""

import os
import re
import sys

sys.dont_write_bytecode = True

# Folder cycles the code still has (issue 14 asks for none, and there are none). Each would be a set of
# folders that include each other; a new one fails the check.
KNOWN_CYCLES = set()

FORBIDDEN = re.compile(r'^\s*#\s*include\s*[<"](hostsim|arch/x86_64|x86_64|models)/', re.M)
INCLUDE = re.compile(r'^\s*#\s*include\s*"(kernel/[^"]+)"', re.M)
TOKEN = re.compile(r"`(kernel/[A-Za-z0-9_./]+)`")


def kernel_code(rel):
    base = os.path.basename(rel)
    return not ("/testing/" in "/" + rel or base.endswith(("_test.cpp", "_scenarios.cpp", "_bench.cpp", "_main.cpp"))
                or base.startswith("abi_markdown."))


def node(rel):
    """kernel/ipc/waits.cpp -> ipc; kernel/panic.hpp -> panic (a top-level file is a node by its stem)."""
    parts = rel.split("/")
    return parts[1] if len(parts) > 2 else os.path.splitext(parts[1])[0]


def rule(root, folder):
    """The targets a folder's README allows, or None if it states no rule."""
    path = os.path.join(root, "kernel", folder, "README.md")
    if not os.path.exists(path):
        return None
    text = open(path, encoding="utf-8").read()
    m = re.search(r"May include:(.*?)(?:\.\s|\.$|\n\s*\n)", text, re.S)
    return set(TOKEN.findall(m.group(1))) if m else None


def allowed(target, src_node, allow):
    if node(target) == src_node:
        return True
    return any(target == a or target.startswith(a.rstrip("/") + "/") for a in allow)


def cycles(edges):
    """Strongly connected components of more than one node (Tarjan), and each pair of mutual includes."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main(root):
    problems, edges, files = [], {}, 0
    rules = {}
    for dirpath, _, names in os.walk(os.path.join(root, "kernel")):
        for name in sorted(names):
            if not name.endswith((".cpp", ".hpp", ".def")):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
            if not kernel_code(rel):
                continue
            files += 1
            text = open(os.path.join(root, rel), encoding="utf-8").read()
            for m in FORBIDDEN.finditer(text):
                problems.append("%s: includes %s/ (kernel code uses only the arch contract)" % (rel, m.group(1)))
            src = node(rel)
            top = len(rel.split("/")) == 2
            if not top and src not in rules:
                rules[src] = rule(root, src)
                if rules[src] is None:
                    problems.append("kernel/%s/README.md: no \"May include:\" paragraph" % src)
            for target in INCLUDE.findall(text):
                dst = node(target)
                if dst != src:
                    edges.setdefault(src, set()).add(dst)
                if not top and rules[src] is not None and not allowed(target, src, rules[src]):
                    problems.append("%s: includes %s, which kernel/%s/README.md does not allow" % (rel, target, src))
    if files < 50:
        problems.append("only %d kernel files under %s: wrong ROOT?" % (files, root))
    # Pairs first (the common case, and what KNOWN_CYCLES lists); a longer cycle through three or more folders
    # that is not made of listed pairs is reported as a whole.
    pairs = {frozenset({a, b}) for a in edges for b in edges[a] if a in edges.get(b, ())}
    for p in sorted(pairs - KNOWN_CYCLES, key=sorted):
        problems.append("new folder cycle: %s include each other" % " and ".join(sorted(p)))
    for p in sorted(KNOWN_CYCLES - pairs, key=sorted):
        problems.append("the cycle %s is gone: remove it from KNOWN_CYCLES in %s" % (
            " <-> ".join(sorted(p)), os.path.basename(__file__)))
    for comp in cycles(edges):
        sub = {a: {b for b in edges[a] if b in comp} for a in comp}
        rest = {a: {b for b in sub[a] if frozenset({a, b}) not in KNOWN_CYCLES} for a in sub}
        if cycles(rest):
            problems.append("folder cycle through %s" % ", ".join(sorted(comp)))
    for p in problems:
        print("layout: " + p)
    print("layout: %d kernel files, %d folders, %d known folder cycles, %d problems" % (
        files, len(edges), len(KNOWN_CYCLES), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")))
