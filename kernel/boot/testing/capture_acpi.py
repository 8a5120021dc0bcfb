#!/usr/bin/env python3
"""Capture the ACPI tables QEMU's firmware builds, for the ACPI parser's tests (kernel/boot/acpi_test.cpp).

For each configuration below: start qemu-system-x86_64 without a boot disk, let the firmware (SeaBIOS or OVMF)
build its ACPI tables, dump guest RAM through the monitor (pmemsave), and find a valid RSDP in the dump
(16-byte aligned, "RSD PTR ", 20-byte checksum, extended checksum for revision >= 2). Then copy out the RSDP and
every table it reaches: the RSDT and XSDT, their entries, and the FADT's DSDT and FACS. Each configuration
becomes a directory kernel/boot/testing/acpi/<name>/ with one file per table, named after its signature
(a second table of the same signature gets "-2", ...), and manifest.txt: one line per file,
"<physical address in hex> <file>", and the QEMU command line as a comment.

The checks here are independent of the kernel's parser: they are the specification's (ACPI 6.5, 5.2.5-5.2.9).

    kernel/boot/testing/capture_acpi.py [--out DIR] [--only NAME...]

Standard library only. Needs qemu-system-x86_64 and, for the OVMF configurations, /usr/share/OVMF.
"""

import argparse
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

RAM_MIB = 128
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

# name -> (machine, firmware, -smp argument)
CONFIGS = {
    "pc-seabios": ("pc", "seabios", "4"),
    "q35-seabios": ("q35", "seabios", "4"),
    "pc-ovmf": ("pc", "ovmf", "4"),
    "q35-ovmf": ("q35", "ovmf", "4"),
    "pc-seabios-hotplug": ("pc", "seabios", "2,maxcpus=8"),
}


def checksum_ok(data):
    return sum(data) & 0xFF == 0


def find_rsdps(ram):
    """Every valid RSDP in the dump, (address, revision, rsdt, xsdt, bytes), best first: the highest revision,
    then 16-byte aligned ones. OVMF keeps two: an ACPI 1.0 RSDP (revision 0, RSDT only) for the ACPI 1.0 entry
    of the EFI configuration table and right after it, not 16-byte aligned, the ACPI 2.0 one (revision 2, with
    the XSDT), which is what its configuration table's ACPI 2.0 entry and so the loader hands the kernel."""
    found = []
    pos = ram.find(b"RSD PTR ")
    while pos >= 0:
        if pos + 20 <= len(ram) and checksum_ok(ram[pos : pos + 20]):
            revision = ram[pos + 15]
            rsdt = struct.unpack_from("<I", ram, pos + 16)[0]
            length, xsdt = 20, 0
            ok = True
            if revision >= 2:
                length = struct.unpack_from("<I", ram, pos + 20)[0]
                ok = 36 <= length <= 4096 and pos + length <= len(ram) and checksum_ok(ram[pos : pos + length])
                if ok:
                    xsdt = struct.unpack_from("<Q", ram, pos + 24)[0]
            if ok:
                found.append((pos, revision, rsdt, xsdt, bytes(ram[pos : pos + length])))
        pos = ram.find(b"RSD PTR ", pos + 1)
    found.sort(key=lambda r: (-r[1], r[0] % 16 != 0, r[0]))
    return found


def table_at(ram, pa, checked=True):
    """The table at pa if its header and (unless FACS) checksum are good, else None."""
    if pa == 0 or pa + 8 > len(ram):
        return None
    sig = bytes(ram[pa : pa + 4])
    length = struct.unpack_from("<I", ram, pa + 4)[0]
    if length < (36 if checked else 8) or length > (1 << 20) or pa + length > len(ram):
        return None
    data = bytes(ram[pa : pa + length])
    if checked and not checksum_ok(data):
        return None
    return sig.decode("ascii", "replace"), data


def collect(ram):
    """The RSDP and everything it reaches, as [(pa, signature, bytes)], or None when nothing valid is there."""
    rsdps = find_rsdps(ram)
    if not rsdps:
        return None
    pa, revision, rsdt_pa, xsdt_pa, rsdp = rsdps[0]
    tables = [(pa, "RSDP", rsdp)]
    seen = {pa}
    entries = []
    for root_pa, size, sig in ((rsdt_pa, 4, "RSDT"), (xsdt_pa, 8, "XSDT")):
        t = table_at(ram, root_pa)
        if not t:
            continue
        if t[0] != sig:
            return None
        tables.append((root_pa, sig, t[1]))
        seen.add(root_pa)
        body = t[1][36:]
        for i in range(len(body) // size):
            entries.append(struct.unpack_from("<I" if size == 4 else "<Q", body, i * size)[0])
    if len(tables) < 2:
        return None
    more = []
    for e in entries:
        if e in seen:
            continue
        t = table_at(ram, e)
        if not t:
            return None  # not finished yet, or broken: try again later
        seen.add(e)
        tables.append((e, t[0], t[1]))
        if t[0] == "FACP":
            fadt = t[1]
            facs, dsdt = struct.unpack_from("<II", fadt, 36)
            if len(fadt) >= 148:
                xfacs, xdsdt = struct.unpack_from("<QQ", fadt, 132)
                facs, dsdt = xfacs or facs, xdsdt or dsdt
            more.append((dsdt, True))
            more.append((facs, False))
    for e, checked in more:
        if e in seen or e == 0:
            continue
        t = table_at(ram, e, checked)
        if not t:
            return None
        seen.add(e)
        tables.append((e, t[0], t[1]))
    return tables


class Monitor:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(100):
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("QEMU monitor did not come up")
        self.read_until_prompt()

    def read_until_prompt(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("QEMU monitor closed")
            buf += chunk
        return buf

    def command(self, line):
        self.sock.sendall(line.encode() + b"\n")
        return self.read_until_prompt()


def capture(name, machine, firmware, smp, timeout):
    work = tempfile.mkdtemp(prefix="acpi-capture-")
    try:
        mon_path = os.path.join(work, "monitor.sock")
        cmd = ["qemu-system-x86_64", "-machine", machine, "-m", f"{RAM_MIB}M", "-smp", smp, "-display", "none",
               "-nodefaults", "-serial", "none", "-parallel", "none", "-monitor", f"unix:{mon_path},server,nowait"]
        shown = " ".join(cmd[:-1] + ["unix:<socket>,server,nowait"])
        if firmware == "ovmf":
            vars_copy = os.path.join(work, "vars.fd")
            shutil.copyfile(OVMF_VARS, vars_copy)
            cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                    "-drive", f"if=pflash,format=raw,file={vars_copy}"]
            shown += f" -drive if=pflash,format=raw,readonly=on,file={OVMF_CODE}" \
                     f" -drive if=pflash,format=raw,file=<copy of {OVMF_VARS}>"
        qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        try:
            mon = Monitor(mon_path)
            dump = os.path.join(work, "ram.bin")
            deadline = time.monotonic() + timeout
            previous = None
            while time.monotonic() < deadline:
                time.sleep(2)
                out = mon.command(f'pmemsave 0 {RAM_MIB << 20:#x} "{dump}"')
                if not os.path.exists(dump):
                    raise RuntimeError(f"pmemsave failed: {out!r}")
                with open(dump, "rb") as f:
                    ram = f.read()
                tables = collect(ram)
                # Stable across two dumps: the firmware has finished (and not just begun) its tables.
                if tables and tables == previous:
                    return tables, shown
                previous = tables
            raise RuntimeError(f"{name}: no stable ACPI tables after {timeout} s")
        finally:
            qemu.kill()
            qemu.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write(out_dir, name, tables, shown):
    d = os.path.join(out_dir, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    used = {}
    lines = [f"# {name}: captured by kernel/boot/testing/capture_acpi.py from", f"# {shown}",
             "# physical address, file (one table each; RSDP first)"]
    for pa, sig, data in tables:
        base = "".join(c if c.isalnum() else "_" for c in sig)
        used[base] = used.get(base, 0) + 1
        fname = f"{base}.bin" if used[base] == 1 else f"{base}-{used[base]}.bin"
        with open(os.path.join(d, fname), "wb") as f:
            f.write(data)
        lines.append(f"0x{pa:x} {fname}")
    with open(os.path.join(d, "manifest.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{name}: " + ", ".join(f"{sig}@0x{pa:x}({len(data)})" for pa, sig, data in tables))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=os.path.join(here, "acpi"))
    p.add_argument("--only", nargs="*", choices=sorted(CONFIGS))
    p.add_argument("--timeout", type=float, default=90)
    args = p.parse_args()
    for name in args.only or CONFIGS:
        machine, firmware, smp = CONFIGS[name]
        tables, shown = capture(name, machine, firmware, smp, args.timeout)
        write(args.out, name, tables, shown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
