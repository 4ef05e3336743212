/// Reads the facts of a Mach-O file, thin (32/64-bit, either byte order) or fat/universal (fat and
/// fat64 headers): a pure function from bytes to ``BinaryFacts`` with one ``MachOSlice`` per slice.
///
/// Load commands are walked within `sizeofcmds` and the file; each must be at least 8 bytes, so a
/// claimed `ncmds` can never make the walk longer than the file. Slices are never nested.
package enum MachOReader {
  static let thinMagics: Set<UInt32> = [0xFEED_FACE, 0xFEED_FACF, 0xCEFA_EDFE, 0xCFFA_EDFE]

  /// Whether `bytes` begin like a fat Mach-O rather than a Java class file (both start `cafebabe`):
  /// a fat file's next word is a small slice count, a class file's is its version (45 or more).
  static func looksFat(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard bytes.count >= 8 else { return false }
    let view = ByteView(bytes: bytes, isBigEndian: true)
    guard let magic = try? view.u32(0), magic == 0xCAFE_BABE || magic == 0xCAFE_BABF,
      let count = try? view.u32(4)
    else { return false }
    return count > 0 && count < 40
  }

  /// Reads `bytes` as Mach-O. Throws ``BinaryError`` with the offset when a header or load command
  /// is malformed.
  package static func read(_ bytes: UnsafeRawBufferPointer) throws(BinaryError) -> BinaryFacts {
    let view = ByteView(bytes: bytes, isBigEndian: true)
    let magic = try view.u32(0, "Mach-O magic")
    if magic == 0xCAFE_BABE || magic == 0xCAFE_BABF {
      return try readFat(view, wide: magic == 0xCAFE_BABF)
    }
    let slice = try readThin(bytes, offset: 0, size: bytes.count)
    var facts = BinaryFacts(format: .macho)
    facts.apply(slice: slice)
    facts.slices = [slice]
    return facts
  }

  private static func readFat(_ view: ByteView, wide: Bool) throws(BinaryError) -> BinaryFacts {
    let count = Int(try view.u32(4, "fat header"))
    guard count > 0, count < 40 else { throw BinaryError(offset: 4, "fat header claims \(count) slices") }
    let entrySize = wide ? 32 : 20
    _ = try view.tableSize(count: count, size: entrySize, at: 8, "fat slice table")
    var slices: [MachOSlice] = []
    for index in 0..<count {
      let entry = 8 + index * entrySize
      let offset = wide ? try view.u64(entry + 8) : UInt64(try view.u32(entry + 8))
      let size = wide ? try view.u64(entry + 16) : UInt64(try view.u32(entry + 12))
      let start = try ByteView.offset(offset, "fat slice \(index)")
      let length = try ByteView.offset(size, "fat slice \(index) size")
      try view.check(start, length, "fat slice \(index)")
      guard start >= 8 + count * entrySize else {
        throw BinaryError(offset: entry, "fat slice \(index) overlaps the fat header")
      }
      let sliceBytes = UnsafeRawBufferPointer(rebasing: view.bytes[start..<(start + length)])
      slices.append(try readThin(sliceBytes, offset: start, size: length))
    }
    var facts = BinaryFacts(format: .machoFat)
    if slices.count == 1 { facts.apply(slice: slices[0]) }
    facts.libc = .system
    facts.goBuild = slices.lazy.compactMap(\.goBuild).first
    facts.slices = slices
    return facts
  }

  static func readThin(_ bytes: UnsafeRawBufferPointer, offset base: Int, size: Int) throws(BinaryError) -> MachOSlice {
    var view = ByteView(bytes: bytes)
    let raw = try view.u32(0, "Mach-O header")
    guard thinMagics.contains(raw) else {
      throw BinaryError(offset: base, "not a Mach-O header (magic 0x\(String(raw, radix: 16)))")
    }
    view.isBigEndian = raw == 0xCEFA_EDFE || raw == 0xCFFA_EDFE
    let wide = raw == 0xFEED_FACF || raw == 0xCFFA_EDFE
    let headerSize = wide ? 32 : 28
    try view.check(0, headerSize, "Mach-O header")
    let cpuType = try view.u32(4)
    let cpuSubtype = try view.u32(8) & 0x00FF_FFFF
    let fileType = try view.u32(12)
    let commandCount = Int(try view.u32(16))
    let commandsSize = Int(try view.u32(20))
    let flags = try view.u32(24)
    let names = cpuNames(type: cpuType, subtype: cpuSubtype)
    var slice = MachOSlice(
      arch: names.arch, cpu: names.cpu, bits: wide ? 64 : 32, type: fileTypeName(fileType, flags: flags),
      platform: nil, minos: nil, sdk: nil, dylibs: [], weakDylibs: [], rpaths: [], signed: false, uuid: nil,
      offset: base, size: size)

    try view.check(headerSize, commandsSize, "load commands")
    let end = headerSize + commandsSize
    var at = headerSize
    var signature: (offset: UInt32, size: UInt32)?
    for index in 0..<commandCount {
      guard at + 8 <= end else {
        throw BinaryError(offset: base + at, "load command \(index) of \(commandCount) lies past sizeofcmds")
      }
      let command = try view.u32(at)
      let commandSize = Int(try view.u32(at + 4))
      guard commandSize >= 8, commandSize <= end - at else {
        throw BinaryError(offset: base + at, "load command \(index) has size \(commandSize)")
      }
      if command == 0x1D {  // LC_CODE_SIGNATURE
        signature = (try view.u32(at + 8, "LC_CODE_SIGNATURE"), try view.u32(at + 12, "LC_CODE_SIGNATURE"))
      }
      try readCommand(command, view: view, at: at, size: commandSize, base: base, into: &slice)
      at += commandSize
    }
    slice.signature =
      signature.map { CodeSignatureReader.read(slice: bytes, base: base, offset: $0.offset, size: $0.size) }
      ?? CodeSignature(kind: .unsigned)
    return slice
  }

  private static func readCommand(
    _ command: UInt32, view: ByteView, at: Int, size: Int, base: Int, into slice: inout MachOSlice
  ) throws(BinaryError) {
    func string(_ fieldOffset: Int) throws(BinaryError) -> String {
      let offset = Int(try view.u32(at + fieldOffset))
      guard offset >= 8, offset < size else {
        throw BinaryError(offset: base + at, "load command string offset \(offset) is outside the command")
      }
      return try view.cString(at: at + offset, end: at + size, "load command string")
    }
    switch command {
    // LC_LOAD_DYLIB, LC_REEXPORT_DYLIB, LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB
    case 0xC, 0x8000_001F, 0x20, 0x8000_0023:
      slice.dylibs.append(try string(8))
    case 0x8000_0018: slice.weakDylibs.append(try string(8))  // LC_LOAD_WEAK_DYLIB
    case 0x8000_001C: slice.rpaths.append(try string(8))  // LC_RPATH
    case 0x1D: slice.signed = true  // LC_CODE_SIGNATURE
    case 0x1B:  // LC_UUID
      try view.check(at + 8, 16, "LC_UUID")
      slice.uuid = uuidString(UnsafeRawBufferPointer(rebasing: view.bytes[(at + 8)..<(at + 24)]))
    case 0x32:  // LC_BUILD_VERSION
      slice.platform = platformName(try view.u32(at + 8, "LC_BUILD_VERSION"))
      slice.minos = nibbleVersion(try view.u32(at + 12, "LC_BUILD_VERSION"))
      slice.sdk = nibbleVersion(try view.u32(at + 16, "LC_BUILD_VERSION"))
    case 0x24, 0x25, 0x2F, 0x30:  // LC_VERSION_MIN_MACOSX, _IPHONEOS, _TVOS, _WATCHOS
      if slice.platform == nil {
        slice.platform = [0x24: "macos", 0x25: "ios", 0x2F: "tvos", 0x30: "watchos"][command]
        slice.minos = nibbleVersion(try view.u32(at + 8, "LC_VERSION_MIN"))
        slice.sdk = nibbleVersion(try view.u32(at + 12, "LC_VERSION_MIN"))
      }
    case 0x19, 0x1:  // LC_SEGMENT_64, LC_SEGMENT
      guard slice.goBuild == nil, let range = try goBuildInfoSection(view, at: at, size: size, wide: command == 0x19)
      else { break }
      slice.goBuild = try GoBuildInfo.find(in: view, range: range)
    default: break
    }
  }

  /// The file range of a segment's `__go_buildinfo` section, if it has one.
  private static func goBuildInfoSection(
    _ view: ByteView, at: Int, size: Int, wide: Bool
  ) throws(BinaryError) -> Range<Int>? {
    let (header, entry) = wide ? (72, 80) : (56, 68)
    guard size >= header else { return nil }
    let count = Int(try view.u32(at + header - 8, "segment command"))
    guard count <= (size - header) / entry else {
      throw BinaryError(offset: at, "segment command claims \(count) sections in \(size) bytes")
    }
    let wanted = Array("__go_buildinfo".utf8)
    for index in 0..<count {
      let section = at + header + index * entry
      guard view.bytes[section..<(section + wanted.count)].elementsEqual(wanted), view.bytes[section + 14] == 0 else {
        continue
      }
      let length = wide ? try view.u64(section + 40) : UInt64(try view.u32(section + 36))
      let offset = Int(try view.u32(section + (wide ? 48 : 40)))
      let start = offset
      let bytes = try ByteView.offset(length, "__go_buildinfo size")
      try view.check(start, bytes, "__go_buildinfo")
      return start..<(start + bytes)
    }
    return nil
  }

  /// `xxxx.yy.zz` packed in nibbles → `"14.2"` or `"10.15.7"`.
  static func nibbleVersion(_ value: UInt32) -> String {
    let patch = value & 0xFF
    let text = "\(value >> 16).\((value >> 8) & 0xFF)"
    return patch == 0 ? text : "\(text).\(patch)"
  }

  static func platformName(_ value: UInt32) -> String {
    let names = [
      1: "macos", 2: "ios", 3: "tvos", 4: "watchos", 5: "bridgeos", 6: "maccatalyst", 7: "iossimulator",
      8: "tvossimulator", 9: "watchossimulator", 10: "driverkit", 11: "visionos", 12: "visionossimulator",
    ]
    return names[Int(value)] ?? "platform-\(value)"
  }

  static func cpuNames(type: UInt32, subtype: UInt32) -> (arch: String, cpu: String) {
    switch type {
    case 0x0100_000C: return ("arm64", subtype == 2 ? "arm64e" : "arm64")
    case 0x0100_0007: return ("amd64", subtype == 8 ? "x86_64h" : "x86_64")
    case 7: return ("386", "i386")
    case 12:
      let variants: [UInt32: String] = [5: "v4t", 6: "v6", 7: "v5", 9: "v7", 11: "v7s", 12: "v7k", 13: "v8"]
      return ("arm", "arm" + (variants[subtype] ?? ""))
    case 0x0200_000C: return ("arm64_32", "arm64_32")
    case 18: return ("ppc", "ppc")
    case 0x0100_0012: return ("ppc64", "ppc64")
    default: return ("macho-cpu-\(type)", "cpu-\(type)")
    }
  }

  static func fileTypeName(_ value: UInt32, flags: UInt32) -> String {
    switch value {
    case 1: "relocatable"
    case 2: flags & 0x20_0000 != 0 ? "pie" : "executable"  // MH_PIE
    case 6: "shared-library"
    case 7: "dylinker"
    case 8: "bundle"
    case 9: "dylib-stub"
    case 0xA: "dsym"
    case 0xB: "kext-bundle"
    case 4: "core"
    default: "filetype-\(value)"
    }
  }

  static func uuidString(_ bytes: UnsafeRawBufferPointer) -> String {
    let hex = hexString(bytes).uppercased()
    let cuts = [8, 4, 4, 4, 12]
    var parts: [Substring] = []
    var start = hex.startIndex
    for cut in cuts {
      let end = hex.index(start, offsetBy: cut)
      parts.append(hex[start..<end])
      start = end
    }
    return parts.joined(separator: "-")
  }
}

extension BinaryFacts {
  /// Copies a thin slice's facts to the top level of the record.
  mutating func apply(slice: MachOSlice) {
    arch = slice.arch
    variant = slice.arch == "arm" ? String(slice.cpu.dropFirst(3)).nilIfEmpty : nil
    bits = slice.bits
    endian = slice.arch.hasPrefix("ppc") ? .big : .little
    type = slice.type
    needed = slice.dylibs + slice.weakDylibs
    rpath = slice.rpaths.isEmpty ? nil : slice.rpaths.joined(separator: ":")
    libc = .system
    linkage = slice.type == "relocatable" ? nil : .dynamic
    buildID = slice.uuid
    goBuild = slice.goBuild
  }
}

extension String {
  var nilIfEmpty: String? { isEmpty ? nil : self }
}
