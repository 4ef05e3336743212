import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// What a Mac refuses before it runs a file, on real zig and Go binaries and on copies broken as
/// tools break them: each case fails `verify` with a message naming its cause, and every sound
/// binary passes. The sources for what macOS refuses are in `ArtifactVerifier+MachO.swift`.
@Suite struct MacChecksTests {
  struct Case: Sendable, CustomStringConvertible {
    let fixture: String
    let edits: [String]
    let target: String
    /// What each violation's message must contain, in order; empty: the file passes.
    let causes: [String]
    var universalWith: String? = nil
    /// Copied alone into a folder of its own, away from the dylibs beside it among the fixtures.
    var alone = false
    /// `signed: true` and `allow_arm64e: true`.
    var signed = false
    var arm64e = false
    var description: String {
      "\(fixture) \(edits)\(universalWith.map { " + \($0)" } ?? "")\(alone ? " alone" : "") on \(target)"
        + (signed ? ", signed" : "") + (arm64e ? ", arm64e allowed" : "")
    }
  }

  static let cases: [Case] = [
    Case(fixture: "c-zig-darwin-arm64", edits: [], target: "darwin/arm64", causes: []),
    Case(fixture: "c-zig-darwin-amd64", edits: [], target: "darwin/amd64", causes: []),
    Case(fixture: "go1.24-darwin-arm64", edits: [], target: "darwin/arm64", causes: []),
    // x86_64 code may be unsigned; the kernel checks only a signature that is there.
    Case(fixture: "c-zig-darwin-amd64", edits: ["flip:9000"], target: "darwin/amd64", causes: []),
    Case(fixture: "c-zig-darwin-arm64", edits: ["add-cms", "resign"], target: "darwin/arm64", causes: []),
    Case(
      fixture: "go-darwin-arm64", edits: [], target: "darwin/arm64",
      causes: ["has no LC_UUID (the linker of go1.19"]),
    Case(fixture: "go-darwin-amd64", edits: [], target: "darwin/amd64", causes: ["has no LC_UUID"]),
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["strip-signature"], target: "darwin/arm64",
      causes: ["is arm64 code without a signature: macOS on Apple silicon kills it at exec"]),
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["flip:20000"], target: "darwin/arm64",
      causes: ["has a broken code signature: page 1 (bytes 0x4000..<0x8000) does not match its sha256 hash"]),
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["truncate-signature"], target: "darwin/arm64",
      causes: ["has a broken code signature: the signature is malformed: truncated code signature"]),
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["drop-uuid", "resign"], target: "darwin/arm64",
      causes: ["has no LC_UUID: dyld of macOS 26 refuses to load it"]),
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["platform:2", "resign"], target: "darwin/arm64",
      causes: ["is built for ios, not macOS"]),
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["platform:7", "resign"], target: "darwin/arm64",
      causes: ["is built for iossimulator, not macOS"]),
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["arm64e", "resign"], target: "darwin/arm64",
      causes: ["is arm64e: macOS runs only Apple's own arm64e code"]),
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["arm64e", "resign"], target: "darwin/arm64", causes: [], arm64e: true),
    // A release for download must be signed with a certificate: zig signs ad hoc (linker-signed).
    Case(
      fixture: "c-zig-darwin-arm64", edits: [], target: "darwin/arm64",
      causes: ["is signed ad hoc (linker-signed), and the release must be signed (signed: true): Gatekeeper"],
      signed: true),
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["add-cms", "resign"], target: "darwin/arm64", causes: [], signed: true),
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["add-cms", "resign"], target: "darwin/arm64",
      causes: ["its x86_64 slice is unsigned, and the release must be signed (signed: true)"],
      universalWith: "c-zig-darwin-amd64", signed: true),
    // A patched header breaks the signature too: both are named.
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["arm64e"], target: "darwin/arm64",
      causes: ["is arm64e", "has a broken code signature: page 0"]),
    // Universal files: the broken slice is the one named, whichever slice the target picks.
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["flip:20000"], target: "darwin/amd64",
      causes: ["its arm64 slice has a broken code signature: page 1"], universalWith: "c-zig-darwin-amd64"),
    Case(
      fixture: "c-zig-darwin-arm64", edits: ["strip-signature"], target: "darwin/arm64",
      causes: ["its arm64 slice is arm64 code without a signature"], universalWith: "c-zig-darwin-amd64"),
    Case(
      fixture: "c-zig-darwin-arm64", edits: [], target: "darwin/arm64", causes: [], universalWith: "c-zig-darwin-amd64"),
    // Dylibs: the project's own beside it through @rpath and LC_RPATH @loader_path; the builder's
    // Homebrew copy, which no clean Mac has; the same program without its dylib.
    Case(fixture: "c-zig-darwin-greet", edits: [], target: "darwin/arm64", causes: []),
    // Rosetta runs an amd64-only file on Apple silicon, without AVX2; beside an arm64 slice, only
    // Intel Macs run the amd64 one.
    Case(
      fixture: "go1.24-darwin-amd64-v3", edits: [], target: "darwin/amd64",
      causes: ["needs CPU level x86-64-v3 (GOAMD64 or GOARM64) but the target's CPU is x86-64-v2: Rosetta 2"]),
    Case(
      fixture: "go1.24-darwin-amd64-v3", edits: [], target: "darwin/arm64", causes: [],
      universalWith: "go1.24-darwin-arm64"),
    Case(fixture: "libgreet.dylib", edits: [], target: "darwin/arm64", causes: []),
    Case(
      fixture: "c-zig-darwin-brew", edits: [], target: "darwin/arm64",
      causes: ["needs /opt/homebrew/lib/libgreet.dylib, which a clean Mac does not have: dyld stops it"]),
    Case(
      fixture: "c-zig-darwin-greet", edits: [], target: "darwin/arm64",
      causes: ["needs @rpath/libgreet.dylib, which no file in its folder answers (LC_RPATH: @loader_path)"],
      alone: true),
  ]

  @Test(arguments: cases)
  func eachRefusalFailsWithItsCause(_ test: Case) async throws {
    let source = Fixtures.named(test.fixture).path
    var path = test.edits.isEmpty ? source : try await MachOFiles.edited(source, test.edits)
    if test.alone {
      let folder = Fixtures.scratch("mac-alone-\(UUID().uuidString)")
      try FileManager.default.copyItem(atPath: source, toPath: folder + "/" + test.fixture)
      path = folder + "/" + test.fixture
    }
    if let other = test.universalWith { path = try MachOFiles.fat([Fixtures.named(other).path, path]) }
    defer { if path != source { try? FileManager.default.removeItem(atPath: path) } }
    let facts = try BinaryInspector.inspectFile(atPath: path)
    let policy = ArtifactPolicy(
      platform: try Platform.parse(test.target), signed: test.signed, allowArm64e: test.arm64e)
    let violations = ArtifactVerifier.check(facts, against: policy)
    #expect(violations.count == test.causes.count, "\(violations.map(\.message))")
    for (violation, cause) in zip(violations, test.causes) {
      #expect(violation.message.contains(cause), "\(violation.message)")
    }
  }

  /// In a matrix cell the same facts become the `signature` and `dyld` checks, each naming its slices.
  @Test func aCellReportsSignatureAndDyldChecks() async throws {
    let broken = try await MachOFiles.edited(Fixtures.named("c-zig-darwin-arm64").path, ["flip:20000"])
    defer { try? FileManager.default.removeItem(atPath: broken) }
    let target = CellTarget(platform: try Platform.parse("darwin/arm64"), libc: .system, cpu: nil)
    for (path, signature, dyld) in [
      (Fixtures.named("c-zig-darwin-arm64").path, Verdict.passed, Verdict.passed),
      (Fixtures.named("go-darwin-arm64").path, .passed, .failed), (broken, .failed, .passed),
    ] {
      let (_, _, findings) = ArtifactChecks.verify(
        ArtifactRecord(name: "hello", path: path), policy: VerifyPolicy(), target: target,
        root: URL(fileURLWithPath: path).deletingLastPathComponent().path)
      let verdicts = Dictionary(findings.map { ($0.kind, $0.verdict) }, uniquingKeysWith: { $1 })
      #expect(verdicts[.signature] == signature && verdicts[.dyld] == dyld, "\(path): \(findings.map(\.message))")
      #expect(verdicts[.arch] == .passed)
    }
  }
}
