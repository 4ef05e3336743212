/// Reads the facts of an ELF file: a pure function from bytes to ``BinaryFacts``.
///
/// The ELF header is required; a malformed header throws. Every later part (program headers,
/// section headers, dynamic section, version tables, notes) is read through bounds-checked views:
/// when one is malformed the facts it would give are left out and a warning says why, so a broken
/// `.gnu.version_r` never hides the architecture. Work and memory are bounded by the file's size,
/// never by a count the file claims.
package enum ELFReader {
  /// Reads `bytes` as ELF. Throws ``BinaryError`` (with the offset) when the header is malformed.
  /// Without `versionedSymbols`, `versioned_symbols` is left empty (see
  /// ``ELFFile/readVersions(into:dynamic:versionedSymbols:)``): naming every import is most of the
  /// work of reading a library.
  package static func read(
    _ bytes: UnsafeRawBufferPointer, versionedSymbols: Bool = true
  ) throws(BinaryError) -> BinaryFacts {
    var file = try ELFFile(bytes)
    return file.facts(versionedSymbols: versionedSymbols)
  }
}

/// A program header (segment).
struct ELFSegment {
  var type: UInt32
  var offset: UInt64
  var vaddr: UInt64
  var fileSize: UInt64
  var align: UInt64
  var flags: UInt32 = 0
}

/// A section header; types say enough to read it, its name is for messages.
struct ELFSection {
  var name: UInt32 = 0
  var type: UInt32
  var addr: UInt64
  var offset: UInt64
  var size: UInt64
  var link: UInt32
  var info: UInt32
  var entrySize: UInt64
}

/// The parse state of one ELF file.
struct ELFFile {
  var view: ByteView
  let wide: Bool
  let osABI: UInt8
  let type: UInt16
  let machine: UInt16
  let flags: UInt32
  var segments: [ELFSegment] = []
  var sections: [ELFSection] = []
  var warnings: [String] = []
  /// Bytes of strings still allowed to be decoded: bounds the output by a multiple of the input.
  var stringBudget: Int

  init(_ bytes: UnsafeRawBufferPointer) throws(BinaryError) {
    view = ByteView(bytes: bytes)
    try view.check(0, 16, "ELF identification")
    guard bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
      throw BinaryError(offset: 0, "not an ELF file")
    }
    switch bytes[4] {
    case 1: wide = false
    case 2: wide = true
    default: throw BinaryError(offset: 4, "unknown ELF class \(bytes[4])")
    }
    switch bytes[5] {
    case 1: view.isBigEndian = false
    case 2: view.isBigEndian = true
    default: throw BinaryError(offset: 5, "unknown ELF data encoding \(bytes[5])")
    }
    osABI = bytes[7]
    try view.check(0, wide ? 64 : 52, "ELF header")
    type = try view.u16(16)
    machine = try view.u16(18)
    flags = try view.u32(wide ? 48 : 36)
    stringBudget = 4 * bytes.count + 65_536
    readTables()
  }

  // MARK: Header tables

  private mutating func readTables() {
    let h =
      wide
      ? (phoff: 32, shoff: 40, phent: 54, phnum: 56, shent: 58, shnum: 60)
      : (phoff: 28, shoff: 32, phent: 42, phnum: 44, shent: 46, shnum: 48)
    do {
      let shoff = try view.word(h.shoff, wide: wide)
      if shoff != 0 {
        var count = Int(try view.u16(h.shnum))
        let entrySize = Int(try view.u16(h.shent))
        let start = try ByteView.offset(shoff, "section header table")
        if count == 0 {  // Extended numbering: section 0's sh_size holds the count.
          count = Int(clamping: try sectionHeader(at: start, entrySize: entrySize).size)
        }
        sections = try readArray(
          count: count, entrySize: entrySize, minimum: wide ? 64 : 40, at: start,
          what: "section header table"
        ) { file, at throws(BinaryError) in
          try file.sectionHeader(at: at, entrySize: entrySize)
        }
      }
    } catch {
      warnings.append("section headers: \(error)")
    }
    do {
      let phoff = try view.word(h.phoff, wide: wide)
      var count = Int(try view.u16(h.phnum))
      if count == 0xFFFF, let first = sections.first { count = Int(first.info) }  // PN_XNUM
      if phoff != 0, count > 0 {
        let entrySize = Int(try view.u16(h.phent))
        let start = try ByteView.offset(phoff, "program header table")
        segments = try readArray(
          count: count, entrySize: entrySize, minimum: wide ? 56 : 32, at: start,
          what: "program header table"
        ) { file, at throws(BinaryError) in
          try file.programHeader(at: at)
        }
      }
    } catch {
      warnings.append("program headers: \(error)")
    }
    if let cut = truncation() { warnings.append("contents: \(cut)") }
  }

  /// The first loaded segment or stored section whose bytes run past the end of the file: what a
  /// cut-off download or a full disk leaves, even in a file without section headers.
  private func truncation() -> BinaryError? {
    let end = UInt64(view.count)
    func pastEnd(_ offset: UInt64, _ size: UInt64) -> Bool {
      let (last, overflow) = offset.addingReportingOverflow(size)
      return size > 0 && (overflow || last > end)
    }
    let at = Int(clamping: end)
    if let index = segments.firstIndex(where: { $0.type == PT_LOAD && pastEnd($0.offset, $0.fileSize) }) {
      let s = segments[index]
      return BinaryError(
        offset: at,
        "loaded segment \(index) needs \(s.fileSize) bytes from 0x\(String(s.offset, radix: 16)) but the file ends")
    }
    if let index = sections.firstIndex(where: {
      $0.type != SHT_NULL && $0.type != SHT_NOBITS && pastEnd($0.offset, $0.size)
    }) {
      let s = sections[index]
      return BinaryError(
        offset: at, "section \(index) needs \(s.size) bytes from 0x\(String(s.offset, radix: 16)) but the file ends")
    }
    return nil
  }

  private func readArray<T>(
    count: Int, entrySize: Int, minimum: Int, at start: Int, what: String,
    _ read: (ELFFile, Int) throws(BinaryError) -> T
  ) throws(BinaryError) -> [T] {
    guard count > 0 else { return [] }
    guard entrySize >= minimum else {
      throw BinaryError(offset: start, "\(what) entry size \(entrySize) is below \(minimum)")
    }
    _ = try view.tableSize(count: count, size: entrySize, at: start, what)
    var items: [T] = []
    for index in 0..<count { items.append(try read(self, start + index * entrySize)) }
    return items
  }

  private func programHeader(at o: Int) throws(BinaryError) -> ELFSegment {
    if wide {
      return ELFSegment(
        type: try view.u32(o), offset: try view.u64(o + 8), vaddr: try view.u64(o + 16),
        fileSize: try view.u64(o + 32), align: try view.u64(o + 48), flags: try view.u32(o + 4))
    }
    return ELFSegment(
      type: try view.u32(o), offset: UInt64(try view.u32(o + 4)), vaddr: UInt64(try view.u32(o + 8)),
      fileSize: UInt64(try view.u32(o + 16)), align: UInt64(try view.u32(o + 28)), flags: try view.u32(o + 24))
  }

  private func sectionHeader(at o: Int, entrySize: Int) throws(BinaryError) -> ELFSection {
    try view.check(o, max(entrySize, wide ? 64 : 40), "section header")
    if wide {
      return ELFSection(
        name: try view.u32(o), type: try view.u32(o + 4), addr: try view.u64(o + 16), offset: try view.u64(o + 24),
        size: try view.u64(o + 32), link: try view.u32(o + 40), info: try view.u32(o + 44),
        entrySize: try view.u64(o + 56))
    }
    return ELFSection(
      name: try view.u32(o), type: try view.u32(o + 4), addr: UInt64(try view.u32(o + 12)),
      offset: UInt64(try view.u32(o + 16)),
      size: UInt64(try view.u32(o + 20)), link: try view.u32(o + 24), info: try view.u32(o + 28),
      entrySize: UInt64(try view.u32(o + 36)))
  }

  // MARK: Locating data

  /// The file range of a segment or section's bytes, checked against the file.
  func fileRange(offset: UInt64, size: UInt64, _ what: String) throws(BinaryError) -> Range<Int> {
    let start = try ByteView.offset(offset, what)
    let length = try ByteView.offset(size, what)
    try view.check(start, length, what)
    return start..<(start + length)
  }

  /// The file offset of a virtual address, through the `PT_LOAD` segments (or, without them,
  /// the sections), or nil when no loaded part of the file holds it.
  func fileOffset(ofAddress address: UInt64) -> Int? {
    var offset: Int?
    if let s = segments.first(where: { $0.type == PT_LOAD && address >= $0.vaddr && address - $0.vaddr < $0.fileSize })
    {
      offset = try? ByteView.offset(s.offset, plus: address - s.vaddr, "address")
    } else if let s = sections.first(where: {
      $0.type != SHT_NOBITS && $0.addr != 0 && address >= $0.addr && address - $0.addr < $0.size
    }) {
      offset = try? ByteView.offset(s.offset, plus: address - s.addr, "address")
    }
    guard let offset, offset < view.count else { return nil }
    return offset
  }

  /// Takes `length` bytes from the string budget, or throws when the file asks for too many strings.
  mutating func spendStringBudget(_ length: Int, at offset: Int) throws(BinaryError) {
    stringBudget -= length + 1
    if stringBudget < 0 { throw BinaryError(offset: offset, "more string data than the file could hold") }
  }

  // MARK: Facts

  mutating func facts(versionedSymbols: Bool) -> BinaryFacts {
    var f = BinaryFacts(format: .elf)
    let machineFacts = ELFMachine.describe(machine: machine, wide: wide, bigEndian: view.isBigEndian, flags: flags)
    f.arch = machineFacts.arch
    f.abi = machineFacts.abi
    f.floatABI = machineFacts.floatABI
    f.variant = machineFacts.variant
    f.bits = wide ? 64 : 32
    f.endian = view.isBigEndian ? .big : .little
    f.osABI = ELFMachine.osABIName(osABI)

    f.interpreter = interpreter()
    let dynamic = dynamicInfo()
    f.needed = dynamic.needed
    f.soname = dynamic.soname
    f.rpath = dynamic.rpath
    f.runpath = dynamic.runpath

    if machine == EM_ARM {
      let (variant, simd) = armArchitecture()
      if let variant { f.variant = variant }
      f.armSIMD = simd
    }
    readVersions(into: &f, dynamic: dynamic, versionedSymbols: versionedSymbols)
    f.versionDefinitions = versionDefinitions(dynamic: dynamic)
    let notes = notes()
    f.buildID = buildID(in: notes)
    (f.x86ISANeeded, f.x86ISAUsed) = x86ISALevels(in: notes)
    f.goBuild = goBuildInfo()
    // Go writes no ARM attributes: its GOARM is then the only word on the variant.
    if machine == EM_ARM, f.variant == nil || f.variant == "v5", let variant = f.goBuild?.armVariant {
      f.variant = variant
    }

    let isPIE = dynamic.flags1 & DF_1_PIE != 0
    switch type {
    case ET_REL: f.type = "relocatable"
    case ET_EXEC: f.type = "executable"
    case ET_DYN: f.type = isPIE || (f.interpreter != nil && dynamic.soname == nil) ? "pie" : "shared-library"
    case ET_CORE: f.type = "core"
    default: f.type = "unknown-\(type)"
    }
    f.linkage = linkage(type: f.type, interpreter: f.interpreter)
    f.libc = ELFFile.libcFamily(
      interpreter: f.interpreter, needed: f.needed, linkage: f.linkage,
      versions: f.versionRequirements)
    f.maxPageSize = maxPageSize()
    // The stack's permissions the file asks for (`PT_GNU_STACK`); nil without that header.
    f.execStack = segments.first { $0.type == PT_GNU_STACK }.map { $0.flags & PF_X != 0 }
    let system = operatingSystem(
      goos: f.goBuild?.settings["GOOS"], notes: notes, interpreter: f.interpreter, needed: f.needed)
    (f.os, f.osEvidence) = (system?.os, system?.evidence)
    f.kernelFloor = kernelFloor(notes: notes)
    // Another system's libc is its own, whatever its soname looks like (OpenBSD's and illumos'
    // are `libc.so`, as musl's is).
    if let os = f.os, os != "linux", f.libc != .none {
      f.libc = os == "android" ? .bionic : .system
    }
    if f.libc == .musl { readMuslFloor(into: &f, dynamic: dynamic) }
    f.warnings = warnings
    return f
  }

  /// `musl_floor` and the `floor_symbols` that need it, from the names of the symbols the file
  /// imports (musl versions none of them; ``MuslReleases`` knows when each appeared).
  private mutating func readMuslFloor(into facts: inout BinaryFacts, dynamic: ELFDynamic) {
    do {
      guard let floor = MuslReleases.floor(of: try importedSymbols(dynamic: dynamic)) else { return }
      facts.muslFloor = floor.release.description
      facts.floorSymbols = floor.symbols
    } catch {
      warnings.append("imported symbols: \(error)")
    }
  }

  /// Go's build info, from `.go.buildinfo` or, in a file without section headers, the start of the
  /// writable segment; a malformed record is a warning.
  private mutating func goBuildInfo() -> GoBuildInfo? {
    var places: [Range<Int>] = []
    if let names = try? Int(view.u16(wide ? 62 : 50)), names < sections.count,
      let table = try? fileRange(offset: sections[names].offset, size: sections[names].size, "section names")
    {
      let wanted = Array(".go.buildinfo\0".utf8)
      for section in sections where section.type != SHT_NOBITS {
        let name = table.lowerBound + Int(section.name)
        guard name + wanted.count <= table.upperBound, view.bytes[name..<(name + wanted.count)].elementsEqual(wanted),
          let range = try? fileRange(offset: section.offset, size: section.size, ".go.buildinfo")
        else { continue }
        places.append(range)
      }
    } else if let data = segments.first(where: { $0.type == PT_LOAD && $0.flags & PF_W != 0 }),
      let range = try? fileRange(offset: data.offset, size: data.fileSize, "segment")
    {
      places = [range]  // Go's linker puts the record first in the writable segment.
    }
    for range in places {
      do {
        if let info = try GoBuildInfo.find(in: view, range: range) { return info }
      } catch {
        warnings.append(".go.buildinfo: \(error)")
      }
    }
    return nil
  }

  /// The largest power of two from 4096 to 65536 that every `PT_LOAD` is aligned to and whose
  /// multiples its offset and address share (``PageSize``); 1 below 4096, nil without `PT_LOAD`.
  private func maxPageSize() -> Int? {
    let loads = segments.filter { $0.type == PT_LOAD }
    guard !loads.isEmpty else { return nil }
    var size: UInt64 = 65536
    while size >= 4096 {
      if loads.allSatisfy({ $0.align >= size && $0.offset % size == $0.vaddr % size }) { return Int(size) }
      size /= 2
    }
    return 1
  }

  private func linkage(type: String?, interpreter: String?) -> Linkage? {
    switch type {
    case "executable": return interpreter == nil ? .static : .dynamic
    case "pie": return interpreter == nil ? .staticPIE : .dynamic
    case "shared-library": return .dynamic
    default: return nil
    }
  }

  /// The libc family from the loader's name, the needed libraries and the version names.
  static func libcFamily(
    interpreter: String?, needed: [String], linkage: Linkage?, versions: [String: [String]]
  )
    -> LibcFamily
  {
    let loader = interpreter.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? ""
    // musl's libc is `libc.so` itself (glibc's is libc.so.6); Alpine names it `libc.musl-ARCH.so.1`.
    if loader.hasPrefix("ld-musl") || needed.contains(where: { $0 == "libc.so" || $0.hasPrefix("libc.musl-") }) {
      return .musl
    }
    if loader == "linker" || loader == "linker64" { return .bionic }
    if loader.hasPrefix("ld-linux") || loader.hasPrefix("ld64.so") || loader == "ld.so.1"
      || needed.contains("libc.so.6") || versions.values.contains(where: { $0.contains { $0.hasPrefix("GLIBC_") } })
    {
      return .glibc
    }
    if linkage == .static || linkage == .staticPIE { return .none }
    return .unknown
  }
}
