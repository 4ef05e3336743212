/// One ELF note: its type, and where its owner's name and its description lie in the file.
struct ELFNote {
  var type: UInt32
  var owner: Range<Int>
  var description: Range<Int>
}

extension ELFFile {
  /// Every note of the `PT_NOTE` segments or, without them, of the `SHT_NOTE` sections; a malformed
  /// note area adds a warning and ends its walk.
  mutating func notes() -> [ELFNote] {
    var places = segments.filter { $0.type == PT_NOTE }.map { ($0.offset, $0.fileSize, $0.align) }
    if places.isEmpty {
      places = sections.filter { $0.type == SHT_NOTE }.map { ($0.offset, $0.size, UInt64(4)) }
    }
    var notes: [ELFNote] = []
    for (offset, size, align) in places {
      do {
        try walkNotes(in: try fileRange(offset: offset, size: size, "note"), align: align == 8 ? 8 : 4, into: &notes)
      } catch {
        warnings.append("notes: \(error)")
      }
    }
    return notes
  }

  private func walkNotes(in range: Range<Int>, align: Int, into notes: inout [ELFNote]) throws(BinaryError) {
    var at = range.lowerBound
    while at + 12 <= range.upperBound {
      let nameSize = Int(try view.u32(at))
      let descSize = Int(try view.u32(at + 4))
      let type = try view.u32(at + 8)
      let name = at + 12
      let desc = try ELFFile.aligned(name, plus: nameSize, to: align, at: at)
      let next = try ELFFile.aligned(desc, plus: descSize, to: align, at: at)
      // The last note may end with its descriptor, the padding after it outside the segment: lld
      // writes a build ID of 1 or 3 bytes so (`--build-id=0x00`), and pyelftools reads it.
      guard next <= range.upperBound || desc + descSize <= range.upperBound else {
        throw BinaryError(offset: at, "note runs past its segment")
      }
      notes.append(ELFNote(type: type, owner: name..<(name + nameSize), description: desc..<(desc + descSize)))
      at = next
    }
  }

  private func isGNU(_ note: ELFNote) -> Bool {
    note.owner.count == 4 && view.bytes[note.owner].elementsEqual([0x47, 0x4E, 0x55, 0])
  }

  /// The GNU build-id of the ELF file `bytes`, in hex, from its headers and notes alone: nil for
  /// another format, a malformed header or a file without one.
  static func buildID(of bytes: UnsafeRawBufferPointer) -> String? {
    guard var file = try? ELFFile(bytes) else { return nil }
    return file.buildID(in: file.notes())
  }

  /// The GNU build-id in hex.
  func buildID(in notes: [ELFNote]) -> String? {
    guard let note = notes.first(where: { $0.type == NT_GNU_BUILD_ID && isGNU($0) }) else { return nil }
    return hexString(UnsafeRawBufferPointer(rebasing: view.bytes[note.description]))
  }

  /// The x86 ISA levels the GNU property notes say the file needs and uses (`x86-64-v3`; `x86-64`
  /// for the baseline), each the highest level whose bit is set. The linker writes `NEEDED` for
  /// `-z x86-64-v3` or objects compiled with `-mneeded`, and `USED` only when every object did.
  mutating func x86ISALevels(in notes: [ELFNote]) -> (needed: String?, used: String?) {
    guard machine == EM_X86_64 || machine == EM_386 else { return (nil, nil) }
    var levels: (needed: String?, used: String?) = (nil, nil)
    let step = wide ? 8 : 4
    for note in notes where note.type == NT_GNU_PROPERTY_TYPE_0 && isGNU(note) {
      var at = note.description.lowerBound
      do {
        while at + 8 <= note.description.upperBound {
          let type = try view.u32(at)
          let size = Int(try view.u32(at + 4))
          guard size <= note.description.upperBound - at - 8 else {
            throw BinaryError(offset: at, "property of \(size) bytes runs past its note")
          }
          if size >= 4, type == GNU_PROPERTY_X86_ISA_1_NEEDED || type == GNU_PROPERTY_X86_ISA_1_USED {
            let level = ELFFile.x86ISALevel(bits: try view.u32(at + 8))
            if type == GNU_PROPERTY_X86_ISA_1_NEEDED { levels.needed = level } else { levels.used = level }
          }
          at += 8 + (size + step - 1) / step * step
        }
      } catch {
        warnings.append("notes: \(error)")
      }
    }
    return levels
  }

  /// The highest level of an `GNU_PROPERTY_X86_ISA_1_*` bit set: baseline 1, v2 2, v3 4, v4 8.
  static func x86ISALevel(bits: UInt32) -> String? {
    if bits & 8 != 0 { return "x86-64-v4" }
    if bits & 4 != 0 { return "x86-64-v3" }
    if bits & 2 != 0 { return "x86-64-v2" }
    return bits & 1 != 0 ? "x86-64" : nil
  }

  private static func aligned(_ base: Int, plus size: Int, to align: Int, at: Int) throws(BinaryError) -> Int {
    let (end, overflow) = base.addingReportingOverflow(size)
    guard !overflow, end <= Int.max - align else { throw BinaryError(offset: at, "note size \(size) is out of range") }
    return (end + align - 1) & ~(align - 1)
  }

  /// The ARM architecture version (`v5`, `v6`, `v7`, `v8`) from `Tag_CPU_arch` in `.ARM.attributes`,
  /// and the Advanced SIMD extension the code may use from `Tag_Advanced_SIMD_arch` (`NEONv1`…),
  /// as readelf names it; nil for either the file does not say.
  mutating func armArchitecture() -> (variant: String?, simd: String?) {
    guard let section = sections.first(where: { $0.type == SHT_ARM_ATTRIBUTES }) else { return (nil, nil) }
    do {
      let range = try fileRange(offset: section.offset, size: section.size, ".ARM.attributes")
      let tags = try armAttributes(in: range)
      let simd: String? =
        switch tags.simd ?? 0 {
        case 0: nil
        case 1: "NEONv1"
        case 2: "NEONv1 with Fused-MAC"
        case 3: "NEON for ARMv8"
        case 4: "NEON for ARMv8.1"
        case let other: "Advanced SIMD \(other)"
        }
      return (tags.cpuArch.flatMap(ELFMachine.armVariant(cpuArch:)), simd)
    } catch {
      warnings.append(".ARM.attributes: \(error)")
      return (nil, nil)
    }
  }

  /// Walks the `aeabi` subsection's file-scope attributes to `Tag_CPU_arch` (6) and
  /// `Tag_Advanced_SIMD_arch` (12).
  private func armAttributes(in range: Range<Int>) throws(BinaryError) -> (cpuArch: UInt64?, simd: UInt64?) {
    guard range.count > 1, try view.u8(range.lowerBound) == 0x41 else { return (nil, nil) }  // Format 'A'.
    var at = range.lowerBound + 1
    while at + 4 <= range.upperBound {
      let length = Int(try view.u32(at, "attributes subsection"))
      guard length >= 4, length <= range.upperBound - at else {
        throw BinaryError(offset: at, "attributes subsection length \(length) is out of range")
      }
      let end = at + length
      let vendor = try view.cString(at: at + 4, end: end, limit: 64, "attributes vendor")
      if vendor == "aeabi" {
        var inner = at + 4 + vendor.utf8.count + 1
        while inner + 5 <= end {
          let tag = try view.u8(inner)
          let size = Int(try view.u32(inner + 1, "attributes"))
          guard size >= 5, size <= end - inner else {
            throw BinaryError(offset: inner, "attributes block size \(size) is out of range")
          }
          if tag == 1 { return try fileScope(from: inner + 5, to: inner + size) }
          inner += size
        }
      }
      at = end
    }
    return (nil, nil)
  }

  private func fileScope(from start: Int, to end: Int) throws(BinaryError) -> (cpuArch: UInt64?, simd: UInt64?) {
    var (cpuArch, simd): (UInt64?, UInt64?) = (nil, nil)
    var at = start
    while at < end {
      let tag = try uleb128(&at, end: end)
      switch tag {
      case 6: cpuArch = try uleb128(&at, end: end)
      case 12: simd = try uleb128(&at, end: end)
      case 4, 5, 67: at = try skipString(at, end: end)
      case 32:
        _ = try uleb128(&at, end: end)
        at = try skipString(at, end: end)
      default:
        if tag > 32 && tag % 2 == 1 { at = try skipString(at, end: end) } else { _ = try uleb128(&at, end: end) }
      }
    }
    return (cpuArch, simd)
  }

  private func skipString(_ at: Int, end: Int) throws(BinaryError) -> Int {
    var index = at
    while index < end, view.bytes[index] != 0 { index += 1 }
    guard index < end else { throw BinaryError(offset: at, "attribute string has no terminating NUL") }
    return index + 1
  }

  private func uleb128(_ at: inout Int, end: Int) throws(BinaryError) -> UInt64 {
    var value: UInt64 = 0
    for shift in stride(from: 0, to: 64, by: 7) {
      guard at < end else { throw BinaryError(offset: at, "truncated ULEB128 number") }
      let byte = view.bytes[at]
      at += 1
      value |= UInt64(byte & 0x7F) << UInt64(shift)
      if byte & 0x80 == 0 { return value }
    }
    throw BinaryError(offset: at, "ULEB128 number is longer than 64 bits")
  }
}
