import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// `inspect --json`'s writer (``JSONWriter``, ``BinaryFacts/jsonArray(_:symbols:)``) against
/// `JSONEncoder` in Archway's form: the same bytes for every real binary the fixtures hold (ELF of
/// every arch, thin and fat Mach-O, PE, Go), and for values with every kind of awkward string.
@Suite struct PrettyJSONTests {
  static func encoded(_ facts: [BinaryFacts], symbols: Bool) throws -> [UInt8] {
    Array(try PrettyJSON.encoder(omitVersionedSymbols: !symbols).encode(facts))
  }

  @Test func theWriterIsByteForByteTheEncoderOnEveryFixture() throws {
    let facts = try Fixtures.binaries.map { try BinaryInspector.inspectFile(atPath: $0.path) }
    #expect(
      facts.contains { $0.goBuild != nil } && facts.contains { $0.slices != nil } && facts.contains { $0.dlls != nil })
    for symbols in [false, true] {
      let written = BinaryFacts.jsonArray(facts, symbols: symbols)
      let encoded = try Self.encoded(facts, symbols: symbols)
      #expect(written == encoded, "first difference at byte \(zip(written, encoded).prefix { $0 == $1 }.count)")
    }
    #expect(BinaryFacts.jsonArray([], symbols: true) == Array("[]".utf8))
    // Written in parts as files are read: the same bytes.
    let parts = stride(from: 0, to: facts.count, by: 5).map { Array(facts[$0..<min($0 + 5, facts.count)]) }
    var streamed = Array("[".utf8)
    for (index, part) in parts.enumerated() {
      streamed += BinaryFacts.jsonElements(part, symbols: true, afterOthers: index > 0)
    }
    #expect(streamed + Array("\n]".utf8) == BinaryFacts.jsonArray(facts, symbols: true))
  }

  @Test func awkwardStringsAndEveryOptionalPart() throws {
    let awkward =
      "quote \" back\\slash /slash tab\t nl\n cr\r bs\u{08} ff\u{0C} nul\u{0} esc\u{1B} us\u{1F} del\u{7F} é \u{2028} 😀"
    var facts = BinaryFacts(path: awkward, format: .macho)
    facts.error = awkward
    facts.warnings = [awkward, ""]
    facts.needed = ["b", "a", "B"]
    facts.floors = ["GLIBC": "2.34", "GLIBCXX": "3.4.30", "CXXABI": "1.3", "-x": awkward, "10": "", "9": ""]
    facts.versionRequirements = [
      "libc.so.6": ["GLIBC_2.2.5", "GLIBC_2.34"], "ld-linux.so.2": [], "libm.so.6": [awkward],
    ]
    facts.versionedSymbols = ["GLIBC_2.34": ["__libc_start_main"], "Z": [], "a": ["x"]]
    facts.goBuild = GoBuildInfo(
      version: "go1.22.1", path: awkward, module: "example.com/m",
      settings: ["GOARCH": "amd64", "GOAMD64": "v3", "-buildmode": "exe", "CGO_ENABLED": "0", "vcs.time": awkward])
    facts.slices = [
      MachOSlice(
        arch: "arm64", cpu: "arm64e", bits: 64, type: "executable", platform: "macos", minos: "11.0", sdk: "14.2",
        dylibs: ["/usr/lib/libSystem.B.dylib"], weakDylibs: [], rpaths: ["@loader_path/../lib"], signed: true,
        uuid: "0123", offset: 16384, size: 1 << 40, goBuild: GoBuildInfo(version: "go1.19"),
        signature: CodeSignature(
          kind: .certificate, identifier: awkward, teamID: awkward, hardenedRuntime: true,
          codeDirectories: [
            CodeDirectory(
              version: "0x20400", flags: ["adhoc", "0x8"], hashType: "sha256", hashSize: 32, pageSize: 0,
              codeLimit: 1 << 40, codeSlots: 1, specialSlots: 7,
              execSegment: .init(base: 0, limit: 16384, flags: ["main-binary"])),
            CodeDirectory(
              version: "0x20001", flags: [], hashType: "sha1", hashSize: 20, pageSize: 4096, codeLimit: 0,
              codeSlots: 0, specialSlots: 0),
          ],
          specialSlots: ["requirements", awkward], pagesChecked: 3, problem: awkward, firstBadPage: 0)),
      MachOSlice(
        arch: "amd64", cpu: "x86_64", bits: 64, type: "bundle", platform: nil, minos: nil, sdk: nil, dylibs: [],
        weakDylibs: ["w"], rpaths: [], signed: false, uuid: nil, offset: 0, size: 0),
    ]
    facts.peFormat = "PE32+"
    facts.subsystem = "windows-cui"
    facts.subsystemVersion = "6.0"
    facts.dlls = ["KERNEL32.dll"]
    facts.sha256 = String(repeating: "ab", count: 32)
    facts.bits = -1
    let bare = BinaryFacts(path: "", format: .unknown)
    for symbols in [false, true] {
      let written = BinaryFacts.jsonArray([facts, bare], symbols: symbols)
      let encoded = try Self.encoded([facts, bare], symbols: symbols)
      #expect(
        written == encoded,
        "\(String(decoding: written, as: UTF8.self))\nvs\n\(String(decoding: encoded, as: UTF8.self))")
    }
  }
}
