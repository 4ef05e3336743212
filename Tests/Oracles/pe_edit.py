#!/usr/bin/env python3
"""Writes a copy of a PE file changed as a tool or a hand would change it, for the tests' Windows cases.

    pe_edit.py IN OUT EDIT...

Edits, applied in order with pefile (which shares no code with Archway's reader):
  subsystem:X.Y         the optional header's subsystem version
  os:X.Y                the optional header's operating system version
  rename-import:OLD=NEW an imported DLL's name, in place (NEW no longer than OLD)
"""
import sys

import pefile


def main(source, target, edits):
    pe = pefile.PE(source)
    optional = pe.OPTIONAL_HEADER
    for edit in edits:
        kind, _, value = edit.partition(":")
        if kind == "subsystem":
            major, minor = value.split(".")
            optional.MajorSubsystemVersion, optional.MinorSubsystemVersion = int(major), int(minor)
        elif kind == "os":
            major, minor = value.split(".")
            optional.MajorOperatingSystemVersion, optional.MinorOperatingSystemVersion = int(major), int(minor)
        elif kind == "rename-import":
            old, new = value.split("=")
            entry = next(e for e in pe.DIRECTORY_ENTRY_IMPORT if e.dll.decode().lower() == old.lower())
            assert len(new) <= len(old), "the new name must fit in the old one's place"
            pe.set_bytes_at_rva(entry.struct.Name, new.encode() + b"\0" * (len(old) - len(new) + 1))
        else:
            raise SystemExit("unknown edit: " + edit)
    pe.write(filename=target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
