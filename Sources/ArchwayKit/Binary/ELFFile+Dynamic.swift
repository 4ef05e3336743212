/// The dynamic section's facts and the addresses of the tables it points to.
struct ELFDynamic {
  var needed: [String] = []
  var soname: String?
  var rpath: String?
  var runpath: String?
  var flags1: UInt64 = 0
  var strtab: Range<Int>?
  var symtab: UInt64?
  var hash: UInt64?
  var gnuHash: UInt64?
  var versym: UInt64?
  var verneed: UInt64?
  var verneedCount: UInt64?
  var verdef: UInt64?
  var verdefCount: UInt64?
  var mipsSymbolCount: UInt64?
  /// Relocation tables (address, size, with addends), whose symbol indexes bound `.dynsym`'s size.
  var relocations: [(address: UInt64, size: UInt64, addends: Bool)] = []
}

extension ELFFile {
  /// `PT_INTERP`'s path, or nil (and a warning) when there is none or it is malformed.
  func interpreter() -> String? {
    guard let segment = segments.first(where: { $0.type == PT_INTERP }) else { return nil }
    do {
      let range = try fileRange(offset: segment.offset, size: segment.fileSize, "PT_INTERP")
      let bytes = UnsafeRawBufferPointer(rebasing: view.bytes[range])
      let end = bytes.firstIndex(of: 0) ?? bytes.count
      return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<min(end, 4096)]), as: UTF8.self)
    } catch {
      return nil
    }
  }

  /// Reads `PT_DYNAMIC` (or, without program headers, `SHT_DYNAMIC`): needed libraries, soname,
  /// rpath, runpath, flags and the table addresses. A malformed part becomes a warning.
  ///
  /// One bounded pass over the table, as the loader makes it: split, each part would need the
  /// table's location, the string table and the warnings handed on.
  mutating func dynamicInfo() -> ELFDynamic {
    var info = ELFDynamic()
    let location: (offset: UInt64, size: UInt64)? =
      segments.first { $0.type == PT_DYNAMIC }.map { ($0.offset, $0.fileSize) }
      ?? sections.first { $0.type == SHT_DYNAMIC }.map { ($0.offset, $0.size) }
    guard let location else { return info }
    var stringOffsets: [(tag: UInt64, value: UInt64)] = []
    var strtabAddress: UInt64?
    var strtabSize: UInt64?
    var tables: [UInt64: UInt64] = [:]
    do {
      let range = try fileRange(offset: location.offset, size: location.size, "dynamic section")
      let entrySize = wide ? 16 : 8
      var at = range.lowerBound
      while at + entrySize <= range.upperBound {
        let tag = try view.word(at, wide: wide)
        let value = try view.word(at + entrySize / 2, wide: wide)
        at += entrySize
        switch tag {
        case DT_NULL: at = range.upperBound
        case DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH: stringOffsets.append((tag, value))
        case DT_STRTAB: strtabAddress = value
        case DT_STRSZ: strtabSize = value
        case DT_FLAGS_1: info.flags1 = value
        case DT_SYMTAB: info.symtab = value
        case DT_HASH: info.hash = value
        case DT_GNU_HASH: info.gnuHash = value
        case DT_VERSYM: info.versym = value
        case DT_VERNEED: info.verneed = value
        case DT_VERNEEDNUM: info.verneedCount = value
        case DT_VERDEF: info.verdef = value
        case DT_VERDEFNUM: info.verdefCount = value
        case DT_MIPS_SYMTABNO where machine == EM_MIPS: info.mipsSymbolCount = value
        case DT_RELA, DT_RELASZ, DT_REL, DT_RELSZ, DT_JMPREL, DT_PLTRELSZ, DT_PLTREL: tables[tag] = value
        default: break
        }
      }
    } catch {
      warnings.append("dynamic section: \(error)")
    }
    for (address, size, addends) in [
      (DT_RELA, DT_RELASZ, true), (DT_REL, DT_RELSZ, false),
      (DT_JMPREL, DT_PLTRELSZ, tables[DT_PLTREL] == DT_RELA),
    ] {
      if let start = tables[address], let length = tables[size] { info.relocations.append((start, length, addends)) }
    }
    let here = Int(clamping: location.offset)
    guard let strtabAddress else {
      if !stringOffsets.isEmpty {
        warnings.append("dynamic section: \(BinaryError(offset: here, "names libraries but has no DT_STRTAB"))")
      }
      return info
    }
    guard let start = fileOffset(ofAddress: strtabAddress) else {
      let problem = BinaryError(
        offset: here, "DT_STRTAB address 0x\(String(strtabAddress, radix: 16)) is not in the file")
      warnings.append("dynamic section: \(problem)")
      return info
    }
    let size = min(Int(clamping: strtabSize ?? UInt64(view.count)), view.count - start)
    let strtab = start..<(start + size)
    info.strtab = strtab
    for (tag, value) in stringOffsets {
      do {
        let name = try dynamicString(value, in: strtab)
        switch tag {
        case DT_NEEDED: info.needed.append(name)
        case DT_SONAME: info.soname = name
        case DT_RPATH: info.rpath = name
        default: info.runpath = name
        }
      } catch {
        warnings.append("dynamic section: \(error)")
      }
    }
    return info
  }

  /// The string at `index` of the dynamic string table, charged to the string budget.
  mutating func dynamicString(_ index: UInt64, in strtab: Range<Int>) throws(BinaryError) -> String {
    let range = try dynamicStringRange(index, in: strtab)
    try spendStringBudget(range.count, at: range.lowerBound)
    return String(decoding: UnsafeRawBufferPointer(rebasing: view.bytes[range]), as: UTF8.self)
  }

  /// Where the string at `index` of `strtab` lies (without its NUL); nothing is decoded or spent.
  func dynamicStringRange(_ index: UInt64, in strtab: Range<Int>) throws(BinaryError) -> Range<Int> {
    guard index < UInt64(strtab.count) else {
      throw BinaryError(
        offset: strtab.lowerBound, "string index \(index) is past the string table's \(strtab.count) bytes")
    }
    let at = strtab.lowerBound + Int(index)
    return at..<(try view.terminator(at: at, end: strtab.upperBound, limit: 4096, "string"))
  }
}
