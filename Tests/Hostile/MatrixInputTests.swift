import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Issue 13, items 9, 10, 15 and 16: matrix files that collide ids, retype what was written, or
/// ask for unbounded memory or time, each planned through the real CLI as a user would.
// A hang detector, not a timing: at the start of a full run every suite starts processes on two
// cores, and these many `archway plan`s once took 92 s.
@Suite(.timeLimit(.minutes(5))) struct MatrixInputTests {
  static func plan(_ yaml: String, _ arguments: [String] = [], name: String = #function) async throws -> CommandResult {
    let folder = Fixtures.scratch("matrix-\(name.prefix { $0 != "(" })")
    let path = folder + "/m.yml"
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    return try await Command.run(
      Fixtures.archway, ["plan", "--json", path] + arguments, environment: ["NO_COLOR": "1"])
  }

  static func ids(_ result: CommandResult) throws -> [String] {
    let cells = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
    return (cells ?? []).compactMap { $0["id"] as? String }
  }

  // 9. `a/b` becomes `a_b`, which the value `a_b` then collides with; `a_b-2` was the old suffix.
  @Test func cellIdsAreUniqueWhateverTheValues() async throws {
    let result = try await Self.plan("matrix:\n  platform: [linux/amd64]\n  v: [a/b, a_b, a_b-2, a_b~2]\n")
    #expect(result.status == 0, "\(result.stderr)")
    let ids = try Self.ids(result)
    #expect(ids.count == 4 && Set(ids).count == 4, "\(ids)")
    // Each cell's folder is its id under --out: four cells, four folders.
    let folders = Set(try Self.ids(result).map { "archway-out/\($0)" })
    #expect(folders.count == 4)
  }

  // 10. Plain YAML scalars stay as written in ids, `${AXIS}` and versions.
  @Test func scalarsStayAsWritten() async throws {
    let yaml = """
      matrix:
        platform: [linux/amd64]
        v: [1.20, 0x10, 1e3, "010"]
        n: [010]
      build:
        argv: [echo, "${v}", "${n}"]
      verify:
        glibc_max: 2.40
      """
    let result = try await Self.plan(yaml)
    #expect(result.status == 0, "\(result.stderr)")
    let cells = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    #expect(
      try Self.ids(result) == [
        "linux-amd64-gnu-v=1.20-n=010", "linux-amd64-gnu-v=0x10-n=010", "linux-amd64-gnu-v=1e3-n=010",
        "linux-amd64-gnu-v=010-n=010",
      ])
    let argv = cells.compactMap { (($0["steps"] as? [String: Any])?["build"] as? [String: Any])?["argv"] as? [String] }
    #expect(argv.map { Array($0.suffix(2)) } == [["1.20", "010"], ["0x10", "010"], ["1e3", "010"], ["010", "010"]])
    let ceilings = cells.compactMap { ($0["verify"] as? [String: Any])?["glibc_max"] as? String }
    #expect(ceilings == Array(repeating: "2.40", count: 4), "\(ceilings)")
    let values = cells.compactMap { ($0["values"] as? [String: Any])?["v"] }.map { "\($0)" }
    #expect(values == ["1.20", "0x10", "1e3", "010"], "the report keeps them as written too")
  }

  /// 10, through a run: a ceiling of 2.40 must not become 2.4 and fail a binary needing GLIBC_2.34.
  @Test func aGlibcCeilingOf240IsNot24() throws {
    let fixture = Fixtures.named("c-gcc-linux-amd64")
    let file = try MatrixFile.parse(
      yaml: "matrix:\n  platform: [linux/amd64]\nverify:\n  glibc_max: 2.40\n", file: "/nowhere/m.yml")
    let host = Platform(os: "linux", arch: "amd64")
    let cell = try #require(try Planner(host: host, directory: "/nowhere").plan(file).first)
    #expect(cell.verify.glibcMax == DottedVersion("2.40"))
    let facts = try BinaryInspector.inspectFile(atPath: fixture.path)
    let policy = ArtifactPolicy(platform: host, glibcMax: cell.verify.glibcMax)
    #expect(ArtifactVerifier.check(facts, against: policy).isEmpty)
  }

  // 15. A 372-byte alias bomb (9^9 values) is refused at its first alias, before expansion.
  @Test func anAliasBombIsRefusedBeforeItExpands() async throws {
    var yaml = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    var previous = "a"
    for name in "bcdefghi" {
      yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
      previous = String(name)
    }
    yaml += "matrix:\n  platform: [linux/amd64]\n  v: *i\n"
    let result = try await Self.plan(yaml)
    #expect(result.status == 2)
    #expect(result.stderr.contains("m.yml:1:4: a YAML alias repeats the value anchored here"), "\(result.stderr)")
    let small = try await Self.plan("matrix:\n  platform: [linux/amd64]\n  v: [&x a, *x]\n")
    #expect(small.status == 2 && small.stderr.contains("m.yml:3:7: a YAML alias"), "\(small.stderr)")
  }

  // 15. Ten 10-value axes are 10^10 cells: refused from the axes' sizes alone, with the way out.
  @Test func theCellCountIsCappedBeforeAnyCellIsMade() async throws {
    let axes = (0..<10).map { "  a\($0): [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n" }.joined()
    let result = try await Self.plan("matrix:\n  platform: [linux/amd64]\n" + axes)
    #expect(result.status == 2)
    #expect(
      result.stderr.contains("m.yml:2:3: the matrix makes up to 10000000000 cells, above the limit of 10000")
        && result.stderr.contains("--max-cells"), "\(result.stderr)")
    let fits = try await Self.plan(
      "matrix:\n  platform: [linux/amd64]\n  a: [0, 1, 2]\n  b: [0, 1]\n", ["--max-cells", "6"])
    #expect(fits.status == 0, "\(fits.stderr)")
    #expect(try Self.ids(fits).count == 6)
    let over = try await Self.plan(
      "matrix:\n  platform: [linux/amd64]\n  a: [0, 1, 2]\n  b: [0, 1]\n", ["--max-cells", "5"])
    #expect(over.status == 2 && over.stderr.contains("up to 6 cells, above the limit of 5"), "\(over.stderr)")
  }

  // 15. A matrix file is read only when it is a regular file of at most 4 MiB: never a FIFO
  // (which would block), a device (endless) or a huge file read whole.
  @Test func onlyARegularFileOfBoundedSizeIsRead() async throws {
    let folder = Fixtures.scratch("matrix-files")
    let fifo = folder + "/fifo.yml"
    #expect(mkfifo(fifo, 0o600) == 0)
    let big = folder + "/big.yml"
    #expect(FileManager.default.createFile(atPath: big, contents: nil))
    #expect(truncate(big, 5 << 20) == 0)
    for (path, reason) in [
      (fifo, "is a FIFO, not a regular file"), ("/dev/zero", "is a device, not a regular file"),
      (folder, "is a folder, not a regular file"), (big, "is 5.0 MiB, above the limit of 4.0 MiB"),
    ] {
      let result = try await Command.run(Fixtures.archway, ["plan", path])
      #expect(result.status == 2 && result.stderr.contains("\(path): \(reason)"), "\(path): \(result.stderr)")
    }
  }

  // 16. Timeouts that trap when turned into a Duration, and a shard count that allocated O(N).
  @Test func outOfRangeNumbersAreErrorsNotTraps() async throws {
    for value in ["1e400", "1e16", "-1", "0"] {
      let result = try await Self.plan(
        "matrix:\n  platform: [linux/amd64]\nbuild:\n  argv: [true]\n  timeout: \(value)\n")
      #expect(result.status == 2, "\(value): \(result.stderr)")
      #expect(result.stderr.contains("m.yml:5:12: 'timeout' must be a number of seconds above 0 and at most 604800"))
    }
    for value in ["inf", "1e300", "nan"] {
      let result = try await Command.run(Fixtures.archway, ["run", "--timeout", value, "/nowhere.yml"])
      #expect(result.status == 2 && result.stderr.contains("--timeout must be a number of seconds"), "\(value)")
    }
    let shard = try await Self.plan("matrix:\n  platform: [linux/amd64]\n  v: [a, b]\n", ["--shard", "1/1000000000"])
    #expect(shard.status == 0, "\(shard.stderr)")
    #expect(try Self.ids(shard) == ["linux-amd64-gnu-v=a"])
    let last = try await Self.plan(
      "matrix:\n  platform: [linux/amd64]\n  v: [a, b]\n", ["--shard", "1000000000/1000000000"])
    #expect(last.status == 0, "\(last.stderr)")
    #expect(try Self.ids(last).isEmpty)
  }

  /// Found by `Scripts/fuzz.sh matrix`: a plain scalar Yams reads as a base-60 number computed with
  /// trapping arithmetic crashed the reader. Base-60 (YAML 1.1) stays text, as in YAML 1.2.
  @Test func aBase60NumberIsTextNotATrap() async throws {
    let result = try await Self.plan(
      "matrix:\n  platform: [linux/amd64]\n  v: [1:9999:99999999999999999:9999:90, 1:30]\n")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try Self.ids(result) == ["linux-amd64-gnu-v=1_9999_99999999999999999_9999_90", "linux-amd64-gnu-v=1_30"])
  }
}
