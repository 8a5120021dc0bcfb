"""Mutation sites, found with libclang (Debian's python3-clang-14) in the translation units of the build's
compile_commands.json, never with regular expressions over the text.

A site is a byte range of one source file plus its replacement. Every replacement keeps the number of newlines
of the text it replaces, so line numbers (__LINE__ in assertions, the report's file:line) stay put and an
unchanged object file really means an equivalent mutant.
"""

import os
import re
import shlex

import clang.cindex as ci

K = ci.CursorKind

# Operator replacements: one alternative per operator, the classic "nearest neighbour" choice.
ARITH = {"+": "-", "-": "+", "*": "/", "/": "*", "%": "/", "<<": ">>", ">>": "<<", "&": "|", "|": "&", "^": "|"}
REL = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
LOGIC = {"&&": "||", "||": "&&"}
COMPOUND = {"+=": "-=", "-=": "+=", "*=": "/=", "/=": "*=", "|=": "&=", "&=": "|=", "^=": "|=", "<<=": ">>=",
            ">>=": "<<=", "%=": "/="}
ASSIGN_OPS = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="}

# The operator classes, as the report and the sampler name them.
OPERATORS = ("arith", "rel", "logic", "const", "negate", "delete", "return")

DELETABLE = {K.CALL_EXPR, K.BINARY_OPERATOR, K.COMPOUND_ASSIGNMENT_OPERATOR, K.UNARY_OPERATOR, K.UNEXPOSED_EXPR}


def compile_args(entry):
    """The compiler's arguments for libclang: the build's own flags minus output, dependency and input options."""
    argv = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    out, skip = [], False
    for a in argv[1:]:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ", "-c"):
            skip = a != "-c"
            continue
        if a in ("-MD", "-MMD") or a == entry["file"] or os.path.abspath(os.path.join(entry["directory"], a)) == \
                os.path.abspath(entry["file"]):
            continue
        out.append(a)
    return out


class Finder:
    def __init__(self, src_root, wanted):
        """wanted(relpath) -> bool: which files under src_root may be mutated."""
        self.root = src_root
        self.wanted = wanted
        self.texts = {}
        self.sites = {}  # (path, offset, length, replacement) -> site, deduplicated across TUs (headers)

    def text(self, path):
        if path not in self.texts:
            with open(os.path.join(self.root, path), "rb") as f:
                self.texts[path] = f.read()
        return self.texts[path]

    def rel(self, loc_file):
        if loc_file is None:
            return None
        p = os.path.realpath(loc_file.name)
        root = os.path.realpath(self.root) + os.sep
        if not p.startswith(root):
            return None
        r = p[len(root):]
        return r if r.endswith((".cpp", ".hpp", ".h")) and self.wanted(r) else None

    def before(self, path, offset):
        """The source text just before offset, whitespace dropped (to check what the AST says is there)."""
        return self.text(path)[max(0, offset - 64):offset].decode(errors="replace").rstrip()

    def after(self, path, offset):
        return self.text(path)[offset:offset + 64].decode(errors="replace").lstrip()

    def add(self, path, start, end, replacement, op, orig_check=None):
        text = self.text(path)
        if not (0 <= start < end <= len(text)):
            return
        orig = text[start:end].decode(errors="replace")
        if orig_check is not None and orig != orig_check:
            return  # a macro expansion or an extent that is not the text it claims to be
        newlines = orig.count("\n")
        replacement = replacement + "\n" * (newlines - replacement.count("\n"))
        if replacement == orig:
            return
        line = text.count(b"\n", 0, start) + 1
        key = (path, start, end, replacement)
        if key not in self.sites:
            self.sites[key] = {"file": path, "line": line, "start": start, "end": end, "orig": orig,
                               "repl": replacement, "op": op}

    # ---------------------------------------------------------------------------------------- the walk
    def parse(self, entry, index):
        tu = index.parse(entry["file"], args=compile_args(entry),
                         options=ci.TranslationUnit.PARSE_SKIP_FUNCTION_BODIES * 0)
        fatal = [d for d in tu.diagnostics if d.severity >= ci.Diagnostic.Error]
        if fatal:
            raise RuntimeError("%s: %s" % (entry["file"], fatal[0].spelling))
        for c in tu.cursor.get_children():
            if self.rel(c.location.file) is not None:
                self.visit(c, None)

    def visit(self, c, fn):
        kind = c.kind
        if kind in (K.FUNCTION_DECL, K.CXX_METHOD, K.CONSTRUCTOR, K.DESTRUCTOR, K.FUNCTION_TEMPLATE,
                    K.CONVERSION_FUNCTION, K.LAMBDA_EXPR):
            fn = c
        path = self.rel(c.extent.start.file)
        if path is not None and c.extent.start.file.name == c.extent.end.file.name:
            try:
                self.site(c, path, fn)
            except (ValueError, IndexError):
                pass
        for ch in c.get_children():
            self.visit(ch, fn)

    def tokens(self, c):
        return [t for t in c.get_tokens()]

    def site(self, c, path, fn):
        kind = c.kind
        s, e = c.extent.start.offset, c.extent.end.offset
        if kind == K.BINARY_OPERATOR or kind == K.COMPOUND_ASSIGNMENT_OPERATOR:
            kids = list(c.get_children())
            if len(kids) != 2:
                return
            lhs_end = kids[0].extent.end.offset
            rhs_start = kids[1].extent.start.offset
            op = next((t for t in self.tokens(c) if lhs_end <= t.extent.start.offset < rhs_start), None)
            if op is None:
                return
            o = op.spelling
            table = None
            for name, tbl in (("arith", ARITH), ("rel", REL), ("logic", LOGIC), ("arith", COMPOUND)):
                if o in tbl:
                    table = (name, tbl)
                    break
            if table:
                self.add(path, op.extent.start.offset, op.extent.end.offset, table[1][o], table[0], o)
        elif kind == K.INTEGER_LITERAL:
            toks = self.tokens(c)
            if len(toks) != 1:
                return
            t = toks[0].spelling
            self.constants(path, s, e, t)
        elif kind in (K.IF_STMT, K.WHILE_STMT, K.FOR_STMT, K.DO_STMT):
            self.condition(c, path)
        elif kind == K.CONDITIONAL_OPERATOR:
            kids = list(c.get_children())
            if len(kids) == 3:
                cs, ce = kids[0].extent.start.offset, kids[0].extent.end.offset
                orig = self.text(path)[cs:ce].decode(errors="replace")
                if not self.after(path, ce).startswith("?"):
                    return
                self.add(path, cs, ce, "!(" + orig + ")", "negate", orig)
        elif kind == K.COMPOUND_STMT:
            for st in c.get_children():
                if st.kind not in DELETABLE:
                    continue
                if st.kind == K.BINARY_OPERATOR or st.kind == K.UNARY_OPERATOR:
                    toks = [t.spelling for t in self.tokens(st)]
                    if not (set(toks) & (ASSIGN_OPS | {"++", "--"})):
                        continue
                ss, se = st.extent.start.offset, st.extent.end.offset
                if st.extent.start.file is None or self.rel(st.extent.start.file) != path:
                    continue
                orig = self.text(path)[ss:se].decode(errors="replace")
                if not orig.strip() or orig.strip().startswith("{") or not self.after(path, se).startswith(";"):
                    continue
                self.add(path, ss, se, "(void)0", "delete")
        elif kind == K.RETURN_STMT:
            kids = list(c.get_children())
            if len(kids) != 1 or fn is None:
                return
            try:
                rt = fn.result_type if fn.kind != K.LAMBDA_EXPR else None
            except Exception:
                rt = None
            if rt is not None and rt.kind == ci.TypeKind.VOID:
                return
            es, ee = kids[0].extent.start.offset, kids[0].extent.end.offset
            orig = self.text(path)[es:ee].decode(errors="replace")
            if orig.strip() in ("{}", "0", "false", "nullptr"):
                return
            if not re.search(r"\breturn$", self.before(path, es)) or not self.after(path, ee).startswith(";"):
                return  # not the text of a return statement (a macro expansion)
            self.add(path, es, ee, "{}", "return")

    def constants(self, path, s, e, tok):
        body = tok.rstrip("uUlLzZ")
        suffix = tok[len(body):]
        if "'" in body:
            return
        try:
            value = int(body, 0) if not (len(body) > 1 and body.startswith("0") and body[1].isdigit()) \
                else int(body, 8)
        except ValueError:
            return
        hexa = body.lower().startswith("0x")
        fmt = (lambda v: hex(v) + suffix) if hexa else (lambda v: str(v) + suffix)
        variants = {0: [1], 1: [0, 2]}.get(value, [0, value + 1, value - 1])
        for v in variants:
            if v >= 0:
                self.add(path, s, e, fmt(v), "const", tok)

    def condition(self, c, path):
        """The condition of if/while/for/do, negated: found as the tokens between the statement's parentheses."""
        toks = self.tokens(c)
        if not toks:
            return
        if c.kind == K.DO_STMT:
            # do body while ( cond ) ;  -- the last '(' ... ')' pair at the end
            idx = [i for i, t in enumerate(toks) if t.spelling == "while"]
            if not idx:
                return
            i = idx[-1] + 1
        else:
            i = 1
            if toks[i].spelling == "constexpr":
                return
        if i >= len(toks) or toks[i].spelling != "(":
            return
        depth, j, parts, start = 0, i, [], i + 1
        while j < len(toks):
            sp = toks[j].spelling
            if sp in "([{":
                depth += 1
            elif sp in ")]}":
                depth -= 1
                if depth == 0:
                    parts.append((start, j))
                    break
            elif sp == ";" and depth == 1:
                parts.append((start, j))
                start = j + 1
            j += 1
        if c.kind == K.FOR_STMT:
            if len(parts) != 3:
                return  # a range-for has no condition
            a, b = parts[1]
        else:
            if len(parts) != 1:
                return  # if (init; cond): leave it
            a, b = parts[0]
        if a >= b:
            return
        cs, ce = toks[a].extent.start.offset, toks[b - 1].extent.end.offset
        orig = self.text(path)[cs:ce].decode(errors="replace")
        # A declaration as condition (if (auto x = f())) cannot be negated in place.
        if any(ch.kind == K.VAR_DECL for ch in c.get_children()) and c.kind != K.FOR_STMT:
            return
        self.add(path, cs, ce, "!(" + orig + ")", "negate", orig)


def find_sites(src_root, compile_commands, wanted, files_filter, progress=None):
    """Every site in files wanted(relpath), parsing each translation unit of compile_commands for which
    files_filter(entry) is true. Returns sites sorted by (file, start, end, repl)."""
    f = Finder(src_root, wanted)
    index = ci.Index.create()
    entries = [e for e in compile_commands if files_filter(e)]
    for n, e in enumerate(entries):
        if progress:
            progress(n, len(entries), e["file"])
        f.parse(e, index)
    return sorted(f.sites.values(), key=lambda s: (s["file"], s["start"], s["end"], s["repl"]))
