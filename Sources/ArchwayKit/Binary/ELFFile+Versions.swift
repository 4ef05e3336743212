#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension ELFFile {
  /// Fills `version_requirements`, `floors`, `glibc_floor`, `versioned_symbols` and
  /// `floor_symbols` from `.gnu.version_r`, `.dynsym` and `.gnu.version`, found through the
  /// dynamic section or, failing that, the section headers. Without `versionedSymbols`, only the
  /// floor's imports are named (`floor_symbols`) and `versioned_symbols` stays empty: every
  /// import's name is still checked to lie in the string table, so the file reads as damaged, or
  /// not, either way.
  mutating func readVersions(into facts: inout BinaryFacts, dynamic: ELFDynamic, versionedSymbols: Bool) {
    let needs: [UInt16: (library: String, version: String)]
    do {
      needs = try versionNeeds(dynamic: dynamic)
    } catch {
      warnings.append("version needs: \(error)")
      return
    }
    guard !needs.isEmpty else { return }
    var byLibrary: [String: Set<String>] = [:]
    for (library, version) in needs.values { byLibrary[library, default: []].insert(version) }
    facts.versionRequirements = byLibrary.mapValues(ELFFile.sortedVersions)

    var floors: [String: (version: DottedVersion, name: String)] = [:]
    for name in Set(needs.values.map(\.version)) {
      guard let (family, version) = ELFFile.splitVersionName(name) else { continue }
      if floors[family].map({ version > $0.version }) ?? true { floors[family] = (version, name) }
    }
    facts.floors = floors.mapValues { $0.version.description }
    facts.glibcFloor = facts.floors["GLIBC"]

    let floor = floors["GLIBC"]?.name
    let only = versionedSymbols ? nil : Set(needs.filter { $0.value.version == floor }.keys)
    do {
      let named = try importedSymbolsByVersion(dynamic: dynamic, needs: needs, only: only)
      if versionedSymbols { facts.versionedSymbols = named }
      if let floor { facts.floorSymbols = named[floor] ?? [] }
    } catch {
      warnings.append("versioned symbols: \(error)")
    }
  }

  /// `GLIBC_2.34` → (`GLIBC`, 2.34); nil for names like `GLIBC_PRIVATE`.
  static func splitVersionName(_ name: String) -> (String, DottedVersion)? {
    guard let underscore = name.lastIndex(of: "_"),
      let version = DottedVersion(name[name.index(after: underscore)...])
    else { return nil }
    return (String(name[..<underscore]), version)
  }

  /// Orders version names by family, then numerically (`GLIBC_2.2.5` before `GLIBC_2.17`), then by
  /// name (`GLIBC_2` before `GLIBC_2.0`, one number): a total order, whatever order they came in.
  static func versionOrder(_ a: String, _ b: String) -> Bool {
    versionOrder((a, splitVersionName(a)), (b, splitVersionName(b)))
  }

  /// `names` in ``versionOrder(_:_:)``, each name split once (libstdc++ defines some 150).
  static func sortedVersions(_ names: some Collection<String>) -> [String] {
    names.map { ($0, splitVersionName($0)) }.sorted(by: versionOrder).map(\.0)
  }

  private static func versionOrder(
    _ a: (String, (String, DottedVersion)?), _ b: (String, (String, DottedVersion)?)
  ) -> Bool {
    switch (a.1, b.1) {
    case ((let fa, let va)?, (let fb, let vb)?): fa != fb ? fa < fb : va != vb ? va < vb : a.0 < b.0
    default: a.0 < b.0
    }
  }

  /// The version index → (library, version name) table of `.gnu.version_r`.
  private mutating func versionNeeds(
    dynamic: ELFDynamic
  ) throws(BinaryError) -> [UInt16: (library: String, version: String)] {
    let (start, count, section) = try versionTable(
      address: dynamic.verneed, count: dynamic.verneedCount, type: SHT_GNU_VERNEED, "version needs")
    guard let start, count > 0 else { return [:] }
    guard let strtab = try stringTable(dynamic: dynamic, section: section) else {
      throw BinaryError(offset: start, "version needs have no string table")
    }

    var needs: [UInt16: (library: String, version: String)] = [:]
    var auxBudget = view.count / 16 + 1  // Every record needs 16 bytes: more visits mean the chains overlap.
    var entry = start
    for _ in 0..<count {
      let auxCount = Int(try view.u16(entry + 2, "version need"))
      let library = try dynamicString(UInt64(try view.u32(entry + 4)), in: strtab)
      var aux = entry + Int(try view.u32(entry + 8))
      for _ in 0..<auxCount {
        auxBudget -= 1
        guard auxBudget >= 0 else { throw BinaryError(offset: aux, "version need entries overlap or loop") }
        let index = try view.u16(aux + 6, "version need aux") & 0x7FFF
        let name = try dynamicString(UInt64(try view.u32(aux + 8)), in: strtab)
        needs[index] = (library, name)
        let next = Int(try view.u32(aux + 12))
        if next == 0 { break }
        aux += next
      }
      let next = Int(try view.u32(entry + 12, "version need"))
      if next == 0 { break }
      entry += next
    }
    return needs
  }

  /// Where a version table starts and how many entries it has: from the dynamic section's address
  /// and count when the address is in the file, else from its section (`sh_info` entries).
  private func versionTable(
    address: UInt64?, count: UInt64?, type: UInt32, _ what: String
  ) throws(BinaryError) -> (start: Int?, count: Int, section: ELFSection?) {
    let section = sections.first { $0.type == type }
    if let address, let start = fileOffset(ofAddress: address) {
      return (start, Int(clamping: count ?? 0), section)
    }
    guard let section else { return (nil, 0, nil) }
    return (try ByteView.offset(section.offset, what), Int(section.info), section)
  }

  /// The version names a library defines (`.gnu.version_d`: `GLIBC_2.34`, `GLIBCXX_3.4.30`), its
  /// own soname's base entry left out, in version order; a malformed table is a warning.
  mutating func versionDefinitions(dynamic: ELFDynamic) -> [String] {
    do {
      let (start, count, section) = try versionTable(
        address: dynamic.verdef, count: dynamic.verdefCount, type: SHT_GNU_VERDEF, "version definitions")
      guard let start, count > 0 else { return [] }
      guard let strtab = try stringTable(dynamic: dynamic, section: section) else {
        throw BinaryError(offset: start, "version definitions have no string table")
      }
      var names: Set<String> = []
      var entry = start
      for _ in 0..<min(count, view.count / 20 + 1) {
        let flags = try view.u16(entry + 2, "version definition")
        let aux = entry + Int(try view.u32(entry + 12, "version definition"))
        if flags & 1 == 0 {  // VER_FLG_BASE names the file itself.
          names.insert(try dynamicString(UInt64(try view.u32(aux, "version definition aux")), in: strtab))
        }
        let next = Int(try view.u32(entry + 16, "version definition"))
        guard next > 0 else { break }
        entry += next
      }
      return ELFFile.sortedVersions(names)
    } catch {
      warnings.append("version definitions: \(error)")
      return []
    }
  }

  /// Imported (undefined) dynamic symbols grouped by the version they are bound to; only those
  /// bound to a version index in `only`, when it is given.
  private mutating func importedSymbolsByVersion(
    dynamic: ELFDynamic, needs: [UInt16: (library: String, version: String)], only: Set<UInt16>?
  ) throws(BinaryError) -> [String: [String]] {
    // Two libraries may each be needed at a version of the same name (libc and libm, GLIBC_2.29).
    var byVersion: [String: [Range<Int>]] = [:]
    for (index, names) in try importRanges(dynamic: dynamic, needs: needs, only: only) {
      guard let version = needs[index]?.version else { continue }
      byVersion[version, default: []] += names
    }
    var result: [String: [String]] = [:]
    for (version, names) in byVersion { result[version] = try uniqueNames(names) }
    return result
  }

  /// The names of every imported (undefined) dynamic symbol, sorted, without repeats: a musl
  /// binary's, which has no versions to group them by.
  mutating func importedSymbols(dynamic: ELFDynamic) throws(BinaryError) -> [String] {
    try uniqueNames(try importRanges(dynamic: dynamic, needs: nil)[0] ?? [])
  }

  /// Each import's name as a range of the string table, grouped by the index of the version
  /// `needs` binds it to (imports without one left out), or all under 0 when `needs` is nil. With
  /// `only`, the names of imports bound to other versions are checked but not kept.
  private func importRanges(
    dynamic: ELFDynamic, needs: [UInt16: (library: String, version: String)]?, only: Set<UInt16>? = nil
  ) throws(BinaryError) -> [UInt16: [Range<Int>]] {
    let entrySize = wide ? 24 : 16
    let symbolSection = sections.first { $0.type == SHT_DYNSYM }
    guard let symtabStart = try tableOffset(address: dynamic.symtab, section: symbolSection, "dynamic symbols"),
      let strtab = try stringTable(dynamic: dynamic, section: symbolSection)
    else { return [:] }
    var versymStart: Int?
    if needs != nil {
      versymStart = try tableOffset(
        address: dynamic.versym, section: sections.first { $0.type == SHT_GNU_VERSYM }, "symbol versions")
      guard versymStart != nil else { return [:] }
    }

    let count = try symbolCount(dynamic: dynamic, section: symbolSection, entrySize: entrySize)
    _ = try view.tableSize(count: count, size: entrySize, at: symtabStart, "dynamic symbol table")
    if let versymStart { _ = try view.tableSize(count: count, size: 2, at: versymStart, "symbol version table") }
    var ranges: [UInt16: [Range<Int>]] = [:]
    for index in 1..<max(count, 1) {
      let symbol = symtabStart + index * entrySize
      let sectionIndex = try view.u16(symbol + (wide ? 6 : 14))
      guard sectionIndex == 0 else { continue }  // Defined here: not an import.
      var group: UInt16 = 0
      if let needs, let versymStart {
        group = try view.u16(versymStart + index * 2) & 0x7FFF
        guard group >= 2, needs[group] != nil else { continue }
      }
      let name = try dynamicStringRange(UInt64(try view.u32(symbol)), in: strtab)
      guard !name.isEmpty, only?.contains(group) ?? true else { continue }
      ranges[group, default: []].append(name)
    }
    return ranges
  }

  /// The names `ranges` hold, sorted, without repeats; each one made (and its bytes spent from the
  /// budget) once.
  private mutating func uniqueNames(_ ranges: [Range<Int>]) throws(BinaryError) -> [String] {
    var unique: [String] = []
    for range in sortedNames(ranges) {
      let name = String(decoding: UnsafeRawBufferPointer(rebasing: view.bytes[range]), as: UTF8.self)
      guard name != unique.last else { continue }
      try spendStringBudget(range.count, at: range.lowerBound)
      unique.append(name)
    }
    return unique
  }

  /// `names` (ranges of the string table) in the order of their Strings: for ASCII, the order of
  /// their bytes, compared in place; otherwise as Strings (a byte that is not valid UTF-8 becomes
  /// U+FFFD, which orders elsewhere).
  private func sortedNames(_ names: [Range<Int>]) -> [Range<Int>] {
    guard let base = view.bytes.baseAddress else { return names }
    let ascii = names.allSatisfy { range in view.bytes[range].allSatisfy { $0 < 0x80 } }
    guard ascii else {
      return names.sorted {
        String(decoding: UnsafeRawBufferPointer(rebasing: view.bytes[$0]), as: UTF8.self)
          < String(decoding: UnsafeRawBufferPointer(rebasing: view.bytes[$1]), as: UTF8.self)
      }
    }
    return names.sorted { a, b in
      let order = memcmp(base + a.lowerBound, base + b.lowerBound, min(a.count, b.count))
      return order != 0 ? order < 0 : a.count < b.count
    }
  }

  /// Where a table starts: at its dynamic-section address when that is in the file, else at its
  /// section's offset; nil when neither exists.
  private func tableOffset(address: UInt64?, section: ELFSection?, _ what: String) throws(BinaryError) -> Int? {
    if let address, let offset = fileOffset(ofAddress: address) { return offset }
    guard let section else { return nil }
    return try ByteView.offset(section.offset, what)
  }

  /// The dynamic string table, else the one `section`'s `sh_link` names.
  private func stringTable(dynamic: ELFDynamic, section: ELFSection?) throws(BinaryError) -> Range<Int>? {
    if let strtab = dynamic.strtab { return strtab }
    guard let section, let linked = sections[safe: Int(section.link)] else { return nil }
    return try fileRange(offset: linked.offset, size: linked.size, "string table")
  }

  /// How many entries `.dynsym` has: from its section header, else `DT_HASH`'s chain count, else
  /// MIPS's `DT_MIPS_SYMTABNO`, else the larger of what `DT_GNU_HASH` covers and one past the
  /// highest symbol a relocation names (a GNU hash table covers only exported symbols, and an
  /// import that is bound at all is named by a relocation).
  private func symbolCount(dynamic: ELFDynamic, section: ELFSection?, entrySize: Int) throws(BinaryError) -> Int {
    if let section, section.size > 0 {
      let size = section.entrySize > 0 ? Int(clamping: section.entrySize) : entrySize
      return Int(clamping: section.size) / size
    }
    if let address = dynamic.hash, let at = fileOffset(ofAddress: address) {
      return Int(try view.u32(at + 4, "DT_HASH nchain"))
    }
    if let count = dynamic.mipsSymbolCount { return Int(clamping: count) }
    var count = 0
    if let address = dynamic.gnuHash, let at = fileOffset(ofAddress: address) {
      count = try gnuHashSymbolCount(at: at)
    }
    for table in dynamic.relocations {
      count = max(count, try highestRelocatedSymbol(table) + 1)
    }
    return count
  }

  /// The highest symbol index named in a `REL`/`RELA` table.
  private func highestRelocatedSymbol(
    _ table: (address: UInt64, size: UInt64, addends: Bool)
  ) throws(BinaryError) -> Int {
    guard let start = fileOffset(ofAddress: table.address) else { return 0 }
    let entrySize = (wide ? 8 : 4) * (table.addends ? 3 : 2)
    let length = try ByteView.offset(table.size, "relocation table size")
    try view.check(start, length, "relocation table")
    var highest = 0
    for entry in stride(from: start, to: start + length - entrySize + 1, by: entrySize) {
      let info = try view.word(entry + entrySize / (table.addends ? 3 : 2), wide: wide)
      highest = max(highest, Int(wide ? info >> 32 : info >> 8))
    }
    return highest
  }

  /// The number of symbols a `DT_GNU_HASH` table covers: one past the last chain's end.
  private func gnuHashSymbolCount(at start: Int) throws(BinaryError) -> Int {
    let bucketCount = Int(try view.u32(start, "DT_GNU_HASH"))
    let symbolOffset = Int(try view.u32(start + 4, "DT_GNU_HASH"))
    let bloomCount = Int(try view.u32(start + 8, "DT_GNU_HASH"))
    let bloomBytes = try view.tableSize(count: bloomCount, size: wide ? 8 : 4, at: start + 16, "GNU hash bloom filter")
    let buckets = start + 16 + bloomBytes
    _ = try view.tableSize(count: bucketCount, size: 4, at: buckets, "GNU hash buckets")
    var last = 0
    for index in 0..<bucketCount { last = max(last, Int(try view.u32(buckets + index * 4))) }
    guard last >= symbolOffset else { return symbolOffset }
    let chains = buckets + bucketCount * 4
    var index = last
    while (try view.u32(chains + (index - symbolOffset) * 4, "GNU hash chain")) & 1 == 0 { index += 1 }
    return index + 1
  }
}
