import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Issue 13, item 7: a binary cut short or with a corrupt table is damaged, never "fits". Where the
/// cut falls and where the tables are come from readelf, not from Archway's reader.
@Suite struct DamagedBinaryTests {
  /// Where the last loaded segment's bytes end, by `readelf -lW`: a cut below it loses code or data
  /// the loader maps (bytes after it, such as a symbol table, the program does not need).
  static func loadedEnd(_ path: String) async throws -> Int {
    let text = try await Command.run("readelf", ["-lW", path]).stdout
    let ends = text.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("LOAD") }.map {
      line in
      let fields = line.split(separator: " ")
      return Int(fields[1].dropFirst(2), radix: 16)! + Int(fields[4].dropFirst(2), radix: 16)!
    }
    return try #require(ends.max())
  }

  static func cut(_ fixture: Fixture, to size: Int, in folder: String) throws -> String {
    let path = "\(folder)/\(fixture.name)-\(size)"
    try Data(Fixtures.bytes(fixture).prefix(size)).write(to: URL(fileURLWithPath: path))
    return path
  }

  static func policy(_ fixture: Fixture) throws -> ArtifactPolicy {
    try ArtifactPolicy(target: fixture.platform!, libc: "any", glibcMax: "2.17", allowNeeded: nil)
  }

  @Test(arguments: ["c-gcc-linux-amd64", "c-gcc-linux-s390x-noshdr", "c-gcc-linux-arm-v7", "c-zig-amd64-gnu2.17"])
  func aBinaryCutShortIsDamagedWhereverTheCutFalls(name: String) async throws {
    let fixture = Fixtures.named(name)
    let folder = Fixtures.scratch("cut-\(name)")
    let whole = try BinaryInspector.inspectFile(atPath: fixture.path)
    #expect(whole.warnings.isEmpty && whole.damage == nil, "\(whole.warnings)")
    let end = try await Self.loadedEnd(fixture.path)
    for percent in [1, 10, 25, 50, 75, 90, 99] {
      let path = try Self.cut(fixture, to: max(64, end * percent / 100), in: folder)
      let facts = try BinaryInspector.inspectFile(atPath: path)
      let violations = ArtifactVerifier.check(facts, against: try Self.policy(fixture))
      #expect(violations.contains { $0.check == .intact }, "\(name) cut to \(percent)%: \(violations)")
      #expect(facts.damagedPart(for: .glibcFloor) != nil && facts.damagedPart(for: .libc) != nil)
    }
  }

  /// `.gnu.version_r`'s first auxiliary entry, by `readelf -V`: its file offset.
  static func versionNeedsOffset(_ path: String) async throws -> Int {
    let text = try await Command.run("readelf", ["-VW", path]).stdout
    let section = try #require(text.components(separatedBy: "'.gnu.version_r'").last)
    let offset = try #require(section.firstMatch(of: /Offset: 0x([0-9a-f]+)/)?.1)
    return try #require(Int(offset, radix: 16))
  }

  /// The fixture with a 32-bit little-endian value written at `offset`.
  static func patched(
    _ fixture: Fixture, at offset: Int, _ value: UInt32, in folder: String, _ tag: String
  ) throws
    -> String
  {
    var bytes = Fixtures.bytes(fixture)
    withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { bytes[offset + i] = b } }
    let path = "\(folder)/\(fixture.name)-\(tag)"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// A version-needs table whose aux offset or version name points nowhere: the floor it hides
  /// (GLIBC_2.34, above the 2.17 ceiling) must not turn into "needs no versioned glibc".
  @Test func aCorruptVersionNeedsTableIsDamageNotAPass() async throws {
    let fixture = Fixtures.named("c-gcc-linux-amd64")
    let folder = Fixtures.scratch("verneed")
    let start = try await Self.versionNeedsOffset(fixture.path)
    // Elf64_Verneed: vn_aux at +8; the first Elf64_Vernaux follows at +16, its vna_name at +8.
    for (tag, offset) in [("aux", start + 8), ("name", start + 16 + 8)] {
      let path = try Self.patched(fixture, at: offset, 0x7FFF_FFF0, in: folder, tag)
      let readelf = try await Command.run("readelf", ["-VW", path])
      #expect(!readelf.stdout.contains("GLIBC_2.34"), "readelf still reads the version: \(tag)")
      let facts = try BinaryInspector.inspectFile(atPath: path)
      let violations = ArtifactVerifier.check(facts, against: try Self.policy(fixture))
      #expect(violations.map(\.check).contains(.intact), "\(tag): \(violations)")
    }
  }

  @Test func verifyFailsAndInspectNamesADamagedFile() async throws {
    let fixture = Fixtures.named("c-gcc-linux-amd64")
    let end = try await Self.loadedEnd(fixture.path)
    let path = try Self.cut(fixture, to: end / 2, in: Fixtures.scratch("cli-cut"))
    let verify = try await Command.run(
      Fixtures.archway, ["verify", "--target", "linux/amd64", "--glibc-max", "2.17", path],
      environment: ["NO_COLOR": "1"])
    #expect(verify.status == 1, "\(verify.stderr)")
    #expect(verify.stdout.contains("\(path): is damaged: "), "\(verify.stdout)")
    let inspect = try await Command.run(Fixtures.archway, ["inspect", path], environment: ["NO_COLOR": "1"])
    #expect(inspect.status == 0)
    #expect(inspect.stderr.contains("\(path): is damaged: "), "\(inspect.stderr)")
  }

  /// Through a run: the artifact a build cut short fails the cell, and the checks that depend on
  /// the lost tables say they could not be made instead of passing.
  @Test func aCellWhoseBuildLeftACutBinaryFails() async throws {
    let fixture = Fixtures.named("c-gcc-linux-amd64")
    let folder = Fixtures.scratch("cell-cut")
    let size = try await Self.loadedEnd(fixture.path) * 3 / 4
    let yaml = """
      matrix:
        platform: [linux/amd64]
      build:
        script: head -c \(size) \(fixture.path) > ${cell.out}/hello && chmod +x ${cell.out}/hello
        artifacts: {hello: "${cell.out}/hello"}
      verify: {glibc_max: "2.17"}
      """
    let file = try MatrixFile.parse(yaml: yaml, file: folder + "/m.yml")
    let cell = try #require(
      try Planner(host: Platform(os: "linux", arch: "amd64"), outputRoot: folder + "/out", directory: folder).plan(file)
        .first)
    let executor = CellExecutor(
      host: Platform(os: "linux", arch: "amd64"), defaultTimeout: .seconds(60),
      environment: ProcessInfo.processInfo.environment)
    let record = CellVerifier.verify(await executor.execute(cell), cell: cell)
    #expect(record.verdict == .failed)
    let checks = Dictionary(record.findings.map { ($0.kind, $0) }, uniquingKeysWith: { a, _ in a })
    #expect(checks[.intact]?.verdict == .failed, "\(record.findings)")
    #expect(checks[.glibcFloor]?.verdict == .error, "\(record.findings)")
    #expect(checks[.glibcFloor]?.message.contains("damaged") == true)
  }
}
