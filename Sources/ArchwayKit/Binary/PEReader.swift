/// Reads the facts of a PE/COFF image (PE32 and PE32+): machine, subsystem and its version, DLL or
/// executable, and the DLLs it imports. A pure function from bytes to ``BinaryFacts``.
///
/// The import directory is walked within its section and the file; an unterminated or looping
/// table ends at the section's end, so a claimed count never drives the work.
package enum PEReader {
  /// Reads `bytes` as PE. Throws ``BinaryError`` with the offset when the headers are malformed.
  ///
  /// The headers are read in the file's order, each bounds check beside the read it guards: kept
  /// whole, the path from the DOS header to the import table is the format's own.
  package static func read(_ bytes: UnsafeRawBufferPointer) throws(BinaryError) -> BinaryFacts {
    let view = ByteView(bytes: bytes)
    guard try view.u16(0, "DOS header") == 0x5A4D else { throw BinaryError(offset: 0, "not an MZ executable") }
    let pe = Int(try view.u32(0x3C, "DOS header e_lfanew"))
    guard try view.u32(pe, "PE signature") == 0x0000_4550 else {
      throw BinaryError(offset: pe, "no PE signature (a DOS program?)")
    }
    let coff = pe + 4
    let machine = try view.u16(coff, "COFF header")
    let sectionCount = Int(try view.u16(coff + 2, "COFF header"))
    let optionalSize = Int(try view.u16(coff + 16, "COFF header"))
    let characteristics = try view.u16(coff + 18, "COFF header")
    let optional = coff + 20

    var facts = BinaryFacts(format: .pe)
    let names = machineNames(machine)
    facts.arch = names.arch
    facts.variant = names.variant
    facts.endian = .little
    facts.libc = .system
    facts.type =
      characteristics & 0x2000 != 0 ? "shared-library" : (characteristics & 0x2 != 0 ? "executable" : "object")
    facts.linkage = .dynamic
    guard optionalSize >= 2 else {
      facts.bits = characteristics & 0x100 != 0 ? 32 : nil
      return facts
    }
    let magic = try view.u16(optional, "optional header")
    let wide: Bool
    switch magic {
    case 0x10B: wide = false
    case 0x20B: wide = true
    default: throw BinaryError(offset: optional, "unknown optional header magic 0x\(String(magic, radix: 16))")
    }
    facts.bits = wide ? 64 : 32
    facts.peFormat = wide ? "PE32+" : "PE32"
    let directoryCountOffset = optional + (wide ? 108 : 92)
    try view.check(optional, min(optionalSize, directoryCountOffset + 4 - optional), "optional header")
    facts.subsystem = subsystemName(try view.u16(optional + 68, "optional header subsystem"))
    facts.subsystemVersion = "\(try view.u16(optional + 48)).\(try view.u16(optional + 50))"

    let sectionTable = optional + optionalSize
    _ = try view.tableSize(count: sectionCount, size: 40, at: sectionTable, "section table")
    var sections: [(address: UInt32, virtualSize: UInt32, rawSize: UInt32, rawOffset: UInt32)] = []
    var data: Range<Int>?
    for index in 0..<sectionCount {
      let at = sectionTable + index * 40
      sections.append((try view.u32(at + 12), try view.u32(at + 8), try view.u32(at + 16), try view.u32(at + 20)))
      if data == nil, view.bytes[at..<(at + 6)].elementsEqual(Array(".data\0".utf8)) {
        let (start, size) = (Int(sections[index].rawOffset), Int(sections[index].rawSize))
        data = start <= view.count ? start..<min(view.count, start + size) : nil
      }
    }
    do {
      facts.goBuild = try data.flatMap { range throws(BinaryError) in try GoBuildInfo.find(in: view, range: range) }
    } catch {
      facts.warnings.append(".data: \(error)")
    }
    facts.peOSVersion = "\(try view.u16(optional + 40)).\(try view.u16(optional + 42))"
    let imageBase = wide ? try view.u64(optional + 24, "ImageBase") : UInt64(try view.u32(optional + 28, "ImageBase"))

    // The data directories this reader uses: 1 imports, 4 the certificate table (Authenticode; its
    // "RVA" is a file offset), 13 delay-load imports.
    let directoryCount = Int(try view.u32(directoryCountOffset, "NumberOfRvaAndSizes"))
    func directory(_ index: Int) throws(BinaryError) -> (address: UInt32, size: UInt32)? {
      let at = directoryCountOffset + 4 + index * 8
      guard index < directoryCount, at + 8 <= optional + optionalSize else { return nil }
      let entry = (try view.u32(at), try view.u32(at + 4))
      return entry.0 == 0 ? nil : entry
    }
    let table = ImportTables(view: view, sections: sections, imageBase: imageBase)
    if let imports = try directory(1) {
      do {
        let descriptors = try table.descriptors(at: imports.address, entrySize: 20, nameOffset: 12, delayed: false)
        facts.dlls = descriptors.map(\.dll)
        var functions: [String: [String]] = [:]
        var budget = ImportTables.functionLimit
        for descriptor in descriptors {
          functions[descriptor.dll, default: []] += try table.functions(
            at: descriptor.lookup, wide: wide, budget: &budget)
        }
        facts.imports = functions
      } catch {
        facts.warnings.append("import directory: \(error)")
      }
    }
    if let delayed = try directory(13) {
      do {
        facts.delayDLLs = try table.descriptors(at: delayed.address, entrySize: 32, nameOffset: 4, delayed: true)
          .map(\.dll)
      } catch {
        facts.warnings.append("delay-load import directory: \(error)")
      }
    }
    facts.authenticode = try directory(4).map { $0.size > 0 } ?? false
    facts.needed = facts.dlls ?? []
    if facts.dlls == nil { facts.dlls = [] }
    return facts
  }

  static func machineNames(_ machine: UInt16) -> (arch: String, variant: String?) {
    switch machine {
    case 0x8664: ("amd64", nil)
    case 0xAA64: ("arm64", nil)
    case 0xA641: ("arm64", "ec")
    case 0x14C: ("386", nil)
    case 0x1C4: ("arm", "v7")
    case 0x200: ("ia64", nil)
    case 0x5064: ("riscv64", nil)
    default: ("pe-machine-0x\(String(machine, radix: 16))", nil)
    }
  }

  static func subsystemName(_ value: UInt16) -> String {
    switch value {
    case 1: "native"
    case 2: "windows-gui"
    case 3: "windows-cui"
    case 5: "os2-cui"
    case 7: "posix-cui"
    case 9: "windows-ce-gui"
    case 10: "efi-application"
    case 11: "efi-boot-service-driver"
    case 12: "efi-runtime-driver"
    case 13: "efi-rom"
    case 14: "xbox"
    case 16: "windows-boot-application"
    default: "subsystem-\(value)"
    }
  }
}

/// The sections of a PE image, to find what an RVA points at, and the two import tables' DLL
/// names read through them.
private struct ImportTables {
  let view: ByteView
  let sections: [(address: UInt32, virtualSize: UInt32, rawSize: UInt32, rawOffset: UInt32)]
  let imageBase: UInt64

  /// Where `rva` lies in the file, and where its section's bytes end; nil when no section's raw
  /// bytes hold it.
  func locate(_ rva: UInt32) -> (offset: Int, end: Int)? {
    for s in sections {
      let span = max(s.virtualSize, s.rawSize)
      guard rva >= s.address, rva - s.address < span else { continue }
      let delta = Int(rva - s.address)
      guard delta < Int(s.rawSize) else { return nil }
      let start = Int(s.rawOffset) + delta
      return (start, min(Int(s.rawOffset) + Int(s.rawSize), view.count))
    }
    return nil
  }

  /// No file's imports are read past this many functions: a real program imports a few thousand.
  static let functionLimit = 65_536

  /// An imported DLL's name and the RVA of its lookup table (0 when it has none).
  typealias Descriptor = (dll: String, lookup: UInt32)

  /// The DLL names of the descriptor table at `rva`, with the RVA of each one's lookup table:
  /// `entrySize`-byte entries whose name RVA is at `nameOffset`, ending at an all-zero name. An import
  /// descriptor's lookup table is its OriginalFirstThunk, or its FirstThunk when a linker left that
  /// zero. A delay-load descriptor whose attributes lack bit 0 (the old Visual C++ 6 form) holds
  /// virtual addresses instead, from which the image base is taken.
  func descriptors(at rva: UInt32, entrySize: Int, nameOffset: Int, delayed: Bool) throws(BinaryError) -> [Descriptor] {
    guard let table = locate(rva) else {
      throw BinaryError(offset: 0, "table RVA 0x\(String(rva, radix: 16)) is in no section")
    }
    var dlls: [Descriptor] = []
    var at = table.offset
    while at + entrySize <= table.end {
      var nameRVA = try view.u32(at + nameOffset, "import descriptor")
      let first = try view.u32(at)
      if nameRVA == 0 && (delayed || first == 0) { return dlls }
      if delayed, first & 1 == 0 {
        nameRVA = UInt32(truncatingIfNeeded: UInt64(nameRVA) &- imageBase)
      }
      guard let name = locate(nameRVA) else {
        throw BinaryError(offset: at, "DLL name RVA 0x\(String(nameRVA, radix: 16)) is in no section")
      }
      let lookup = delayed ? 0 : (first != 0 ? first : try view.u32(at + 16, "import descriptor"))
      dlls.append((try view.cString(at: name.offset, end: name.end, limit: 512, "DLL name"), lookup))
      at += entrySize
    }
    throw BinaryError(offset: at, "import table has no terminating entry")
  }

  /// The names of the functions the lookup table at `rva` imports (those imported by ordinal have
  /// none), each entry 8 bytes wide in PE32+ and 4 in PE32, its top bit set for an ordinal, else the
  /// RVA of a 2-byte hint and the name; a zero entry ends the table. `budget` counts down the names
  /// still to be read in the file.
  func functions(at rva: UInt32, wide: Bool, budget: inout Int) throws(BinaryError) -> [String] {
    guard rva != 0 else { return [] }
    guard let table = locate(rva) else {
      throw BinaryError(offset: 0, "lookup table RVA 0x\(String(rva, radix: 16)) is in no section")
    }
    let size = wide ? 8 : 4
    var names: [String] = []
    var at = table.offset
    while at + size <= table.end {
      let entry = wide ? try view.u64(at, "import lookup entry") : UInt64(try view.u32(at, "import lookup entry"))
      if entry == 0 { return names }
      if entry >> (wide ? 63 : 31) == 0 {
        guard budget > 0 else {
          throw BinaryError(offset: at, "more than \(Self.functionLimit) imported functions")
        }
        budget -= 1
        let nameRVA = UInt32(truncatingIfNeeded: entry & 0x7FFF_FFFF) &+ 2
        guard let name = locate(nameRVA) else {
          throw BinaryError(offset: at, "function name RVA 0x\(String(nameRVA, radix: 16)) is in no section")
        }
        names.append(try view.cString(at: name.offset, end: name.end, limit: 512, "function name"))
      }
      at += size
    }
    throw BinaryError(offset: at, "import lookup table has no terminating entry")
  }
}
