import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// Mach-O code signatures as Archway reads them against LIEF (which finds the signature) and
/// hashlib (which recomputes every page hash, in `Tests/Oracles/binary_facts.py`), on real
/// binaries from zig and Go and on copies broken as `strip`, a patch or a re-sign leave them.
@Suite struct CodeSignatureTests {
  /// The signed arm64 files the toolchains make, and copies edited by `Tests/Oracles/macho_edit.py`.
  static let cases: [(fixture: String, edits: [String])] = [
    ("c-zig-darwin-arm64", []), ("c-zig-darwin-amd64", []), ("go-darwin-arm64", []), ("go1.24-darwin-arm64", []),
    ("go-darwin-amd64", []), ("c-zig-darwin-arm64", ["flip:20000"]), ("go-darwin-arm64", ["flip:0x1805"]),
    ("c-zig-darwin-arm64", ["strip-signature"]), ("c-zig-darwin-arm64", ["drop-uuid", "resign"]),
    ("c-zig-darwin-arm64", ["add-cms", "resign"]), ("c-zig-darwin-arm64", ["add-cms"]),
    ("c-zig-darwin-arm64", ["truncate-signature"]),
  ]

  @Test(arguments: cases.indices)
  func signatureFactsAgreeWithLIEFAndRecomputedHashes(_ index: Int) async throws {
    let (fixture, edits) = Self.cases[index]
    let source = Fixtures.named(fixture).path
    let path = edits.isEmpty ? source : try await MachOFiles.edited(source, edits)
    defer { if path != source { try? FileManager.default.removeItem(atPath: path) } }
    let slice = try #require(try BinaryInspector.inspectFile(atPath: path).slices?.first)
    let signature = try #require(slice.signature)
    let oracle = try #require((try await Oracle.facts([path])[path]?["slices"] as? [[String: Any]])?.first)
    guard let expected = oracle["code_signature"] as? [String: Any] else {
      #expect(signature.kind == .unsigned && !slice.signed, "\(fixture) \(edits)")
      return
    }
    if expected["malformed"] as? Bool == true {
      #expect(signature.kind == .malformed && signature.problem != nil, "\(signature)")
      return
    }
    let directories = try #require(expected["directories"] as? [[String: Any]])
    #expect(signature.codeDirectories.count == directories.count)
    for (ours, theirs) in zip(signature.codeDirectories, directories) {
      #expect(ours.version == theirs["version"] as? String)
      #expect(
        ours.hashType == ["sha1", "sha256", "sha256-truncated", "sha384"][(theirs["hash_type"] as? Int ?? 1) - 1])
      #expect(ours.hashSize == theirs["hash_size"] as? Int && ours.pageSize == theirs["page_size"] as? Int)
      #expect(ours.codeLimit == theirs["code_limit"] as? Int && ours.codeSlots == theirs["code_slots"] as? Int)
      #expect(ours.specialSlots == theirs["special_slots"] as? Int)
      let flags = theirs["flags"] as? Int ?? 0
      #expect(ours.flags.contains("adhoc") == (flags & 0x2 != 0))
      #expect(ours.flags.contains("linker-signed") == (flags & 0x2_0000 != 0))
    }
    #expect(signature.identifier == directories.first?["identifier"] as? String)
    let firstBad = directories.lazy.compactMap { $0["first_bad_page"] as? Int }.first
    #expect(signature.firstBadPage == firstBad, "\(fixture) \(edits): \(signature.problem ?? "no problem")")
    #expect((signature.problem == nil) == (firstBad == nil), "\(signature.problem ?? "")")
    let certificate = expected["certificate"] as? Bool == true
    #expect((signature.kind == .certificate) == certificate)
    if !certificate { #expect(signature.kind == (flags(directories) & 0x2_0000 != 0 ? .linkerSigned : .adhoc)) }
    if signature.problem == nil {
      #expect(signature.pagesChecked == directories.map { $0["code_slots"] as? Int ?? 0 }.reduce(0, +))
    }
  }

  private func flags(_ directories: [[String: Any]]) -> Int { directories.first?["flags"] as? Int ?? 0 }

  /// Each slice of a universal file has its own signature, checked against its own bytes.
  @Test func aUniversalFileHasASignaturePerSlice() async throws {
    let broken = try await MachOFiles.edited(Fixtures.named("c-zig-darwin-arm64").path, ["flip:20000"])
    let path = try MachOFiles.fat([Fixtures.named("c-zig-darwin-amd64").path, broken])
    defer { for file in [broken, path] { try? FileManager.default.removeItem(atPath: file) } }
    let slices = try #require(try BinaryInspector.inspectFile(atPath: path).slices)
    #expect(slices.map { $0.signature?.kind } == [.unsigned, .linkerSigned])
    #expect(slices[1].signature?.firstBadPage == 1)
    let oracle = try #require(try await Oracle.facts([path])[path]?["slices"] as? [[String: Any]])
    let directory = (oracle[1]["code_signature"] as? [String: Any])?["directories"] as? [[String: Any]]
    #expect(directory?.first?["first_bad_page"] as? Int == 1)
  }

  /// The hash functions against coreutils' on lengths around every block and padding boundary.
  @Test(arguments: [0, 1, 55, 56, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 1000, 16384, 100_003])
  func digestsAgreeWithCoreutils(_ length: Int) async throws {
    let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("archway-digest-\(length)").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    for (kind, tool) in [(Digest.Kind.sha1, "sha1sum"), (.sha256, "sha256sum"), (.sha384, "sha384sum")] {
      let said = try await Command.run(tool, [path]).stdout.prefix { $0 != " " }
      let ours = bytes.withUnsafeBytes { Digest.hash(kind, $0) }
      #expect(ours.count == kind.length)
      #expect(ours.map { String(format: "%02x", $0) }.joined() == said, "\(tool) of \(length) bytes")
    }
  }
}
