#!/usr/bin/env python3
"""Writes the table of Windows functions newer than Windows Vista, with the first release of each.

    Scripts/generate-windows-functions.py MINGW_ROOT > Sources/ArchwayKit/Target/WindowsFunctionTable.swift

MINGW_ROOT holds the mingw-w64 headers (include/) and import definitions (lib-common/, lib64/), as
the ziglang wheel from PyPI ships them under ziglang/lib/libc/ (include/any-windows-any and
mingw/); `Scripts/build-fixtures.sh` unpacks the pinned version into .build-tools/. The test
suite runs this script and compares its output with the committed table.

The source of truth is Microsoft's "Minimum supported client/server" for each function; the
mingw-w64 headers encode it as the `_WIN32_WINNT`, `WINVER` and `NTDDI_VERSION` guards around each
declaration, and the import definitions say which DLLs export it. A function is listed when every
declaration of it sits under a version guard newer than Vista (6.0); a function declared anywhere
without one is left out, so a missing or loose guard can only let a binary pass, never fail a sound
one. EXTRA below adds what the headers leave unguarded, each with Microsoft's page.
"""
import os
import re
import sys

# Windows 10's NTDDI revisions and the first build of each (Microsoft, "Windows 10 release
# information" and the SDK's sdkddkver.h). No release shipped a Zinc (ZN) or Gallium (GA) build:
# what they added first shipped in Germanium, Windows 11 24H2 and Server 2025 (26100).
WIN10_BUILDS = {
    0x00: 10240, 0x01: 10586, 0x02: 14393, 0x03: 15063, 0x04: 16299, 0x05: 17134, 0x06: 17763,
    0x07: 18362, 0x08: 19041, 0x09: 19042, 0x0A: 20348, 0x0B: 22000, 0x0C: 22621, 0x0D: 22631,
    0x0E: 26100, 0x0F: 26100, 0x10: 26100,
}

# winuser.h writes releases of Windows 10 as WINVER 0x0604 to 0x0606, after 8.1's 0x0603: what it
# guards with 0x0605 (GetDpiForWindow) Microsoft lists from Windows 10 1607, with 0x0606
# (GetThreadDpiHostingBehavior) from 1803.
WINUSER_WIN10 = {0x0604: (10, 0, 10240), 0x0605: (10, 0, 14393), 0x0606: (10, 0, 17134)}

# Functions the headers declare without a guard, with the first release Microsoft's reference
# names: (dll, function, version, source).
EXTRA = [
    ("kernel32.dll", "GetSystemTimePreciseAsFileTime", (6, 2),
     "https://learn.microsoft.com/windows/win32/api/sysinfoapi/nf-sysinfoapi-getsystemtimepreciseasfiletime"),
    ("api-ms-win-core-synch-l1-2-0.dll", "WaitOnAddress", (6, 2),
     "https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitonaddress"),
    ("api-ms-win-core-synch-l1-2-0.dll", "WakeByAddressAll", (6, 2),
     "https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-wakebyaddressall"),
    ("api-ms-win-core-synch-l1-2-0.dll", "WakeByAddressSingle", (6, 2),
     "https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-wakebyaddresssingle"),
    ("kernel32.dll", "InitializeSynchronizationBarrier", (6, 2),
     "https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-initializesynchronizationbarrier"),
    ("kernel32.dll", "SetThreadDescription", (10, 0, 14393),
     "https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-setthreaddescription"),
    ("kernel32.dll", "GetThreadDescription", (10, 0, 14393),
     "https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getthreaddescription"),
    ("bcryptprimitives.dll", "ProcessPrng", (6, 2),
     "https://learn.microsoft.com/windows/win32/seccng/processprng"),
]

VISTA = (6, 0)


def version_of(value):
    """A `_WIN32_WINNT`/`WINVER` (0x0601) or `NTDDI_VERSION` (0x06010000) value as a version."""
    if value > 0xFFFF:
        major, minor, revision = value >> 24, (value >> 16) & 0xFF, value & 0xFF
        if major == 10:
            return (10, 0, WIN10_BUILDS.get(revision, max(WIN10_BUILDS.values())))
        return (major, minor)
    if value in WINUSER_WIN10:
        return WINUSER_WIN10[value]
    major, minor = value >> 8, value & 0xFF
    return (10, 0, 10240) if major == 10 else (major, minor)


def read_constants(include):
    """The numeric macros of sdkddkver.h (`_WIN32_WINNT_WIN8`, `NTDDI_WIN10_FE`, `NTDDI_VISTA`…)."""
    names = {}
    with open(os.path.join(include, "sdkddkver.h"), encoding="latin-1") as f:
        for line in f:
            m = re.match(r"\s*#\s*define\s+(\w+)\s+(\w+)\s*$", line)
            if m:
                names[m.group(1)] = m.group(2)

    def resolve(name, depth=0):
        text = names.get(name, name)
        if re.fullmatch(r"0[xX][0-9a-fA-F]+|\d+", text):
            return int(text, 0)
        return resolve(text, depth + 1) if depth < 8 and text in names else None

    return {name: resolve(name) for name in names}


TOKEN = re.compile(r"\s*(\|\||&&|>=|<=|==|!=|[<>()!]|\w+)")


class Condition:
    """A `#if` expression read for the oldest Windows it holds on: `floor()` gives that version,
    or None when the expression holds on some release whatever its version (or is not understood)."""

    VERSIONED = {"_WIN32_WINNT", "WINVER", "NTDDI_VERSION"}

    def __init__(self, text, constants):
        self.tokens = [t for t in TOKEN.findall(text)]
        self.at = 0
        self.constants = constants

    def floor(self):
        try:
            return self.disjunction()
        except (IndexError, ValueError):
            return None

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self):
        self.at += 1
        return self.tokens[self.at - 1]

    def disjunction(self):
        floors = [self.conjunction()]
        while self.peek() == "||":
            self.take()
            floors.append(self.conjunction())
        return None if None in floors else min(floors)

    def conjunction(self):
        floors = [self.unary()]
        while self.peek() == "&&":
            self.take()
            floors.append(self.unary())
        known = [f for f in floors if f is not None]
        return max(known) if known else None

    def unary(self):
        token = self.peek()
        if token == "!":
            self.take()
            self.unary()
            return None
        if token == "(":
            self.take()
            floor = self.disjunction()
            if self.take() != ")":
                raise ValueError
            return floor
        return self.comparison()

    def comparison(self):
        name = self.take()
        if self.peek() == "(":  # defined(X), WINAPI_FAMILY_PARTITION(X)
            depth = 0
            while True:
                t = self.take()
                depth += {"(": 1, ")": -1}.get(t, 0)
                if depth == 0:
                    break
            return None
        if self.peek() in (">=", ">", "<", "<=", "==", "!="):
            op, value = self.take(), self.take()
            number = self.constants.get(value)
            if number is None and re.fullmatch(r"0[xX][0-9a-fA-F]+|\d+", value):
                number = int(value, 0)
            if name in self.VERSIONED and op in (">=", ">") and number is not None:
                return version_of(number + (1 if op == ">" else 0))
        return None


DECLARATION = re.compile(r"\b(?:WINAPI|NTAPI|APIENTRY|WSAAPI|STDAPICALLTYPE|WINAPIV)\s+(\w+)\s*\(")


def header_floors(include, constants):
    """Every function declared in the headers, with the lowest guard over its declarations."""
    floors = {}
    for name in sorted(os.listdir(include)):
        if not name.endswith(".h"):
            continue
        stack = []  # per open #if: the floor of the branch we are in
        with open(os.path.join(include, name), encoding="latin-1") as f:
            lines = f.read().replace("\\\n", " ").split("\n")
        for line in lines:
            line = re.sub(r"/\*.*?\*/|//.*", "", line)
            directive = re.match(r"\s*#\s*(\w+)\s*(.*)", line)
            if directive:
                word, rest = directive.groups()
                if word == "if":
                    stack.append(Condition(rest, constants).floor())
                elif word in ("ifdef", "ifndef"):
                    stack.append(None)
                elif word == "elif" and stack:
                    stack[-1] = Condition(rest, constants).floor()
                elif word == "else" and stack:
                    stack[-1] = None
                elif word == "endif" and stack:
                    stack.pop()
                continue
            for function in DECLARATION.findall(line):
                guards = [f for f in stack if f is not None]
                floor = max(guards) if guards else VISTA
                floors[function] = min(floors.get(function, floor), floor)
    return floors


def exporters(mingw):
    """Which DLLs export each name, from the import definitions (`LIBRARY`, then one export a line)."""
    dlls = {}
    for folder in ("lib-common", "lib64"):
        path = os.path.join(mingw, folder)
        for name in sorted(os.listdir(path)):
            if not (name.endswith(".def") or name.endswith(".def.in")) or "_windowsapp" in name:
                continue
            library = None
            with open(os.path.join(path, name), encoding="latin-1") as f:
                for line in f:
                    line = line.split(";")[0].strip()
                    m = re.match(r'LIBRARY\s+"?([^"\s]+)"?', line, re.IGNORECASE)
                    if m:
                        library = m.group(1).lower()
                        if not library.endswith((".dll", ".drv", ".exe", ".sys", ".cpl", ".ocx")):
                            library += ".dll"
                        continue
                    if not library or not line or line.startswith("#") or line.upper() == "EXPORTS":
                        continue
                    export = re.split(r"[\s@=]", line)[0]
                    if re.fullmatch(r"\w+", export):
                        dlls.setdefault(export, set()).add(library)
    return dlls


def render(version):
    return ".".join(str(part) for part in version)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: generate-windows-functions.py ROOT SOURCE-NAME\n"
                 "  ROOT holds include/ and mingw/ (ziglang's lib/libc); SOURCE-NAME is written into the file")
    root, source = sys.argv[1], sys.argv[2]
    include, mingw = os.path.join(root, "include", "any-windows-any"), os.path.join(root, "mingw")
    constants = read_constants(include)
    floors = header_floors(include, constants)
    exports = exporters(mingw)
    table = {}  # dll -> version -> functions
    for function, floor in floors.items():
        if floor <= VISTA:
            continue
        for dll in sorted(exports.get(function, ())):
            table.setdefault(dll, {}).setdefault(floor, set()).add(function)
    for dll, function, floor, _ in EXTRA:
        table.setdefault(dll, {}).setdefault(floor, set()).add(function)

    out = sys.stdout
    out.write("// Generated by Scripts/generate-windows-functions.py from the mingw-w64 headers and import\n")
    out.write(f"// definitions of {source}: do not edit. The test suite regenerates it and compares.\n\n")
    out.write("extension WindowsFunctions {\n")
    out.write(f"  /// Where ``table`` comes from.\n  static let source = \"{source}\"\n\n")
    out.write("  /// One line per DLL and release: the DLL, the first Windows (NT version) that exports the\n")
    out.write("  /// functions that follow, then the functions.\n")
    out.write('  static let table = """\n')
    for dll in sorted(table):
        for floor in sorted(table[dll]):
            functions = sorted(table[dll][floor])
            # Lines within the 120 columns of the code's style keep the file readable and diffable.
            prefix = f"    {dll} {render(floor)} "
            line, lines = [], []
            for function in functions:
                if line and len(prefix + " ".join(line + [function])) > 120:
                    lines.append(line)
                    line = []
                line.append(function)
            lines.append(line)
            for chunk in lines:
                out.write(prefix + " ".join(chunk) + "\n")
    out.write('    """\n}\n')


if __name__ == "__main__":
    main()
