"""The private source tree and build trees that mutants are built in (build/mutate/).

Nothing here writes to the repository's own sources: the tool mutates build/mutate/src, a copy of the committed
tree (`git archive`), synced file by file so unchanged files keep their timestamps and ninja stays incremental.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile

HOST_CACHE = {
    # The host preset (CMakePresets.json) with the three host tiers in one tree and no sanitizer: mutants are run
    # against unit, sim and prop in an optimised build (see README.md for why not the asan tree).
    "CMAKE_C_COMPILER": "clang",
    "CMAKE_CXX_COMPILER": "clang++",
    "CMAKE_BUILD_TYPE": "RelWithDebInfo",
    "CMAKE_EXPORT_COMPILE_COMMANDS": "ON",
    "JANUS_SANITIZE": "",
    "JANUS_TIERS": "unit;prop;sim",
}
METAL_CACHE = {
    "CMAKE_C_COMPILER": "clang",
    "CMAKE_CXX_COMPILER": "clang++",
    "CMAKE_BUILD_TYPE": "RelWithDebInfo",
    "CMAKE_EXPORT_COMPILE_COMMANDS": "ON",
}


def run(cmd, log=None, timeout=None, cwd=None, env=None):
    """Run a command; returns (returncode, output). A timeout returns (None, output so far)."""
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace", timeout=timeout)
        out, rc = p.stdout, p.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        rc = None
    if log:
        with open(log, "a") as f:
            f.write("$ " + " ".join(cmd) + "\n" + out + "\n")
    return rc, out


class Trees:
    def __init__(self, repo, work, rev="HEAD"):
        self.repo = repo
        self.work = work  # build/mutate
        self.rev = rev
        self.src = os.path.join(work, "src")
        self.host = os.path.join(work, "host")
        self.metal = os.path.join(work, "x86_64")          # mutants' bare-metal builds (hw tier)
        self.metal_ref = os.path.join(work, "x86_64-ref")  # never mutated: the QEMU reference for usermode.*
        self.log = os.path.join(work, "build.log")

    # ------------------------------------------------------------------------------------------ the copy
    def sync(self):
        """Make build/mutate/src exactly the tree of self.rev; returns that tree's id."""
        tree = subprocess.run(["git", "rev-parse", self.rev + "^{tree}"], cwd=self.repo, check=True,
                              capture_output=True, text=True).stdout.strip()
        data = subprocess.run(["git", "archive", "--format=tar", self.rev], cwd=self.repo, check=True,
                              capture_output=True).stdout
        wanted = set()
        os.makedirs(self.src, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for m in tar.getmembers():
                path = os.path.join(self.src, m.name)
                if m.isdir():
                    os.makedirs(path, exist_ok=True)
                    continue
                wanted.add(os.path.normpath(path))
                if m.issym():
                    if not (os.path.islink(path) and os.readlink(path) == m.linkname):
                        if os.path.lexists(path):
                            os.remove(path)
                        os.symlink(m.linkname, path)
                    continue
                content = tar.extractfile(m).read()
                try:
                    with open(path, "rb") as f:
                        same = f.read() == content
                except OSError:
                    same = False
                if not same:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "wb") as f:
                        f.write(content)
                mode = 0o755 if m.mode & 0o111 else 0o644
                if os.stat(path).st_mode & 0o777 != mode:
                    os.chmod(path, mode)
        for dirpath, dirnames, filenames in os.walk(self.src):
            for name in filenames:
                path = os.path.normpath(os.path.join(dirpath, name))
                if path not in wanted:
                    os.remove(path)
        return tree

    # ----------------------------------------------------------------------------------------- building
    def configure(self):
        def conf(bdir, cache, extra):
            if os.path.exists(os.path.join(bdir, "build.ninja")):
                return
            args = ["cmake", "-S", self.src, "-B", bdir, "-G", "Ninja"] + extra
            args += ["-D%s=%s" % kv for kv in cache.items()]
            rc, out = run(args, log=self.log)
            if rc != 0:
                raise SystemExit("mutate: configuring %s failed (%s)" % (bdir, self.log))

        conf(self.metal_ref, METAL_CACHE,
             ["-DCMAKE_TOOLCHAIN_FILE=" + os.path.join(self.src, "cmake/toolchain-x86_64-elf.cmake")])
        conf(self.metal, METAL_CACHE,
             ["-DCMAKE_TOOLCHAIN_FILE=" + os.path.join(self.src, "cmake/toolchain-x86_64-elf.cmake")])
        conf(self.host, HOST_CACHE, ["-DJANUS_METAL_BUILD_DIR=" + self.metal_ref])

    def build(self, bdir, targets=(), timeout=None):
        return run(["ninja", "-C", bdir] + list(targets), log=self.log, timeout=timeout)

    def build_baseline(self):
        for bdir in (self.metal_ref, self.metal, self.host):
            rc, out = self.build(bdir)
            if rc != 0:
                raise SystemExit("mutate: the unmutated tree does not build in %s:\n%s" % (bdir, out[-3000:]))


def file_hash(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def code_hash(obj, objcopy="llvm-objcopy-14"):
    """A hash of an object's code and data: debug info and the compiler's ident string removed. Mutations keep
    line numbers (they never add or remove a newline), so __LINE__ in assertions does not differ either."""
    tmp = obj + ".mutate-stripped"
    rc = subprocess.run([objcopy, "--strip-debug", "--remove-section=.comment", "--remove-section=.llvm_addrsig",
                         obj, tmp], capture_output=True).returncode
    if rc != 0:
        return None
    try:
        return file_hash(tmp)
    finally:
        os.remove(tmp)


def save_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def load_json(path, default):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default
