import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Malformed input never traps, hangs or allocates without bound: it gives facts, warnings or an
/// error, and every problem names its byte offset.
@Suite struct MalformedInputTests {
  /// Reads `bytes` and checks the outcome's shape; a trap here crashes the test run, which fails it.
  @discardableResult
  static func read(_ bytes: [UInt8], _ label: @autoclosure () -> String) -> BinaryFacts {
    let start = ContinuousClock.now
    let facts = bytes.withUnsafeBytes { BinaryInspector.inspect($0, path: "x") }
    #expect(ContinuousClock.now - start < .seconds(2), "reading took too long: \(label())")
    for problem in facts.warnings + [facts.error].compactMap({ $0 }) {
      #expect(problem.contains("at offset 0x"), "\(label()): \(problem)")
    }
    return facts
  }

  @Test(arguments: Fixtures.binaries)
  func everyTruncationIsReadSafely(_ fixture: Fixture) {
    let bytes = Fixtures.bytes(fixture)
    var cuts = Set(stride(from: 0, to: min(bytes.count, 1024), by: 3))
    for step in 1..<128 { cuts.insert(bytes.count * step / 128) }
    for cut in cuts.sorted() {
      let facts = Self.read(Array(bytes.prefix(cut)), "\(fixture.name) cut at \(cut)")
      if cut < 16 && facts.format != .unknown { #expect(facts.error != nil, "\(fixture.name) cut at \(cut)") }
    }
  }

  @Test(arguments: Fixtures.binaries)
  func randomCorruptionIsReadSafely(_ fixture: Fixture) {
    var random = SplitMix64(seed: fixture.name.utf8.reduce(1469598103934665603) { ($0 ^ UInt64($1)) &* 1099511628211 })
    let original = Fixtures.bytes(fixture)
    let hot = min(original.count, 8192)
    for round in 0..<300 {
      var bytes = original
      for _ in 0..<(1 + Int(random.next() % 8)) {
        // Mostly the headers and tables near the start; sometimes anywhere.
        let index = random.next() % 4 == 0 ? Int(random.next() % UInt64(bytes.count)) : Int(random.next() % UInt64(hot))
        bytes[index] = random.next() % 3 == 0 ? 0xFF : UInt8(truncatingIfNeeded: random.next())
      }
      Self.read(bytes, "\(fixture.name) mutation \(round)")
    }
  }

  // MARK: Absurd counts and offsets, one structure at a time

  static func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8], bigEndian: Bool = false) {
    let raw = bigEndian ? value.bigEndian : value.littleEndian
    withUnsafeBytes(of: raw) { for (i, b) in $0.enumerated() { bytes[offset + i] = b } }
  }

  static func get64(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
    bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
  }

  /// The (file offset of the entry, tag, value) of each dynamic entry of a 64-bit little-endian ELF.
  static func dynamicEntries(_ bytes: [UInt8]) -> [(at: Int, tag: UInt64, value: UInt64)] {
    let phoff = Int(get64(bytes, 32))
    let phnum = Int(bytes[56]) | Int(bytes[57]) << 8
    for index in 0..<phnum {
      let header = phoff + index * 56
      guard bytes[header] == 2 else { continue }  // PT_DYNAMIC
      let start = Int(get64(bytes, header + 8))
      return stride(from: start, to: start + Int(get64(bytes, header + 32)), by: 16).map {
        ($0, get64(bytes, $0), get64(bytes, $0 + 8))
      }
    }
    return []
  }

  static let elf = Fixtures.bytes(Fixtures.named("c-gcc-linux-amd64"))

  @Test func elfProgramHeaderCountPastTheFile() {
    var bytes = Self.elf
    Self.put(UInt16(0xFFFF), at: 56, in: &bytes)  // e_phnum = PN_XNUM, and section 0 says 0
    Self.put(UInt64(0), at: 40, in: &bytes)
    let facts = Self.read(bytes, "e_phnum")
    #expect(facts.arch == "amd64", "the header's facts survive a broken table")
    Self.put(UInt16(0x7FFF), at: 56, in: &bytes)
    #expect(
      Self.read(bytes, "e_phnum 0x7fff").warnings.contains { $0.contains("program header table of 32767 entries") })
  }

  @Test func elfSectionTableAtAnAbsurdOffset() {
    var bytes = Self.elf
    Self.put(UInt64(0xFFFF_FFFF_FFFF_FF00), at: 40, in: &bytes)
    let facts = Self.read(bytes, "e_shoff")
    #expect(facts.warnings.contains { $0.hasPrefix("section headers:") })
    #expect(facts.interpreter != nil && facts.glibcFloor == "2.34", "program headers still give the facts")
    Self.put(UInt64(64), at: 40, in: &bytes)
    Self.put(UInt16(0), at: 58, in: &bytes)  // e_shentsize 0
    #expect(Self.read(bytes, "e_shentsize").warnings.contains { $0.contains("entry size 0") })
  }

  @Test func elfVersionNeedsThatOverlapAreCutOff() {
    var bytes = Self.elf
    let entries = Self.dynamicEntries(bytes)
    let verneed = Int(entries.first { $0.tag == 0x6FFF_FFFE }!.value)  // PIE: address == offset here
    let count = entries.first { $0.tag == 0x6FFF_FFFF }!
    Self.put(UInt64(0xFFFF_FFFF), at: count.at + 8, in: &bytes)  // DT_VERNEEDNUM
    Self.put(UInt16(0xFFFF), at: verneed + 2, in: &bytes)  // vn_cnt
    Self.put(UInt32(4), at: verneed + 12, in: &bytes)  // vn_next: entries 4 bytes apart, overlapping
    let facts = Self.read(bytes, "verneed")
    #expect(facts.arch == "amd64")
    #expect(facts.warnings.contains { $0.hasPrefix("version needs:") })
  }

  @Test func elfStringTableSizeBeyondTheFileIsClipped() {
    var bytes = Self.elf
    let strsz = Self.dynamicEntries(bytes).first { $0.tag == 10 }!
    Self.put(UInt64.max, at: strsz.at + 8, in: &bytes)
    let facts = Self.read(bytes, "DT_STRSZ")
    #expect(facts.needed == ["libc.so.6"])
  }

  @Test func elfGnuHashWithAbsurdBucketCount() {
    var bytes = Self.elf
    let gnuHash = Int(Self.dynamicEntries(bytes).first { $0.tag == 0x6FFF_FEF5 }!.value)
    Self.put(UInt32(0xFFFF_FFFF), at: gnuHash, in: &bytes)
    // Sections still give .dynsym's size, so remove them to force the hash walk.
    Self.put(UInt64(0), at: 40, in: &bytes)
    let facts = Self.read(bytes, "gnu hash")
    #expect(facts.warnings.contains { $0.contains("GNU hash buckets") })
    #expect(facts.glibcFloor == "2.34")
  }

  static let macho = Fixtures.bytes(Fixtures.named("go-darwin-arm64"))

  @Test(arguments: [
    (16, UInt32.max, "lies past sizeofcmds"), (20, UInt32.max, "truncated load commands"),
    (36, 0, "has size 0"), (36, UInt32.max, "has size"),
  ])
  func machOHeaderAbsurdities(field: Int, value: UInt32, message: String) {
    var bytes = Self.macho
    Self.put(value, at: field, in: &bytes)
    let facts = Self.read(bytes, "mach-o \(field)")
    #expect(facts.error?.contains(message) == true, "\(facts.error ?? "no error")")
  }

  /// The zig arm64 fixture and where its signature's SuperBlob and CodeDirectory start.
  static let signed: (bytes: [UInt8], superBlob: Int, directory: Int) = {
    let bytes = Fixtures.bytes(Fixtures.named("c-zig-darwin-arm64"))
    func u32(_ at: Int, big: Bool = false) -> Int {
      let raw = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) }
      return Int(big ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw))
    }
    var at = 32
    while u32(at) != 0x1D { at += u32(at + 4) }  // LC_CODE_SIGNATURE
    let superBlob = u32(at + 8)
    return (bytes, superBlob, superBlob + u32(superBlob + 16, big: true))
  }()

  /// A signature that cannot be read is a signature the kernel refuses: the slice still reads, and
  /// its signature's problem names the offset. Fields are big-endian (xnu `cs_blobs.h`).
  @Test(arguments: [
    (0, UInt32(0xFADE_0CC1), false, "no embedded-signature SuperBlob"),
    (4, UInt32.max, false, "SuperBlob claims"), (8, UInt32.max, false, "SuperBlob claims"),
    (16, UInt32.max, false, "blob 0 lies outside"), (4, UInt32.max, true, "blob 0 claims"),
    (8, UInt32(0x10001), true, "CodeDirectory version"), (16, UInt32.max, true, "hashes lie outside"),
    (24, UInt32.max, true, "hashes lie outside"), (28, UInt32.max, true, "page hashes for"),
    (32, UInt32.max, true, "code limit"), (32, UInt32(8), true, "leaves bytes up to the signature"),
    (36, UInt32(0x2009_0000), true, "hash type 9"), (36, UInt32(0x2002_00FF), true, "page size 2^255"),
    (44, UInt32(4), true, "scatter vector"), (20, UInt32.max, true, "identifier lies outside"),
  ])
  func signatureAbsurdities(field: Int, value: UInt32, inDirectory: Bool, message: String) throws {
    var bytes = Self.signed.bytes
    Self.put(
      value, at: (inDirectory ? Self.signed.directory : Self.signed.superBlob) + field, in: &bytes, bigEndian: true)
    let facts = Self.read(bytes, "signature \(field)")
    #expect(facts.error == nil && facts.warnings.isEmpty)
    let signature = try #require(facts.slices?.first?.signature)
    #expect(signature.kind == .malformed, "\(signature)")
    #expect(
      signature.problem?.contains(message) == true && signature.problem?.contains("at file offset 0x") == true,
      "\(signature.problem ?? "no problem")")
  }

  @Test func fatSliceBeyondTheFile() {
    var bytes: [UInt8] = [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 2] + [UInt8](repeating: 0, count: 40)
    Self.put(UInt32(0x7FFF_0000), at: 16, in: &bytes, bigEndian: true)
    Self.put(UInt32(16), at: 20, in: &bytes, bigEndian: true)
    #expect(Self.read(bytes, "fat").error?.contains("fat slice 0") == true)
    Self.put(UInt32(0), at: 16, in: &bytes, bigEndian: true)  // a slice over the fat header itself
    #expect(Self.read(bytes, "fat overlap").error?.contains("overlaps the fat header") == true)
  }

  static let pe = Fixtures.bytes(Fixtures.named("go-windows-amd64.exe"))

  @Test func peAbsurdities() {
    var bytes = Self.pe
    Self.put(UInt32(0xFFFF_FFF0), at: 0x3C, in: &bytes)
    #expect(Self.read(bytes, "e_lfanew").error?.contains("PE signature") == true)
    bytes = Self.pe
    let lfanew = Int(bytes[0x3C]) | Int(bytes[0x3D]) << 8
    Self.put(UInt16(0xFFFF), at: lfanew + 6, in: &bytes)  // NumberOfSections
    #expect(Self.read(bytes, "sections").error?.contains("section table") == true)
  }
}
