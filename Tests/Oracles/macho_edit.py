#!/usr/bin/env python3
"""Edits a thin 64-bit little-endian Mach-O file as the tools that break them do, for tests.

Usage: macho_edit.py IN OUT EDIT...

Edits, applied in order:
  strip-signature   remove LC_CODE_SIGNATURE (the signature's bytes stay, unreferenced)
  drop-uuid         remove LC_UUID
  platform:N        set LC_BUILD_VERSION's platform (1 macOS, 2 iOS, 6 Mac Catalyst, 7 iOS simulator)
  arm64e            set the CPU subtype to arm64e (CPU_SUBTYPE_ARM64E with the pointer-auth ABI bit)
  flip:OFFSET       invert the byte at OFFSET (a patched byte)
  add-cms           append a non-empty CMS blob wrapper to the signature, as a certificate leaves
  truncate-signature  make LC_CODE_SIGNATURE claim more bytes than the file has
  resign            recompute every page hash of every CodeDirectory (an ad hoc re-sign)

Written from xnu's osfmk/kern/cs_blobs.h and <mach-o/loader.h>; shares no code with Archway.
"""
import hashlib
import struct
import sys

LC_UUID, LC_CODE_SIGNATURE, LC_BUILD_VERSION = 0x1B, 0x1D, 0x32


def commands(data):
    ncmds, = struct.unpack_from("<I", data, 16)
    at = 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, at)
        yield at, cmd, size
        at += size


def remove_command(data, wanted):
    for at, cmd, size in list(commands(data)):
        if cmd == wanted:
            ncmds, sizeofcmds = struct.unpack_from("<II", data, 16)
            end = 32 + sizeofcmds
            data[at:end] = data[at + size:end] + bytes(size)
            struct.pack_into("<II", data, 16, ncmds - 1, sizeofcmds - size)
            return
    raise SystemExit(f"no load command 0x{wanted:x}")


def command(data, wanted):
    for at, cmd, _ in commands(data):
        if cmd == wanted:
            return at
    raise SystemExit(f"no load command 0x{wanted:x}")


def signature(data):
    at = command(data, LC_CODE_SIGNATURE)
    return at, *struct.unpack_from("<II", data, at + 8)


def blobs(data, start):
    _, _, count = struct.unpack_from(">III", data, start)
    for index in range(count):
        slot, offset = struct.unpack_from(">II", data, start + 12 + 8 * index)
        yield slot, start + offset


def resign(data):
    _, start, _ = signature(data)
    for slot, at in blobs(data, start):
        if slot != 0 and not 0x1000 <= slot <= 0x1004:
            continue
        hash_offset, = struct.unpack_from(">I", data, at + 16)
        slots, limit = struct.unpack_from(">II", data, at + 28)
        size, kind, _, shift = struct.unpack_from(">BBBB", data, at + 36)
        function = {1: hashlib.sha1, 2: hashlib.sha256, 3: hashlib.sha256, 4: hashlib.sha384}[kind]
        page = 1 << shift if shift else limit
        for index in range(slots):
            digest = function(bytes(data[index * page:min((index + 1) * page, limit)])).digest()[:size]
            data[at + hash_offset + index * size:at + hash_offset + (index + 1) * size] = digest


def add_cms(data):
    at, start, size = signature(data)
    magic, length, count = struct.unpack_from(">III", data, start)
    entries = [struct.unpack_from(">II", data, start + 12 + 8 * i) for i in range(count)]
    payload = [bytes(data[start + offset:start + offset + struct.unpack_from(">I", data, start + offset + 4)[0]])
               for _, offset in entries]
    cms = struct.pack(">II", 0xFADE0B01, 8 + 64) + b"\x30\x82" + bytes(62)  # a DER SEQUENCE's start, then padding
    entries.append((0x10000, 0))
    payload.append(cms)
    offset = 12 + 8 * len(entries)
    table, body = b"", b""
    for (slot, _), blob in zip(entries, payload):
        table += struct.pack(">II", slot, offset + len(body))
        body += blob
    superblob = struct.pack(">III", magic, 12 + len(table) + len(body), len(entries)) + table + body
    del data[start:]
    data += superblob
    struct.pack_into("<I", data, at + 12, len(superblob))
    for segment, cmd, _ in commands(data):  # __LINKEDIT grows to hold it
        if cmd == 0x19 and data[segment + 8:segment + 24].rstrip(b"\0") == b"__LINKEDIT":
            fileoff, = struct.unpack_from("<Q", data, segment + 40)
            struct.pack_into("<Q", data, segment + 48, len(data) - fileoff)
            struct.pack_into("<Q", data, segment + 32, (len(data) - fileoff + 0x3FFF) & ~0x3FFF)


def main(argv):
    source, target, edits = argv[1], argv[2], argv[3:]
    data = bytearray(open(source, "rb").read())
    if struct.unpack_from("<I", data, 0)[0] != 0xFEEDFACF:
        raise SystemExit("not a thin 64-bit little-endian Mach-O")
    for edit in edits:
        name, _, value = edit.partition(":")
        if name == "strip-signature":
            remove_command(data, LC_CODE_SIGNATURE)
        elif name == "drop-uuid":
            remove_command(data, LC_UUID)
        elif name == "platform":
            struct.pack_into("<I", data, command(data, LC_BUILD_VERSION) + 8, int(value))
        elif name == "arm64e":
            struct.pack_into("<I", data, 8, 0x80000002)
        elif name == "flip":
            data[int(value, 0)] ^= 0xFF
        elif name == "add-cms":
            add_cms(data)
        elif name == "truncate-signature":
            at, start, _ = signature(data)
            struct.pack_into("<I", data, at + 12, len(data) - start + 4096)
        elif name == "resign":
            resign(data)
        else:
            raise SystemExit(f"unknown edit {edit}")
    with open(target, "wb") as handle:
        handle.write(data)


if __name__ == "__main__":
    main(sys.argv)
