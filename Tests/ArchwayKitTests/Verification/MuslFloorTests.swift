import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// musl releases: `musl-1.1`, `musl-1.2` like `gnu-2.31`, and the floor read from the names a
/// binary imports (musl versions no symbol, so an Alpine 3.12, musl 1.1.24, stops a musl 1.2 binary
/// at its first relocation: "Error relocating …: __clock_gettime64: symbol not found").
@Suite struct MuslFloorTests {
  /// The names `readelf --dyn-syms` lists as undefined (imports) in `path`.
  static func readelfImports(_ path: String) async throws -> Set<String> {
    let result = try await Command.run("readelf", ["--dyn-syms", "-W", path])
    #expect(result.status == 0, "\(result.stderr)")
    return Set(
      result.stdout.split(separator: "\n").compactMap { line in
        let words = line.split(separator: " ")
        return words.count == 8 && words[6] == "UND" ? String(words[7]) : nil
      })
  }

  /// Every function the table dates is one musl exports: Debian's musl 1.2.3 (`libc.so` of
  /// musl-dev, read by readelf) for the 64-bit names, zig's musl symbol list for the time64 ones,
  /// which only 32-bit arches have. A typo in the table would date a symbol no musl has.
  @Test func everySymbolTheTableDatesIsOneMuslExports() async throws {
    let exports = try await Command.run("readelf", ["--dyn-syms", "-W", "/usr/lib/x86_64-linux-musl/libc.so"])
    #expect(exports.status == 0, "musl-dev is installed by Scripts/setup-host.sh: \(exports.stderr)")
    let defined = Set(
      exports.stdout.split(separator: "\n").compactMap { line -> String? in
        let words = line.split(separator: " ")
        return words.count == 8 && words[6] != "UND" ? String(words[7].prefix { $0 != "@" }) : nil
      })
    let time64 = Set(MuslReleases.time64)
    for (symbol, _) in MuslReleases.known where !time64.contains(symbol) {
      #expect(defined.contains(symbol), "\(symbol) is not exported by Debian's musl 1.2.3")
    }
    let script = "import ziglang, os; print(open(os.path.dirname(ziglang.__file__) + '/lib/libc/musl/libc.S').read())"
    let zig = try await Command.run("python3", ["-c", script])
    let listed = Set(zig.stdout.split(separator: "\n").filter { $0.hasSuffix(":") }.map { String($0.dropLast()) })
    #expect(listed.count > 1000, "\(zig.stderr)")
    for symbol in time64 { #expect(listed.contains(symbol), "\(symbol) is not in zig's musl symbol list") }
    #expect(time64.allSatisfy { !defined.contains($0) }, "64-bit musl has no time64 symbols")
  }

  @Test func a32BitBinaryOfMusl12NeedsItsTime64Symbols() async throws {
    let path = Fixtures.named("c-zig-arm-musl-time64").path
    let facts = try BinaryInspector.inspectFile(atPath: path)
    #expect(facts.libc == .musl && facts.muslFloor == "1.2.0")
    // The program calls clock_gettime and stat; musl 1.2's headers redirect both.
    #expect(facts.floorSymbols == ["__clock_gettime64", "__stat_time64"])
    #expect(Set(facts.floorSymbols).isSubset(of: try await Self.readelfImports(path)))
  }

  @Test func aMuslProgramNeedingQsortRNeedsMusl123() async throws {
    let path = Fixtures.named("c-musl-dynamic-qsortr-amd64").path
    let facts = try BinaryInspector.inspectFile(atPath: path)
    #expect(facts.muslFloor == "1.2.3" && facts.floorSymbols == ["qsort_r"])
    #expect(try await Self.readelfImports(path).contains("qsort_r"))
    let hello = try BinaryInspector.inspectFile(atPath: Fixtures.named("c-musl-dynamic-amd64").path)
    #expect(hello.libc == .musl && hello.muslFloor == nil && hello.floorSymbols.isEmpty)
  }

  @Test(arguments: [
    ("c-zig-arm-musl-time64", "linux/arm/v7", "musl-1.1", true),
    ("c-zig-arm-musl-time64", "linux/arm/v7", "musl-1.1.24", true),
    ("c-zig-arm-musl-time64", "linux/arm/v7", "musl-1.2", false),
    ("c-zig-arm-musl-time64", "linux/arm/v7", "musl", false),
    ("c-musl-dynamic-qsortr-amd64", "linux/amd64", "musl-1.2", true),
    ("c-musl-dynamic-qsortr-amd64", "linux/amd64", "musl-1.2.3", false),
    ("c-musl-dynamic-qsortr-amd64", "linux/amd64", "any", false),
  ])
  func theFloorIsCheckedAgainstTheTargetsMusl(name: String, target: String, libc: String, fails: Bool) throws {
    let facts = try BinaryInspector.inspectFile(atPath: Fixtures.named(name).path)
    let policy = try ArtifactPolicy(target: target, libc: libc, glibcMax: nil, allowNeeded: nil)
    let found = ArtifactVerifier.check(facts, against: policy)
    #expect(found.map(\.check) == (fails ? [.muslFloor] : []), "\(found.map(\.message))")
    if fails, name.contains("time64") {
      #expect(
        found.first?.message
          == "imports __clock_gettime64, __stat_time64, first exported by musl 1.2.0 (musl 1.2 made time_t 64-bit on"
          + " 32-bit arches), but the target's musl is \(libc.dropFirst(5)); its loader stops with \"symbol not found\""
      )
    }
  }

  @Test func muslReleasesAreWrittenLikeGlibcs() throws {
    #expect(try LibcRequirement.parse("musl-1.2") == .musl(DottedVersion("1.2")))
    #expect(try LibcRequirement.parse("MUSL-1.1.24").description == "musl-1.1.24")
    #expect(try LibcRequirement.parse("musl") == .musl(nil))
    for bad in ["musl-", "musl-1", "musl-2.0", "musl-1.x", "musl-1.2.3.4"] {
      #expect(throws: TargetError.self, "\(bad)") { try LibcRequirement.parse(bad) }
    }
  }
}
