#!/usr/bin/env python3
"""Independent facts about binaries, for cross-checking Archway in tests.

Reads ELF with pyelftools, Mach-O with macholib and LIEF and PE with pefile (none of them shares code
with Archway) and prints one JSON object per path, keyed by path:

  elf:   elf_class, little_endian, e_machine, e_type, osabi, interpreter, needed, soname, rpath,
         runpath, flags_1_pie, version_requirements {lib: [names]}, versioned_imports
         {name: [symbols]}, glibc_floor, build_id
  macho: slices [{cputype, cpusubtype, filetype, dylibs, weak_dylibs, rpaths, uuid, platform,
         minos, sdk, signed, code_signature}] (code_signature through LIEF and hashlib: each
         CodeDirectory's fields and its first page whose recomputed hash differs)
  pe:    machine, magic, subsystem, subsystem_version, is_dll, dlls, imports

Usage: binary_facts.py FILE...
"""
import json
import sys


def elf_facts(path):
    from elftools.elf.elffile import ELFFile
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection
    from elftools.elf.sections import NoteSection

    with open(path, "rb") as handle:
        elf = ELFFile(handle)
        out = {
            "elf_class": elf.elfclass,
            "little_endian": elf.little_endian,
            "e_machine": elf["e_machine"],
            "e_type": elf["e_type"],
            "osabi": elf["e_ident"]["EI_OSABI"],
            "interpreter": None,
            "needed": [],
            "soname": None,
            "rpath": None,
            "runpath": None,
            "flags_1_pie": False,
            "version_requirements": {},
            "versioned_imports": {},
            "glibc_floor": None,
            "build_id": None,
        }
        for segment in elf.iter_segments():
            if segment["p_type"] == "PT_INTERP":
                out["interpreter"] = segment.get_interp_name()
        version_names = {}
        for section in elf.iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    if tag.entry.d_tag == "DT_NEEDED":
                        out["needed"].append(tag.needed)
                    elif tag.entry.d_tag == "DT_SONAME":
                        out["soname"] = tag.soname
                    elif tag.entry.d_tag == "DT_RPATH":
                        out["rpath"] = tag.rpath
                    elif tag.entry.d_tag == "DT_RUNPATH":
                        out["runpath"] = tag.runpath
                    elif tag.entry.d_tag == "DT_FLAGS_1":
                        out["flags_1_pie"] = bool(tag.entry.d_val & 0x08000000)
            elif isinstance(section, GNUVerNeedSection):
                for verneed, auxiliaries in section.iter_versions():
                    names = out["version_requirements"].setdefault(verneed.name, [])
                    for aux in auxiliaries:
                        names.append(aux.name)
                        version_names[aux["vna_other"]] = aux.name
            elif isinstance(section, NoteSection):
                for note in section.iter_notes():
                    if note["n_type"] == "NT_GNU_BUILD_ID":
                        out["build_id"] = note["n_desc"]
        for names in out["version_requirements"].values():
            names.sort()
        dynsym = elf.get_section_by_name(".dynsym")
        versym = next((s for s in elf.iter_sections() if isinstance(s, GNUVerSymSection)), None)
        if dynsym is not None and versym is not None:
            for index, symbol in enumerate(dynsym.iter_symbols()):
                if index == 0 or symbol["st_shndx"] != "SHN_UNDEF":
                    continue
                number = versym.get_symbol(index)["ndx"]
                if isinstance(number, int) and (number & 0x7FFF) in version_names:
                    name = version_names[number & 0x7FFF]
                    out["versioned_imports"].setdefault(name, set()).add(symbol.name)
        out["versioned_imports"] = {k: sorted(v) for k, v in out["versioned_imports"].items()}
        glibc = [n for names in out["version_requirements"].values() for n in names
                 if n.startswith("GLIBC_") and n[6:].replace(".", "").isdigit()]
        if glibc:
            best = max(glibc, key=lambda n: tuple(int(p) for p in n[6:].split(".")))
            out["glibc_floor"] = best[6:]
        return out


def macho_facts(path):
    from macholib.MachO import MachO
    from macholib import mach_o

    def version(value):
        text = "%d.%d" % (value >> 16, (value >> 8) & 0xFF)
        return text + (".%d" % (value & 0xFF) if value & 0xFF else "")

    slices = []
    for header in MachO(path).headers:
        item = {
            "cputype": mach_o.CPU_TYPE_NAMES.get(header.header.cputype, header.header.cputype),
            "cpusubtype": header.header.cpusubtype & 0xFFFFFF,
            "filetype": header.header.filetype,
            "dylibs": [], "weak_dylibs": [], "rpaths": [], "uuid": None,
            "platform": None, "minos": None, "sdk": None, "signed": False,
            "offset": header.offset, "size": header.size,
        }
        for command, body, data in header.commands:
            kind = command.cmd
            if kind in (mach_o.LC_LOAD_DYLIB, mach_o.LC_REEXPORT_DYLIB, mach_o.LC_LAZY_LOAD_DYLIB,
                        mach_o.LC_LOAD_UPWARD_DYLIB):
                item["dylibs"].append(data.rstrip(b"\0").decode())
            elif kind == mach_o.LC_LOAD_WEAK_DYLIB:
                item["weak_dylibs"].append(data.rstrip(b"\0").decode())
            elif kind == mach_o.LC_RPATH:
                item["rpaths"].append(data.rstrip(b"\0").decode())
            elif kind == mach_o.LC_UUID:
                raw = bytes(body.uuid)
                item["uuid"] = "-".join(raw.hex().upper()[a:b] for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)))
            elif kind == mach_o.LC_CODE_SIGNATURE:
                item["signed"] = True
            elif kind == mach_o.LC_BUILD_VERSION:
                item["platform"] = body.platform
                item["minos"] = version(body.minos)
                item["sdk"] = version(body.sdk)
            elif kind == mach_o.LC_VERSION_MIN_MACOSX and item["minos"] is None:
                item["platform"] = 1
                item["minos"] = version(body.version)
                item["sdk"] = version(body.sdk)
        slices.append(item)
    signatures(path, slices)
    return {"slices": slices}


def signatures(path, slices):
    """Adds each slice's `code_signature`: LIEF finds LC_CODE_SIGNATURE and its bytes; the
    SuperBlob and CodeDirectories are parsed here (xnu's cs_blobs.h) and every page hash recomputed
    with hashlib over the slice's bytes."""
    import hashlib
    import struct
    import lief

    lief.logging.disable()
    data = open(path, "rb").read()
    parsed = lief.MachO.parse(path)
    for index, item in enumerate(slices):
        binary = parsed.at(index) if parsed else None
        if binary is None or not binary.has_code_signature:
            item["code_signature"] = None
            continue
        command = binary.code_signature
        body = data[item["offset"]:item["offset"] + item["size"]]
        blob = bytes(command.content)
        if len(blob) < 12 or len(blob) != command.data_size:
            item["code_signature"] = {"malformed": True}
            continue
        _, _, count = struct.unpack_from(">III", blob, 0)
        entries = [struct.unpack_from(">II", blob, 12 + 8 * i) for i in range(count)]
        directories, certificate = [], False
        for slot, offset in entries:
            magic, length = struct.unpack_from(">II", blob, offset)
            if slot == 0x10000:
                certificate = length > 8
            if magic != 0xFADE0C02:
                continue
            cd = blob[offset:offset + length]
            version, flags, hash_offset, ident, special, slots, limit = struct.unpack_from(">7I", cd, 8)
            size, kind, _, shift = struct.unpack_from(">4B", cd, 36)
            function = {1: hashlib.sha1, 2: hashlib.sha256, 3: hashlib.sha256, 4: hashlib.sha384}[kind]
            page = 1 << shift if shift else limit
            bad = next((i for i in range(slots)
                        if function(body[i * page:min((i + 1) * page, limit)]).digest()[:size]
                        != cd[hash_offset + i * size:hash_offset + (i + 1) * size]), None)
            directories.append({
                "version": "0x%x" % version, "flags": flags, "hash_type": kind, "hash_size": size,
                "page_size": page if shift else 0, "code_limit": limit, "code_slots": slots,
                "special_slots": special, "identifier": cd[ident:cd.index(b"\0", ident)].decode(),
                "first_bad_page": bad,
            })
        item["code_signature"] = {
            "offset": command.data_offset, "size": command.data_size, "certificate": certificate,
            "directories": directories,
        }


def pe_facts(path):
    import pefile

    pe = pefile.PE(path, fast_load=True)
    pe.parse_data_directories(
        directories=[pefile.DIRECTORY_ENTRY[name] for name in ("IMAGE_DIRECTORY_ENTRY_IMPORT", "IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT")]
    )
    imports = {}  # DLL -> the functions imported by name (pefile gives None for an ordinal)
    for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []):
        imports.setdefault(entry.dll.decode(), []).extend(i.name.decode() for i in entry.imports if i.name)
    optional = pe.OPTIONAL_HEADER
    security = optional.DATA_DIRECTORY[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_SECURITY"]]
    return {
        "machine": pe.FILE_HEADER.Machine,
        "magic": optional.Magic,
        "subsystem": optional.Subsystem,
        "subsystem_version": "%d.%d" % (optional.MajorSubsystemVersion, optional.MinorSubsystemVersion),
        "is_dll": pe.is_dll(),
        "os_version": "%d.%d" % (optional.MajorOperatingSystemVersion, optional.MinorOperatingSystemVersion),
        "dlls": [entry.dll.decode() for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])],
        "imports": imports,
        "delay_dlls": [entry.dll.decode() for entry in getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", [])],
        "authenticode": security.VirtualAddress != 0 and security.Size > 0,
    }


def facts(path):
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head[:4] == b"\x7fELF":
        return elf_facts(path)
    if head[:2] == b"MZ":
        return pe_facts(path)
    if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce", b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
        return macho_facts(path)
    return None


if __name__ == "__main__":
    json.dump({path: facts(path) for path in sys.argv[1:]}, sys.stdout, indent=1, sort_keys=True)
