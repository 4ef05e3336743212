import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `archway plan` as users and CI systems run it.
@Suite struct PlanCLITests {
  static func plan(_ arguments: String...) async throws -> CommandResult { try await plan(arguments) }

  static func plan(_ arguments: [String]) async throws -> CommandResult {
    try await Command.run(Fixtures.archway, ["plan"] + arguments, workingDirectory: Fixtures.root)
  }

  static func temporaryFile(_ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("archway-\(UUID().uuidString).yml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func theDefaultMatrixIsPlannedAsATable() async throws {
    let result = try await Self.plan()
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.first?.hasPrefix("ID") == true && lines.count == 15)
    #expect(result.stderr.contains("14 of 14 cells from Matrix/archway.yml"))
  }

  @Test func jsonIsTheKitsPlan() async throws {
    let result = try await Self.plan("Matrix/archway.yml", "--json")
    let cells = try JSONDecoder().decode([Cell].self, from: Data(result.stdout.utf8))
    let file = try MatrixFile.load(path: Fixtures.root + "/Matrix/archway.yml")
    let expected = try Planner(host: HostProbe.platform(), directory: Fixtures.root).plan(file)
    #expect(cells.map(\.id) == expected.map(\.id))
    #expect(cells.map(\.target) == expected.map(\.target))
    #expect(cells.map(\.steps) == expected.map(\.steps))
    #expect(cells.map(\.verify) == expected.map(\.verify))
    #expect(cells.map(\.settings) == expected.map(\.settings))
    #expect(cells.allSatisfy { $0.out.hasPrefix(Fixtures.root + "/archway-out/") }, "absolute cell folders")
  }

  /// Issue 37: `--set KEY=VALUE` passes a value into a matrix from the command line. It wins
  /// over `defaults:`, not over a cell's own value (an axis or an include); an axis is chosen with
  /// --filter, so `--set` of one is an error; the value is YAML's, as in the file.
  @Test func setPassesAValueIntoTheMatrix() async throws {
    let path = try Self.temporaryFile(
      """
      matrix:
        platform: [linux/amd64, linux/arm64]
        include:
          - {platform: linux/arm64, version: "9"}
      defaults:
        version: "0.0"
      build:
        argv: [echo, "v${version}", "${level}"]
      """)
    let result = try await Self.plan(path, "--json", "--set", "version=1.20", "--set", "level=3")
    #expect(result.status == 0, "\(result.stderr)")
    let cells = try JSONDecoder().decode([Cell].self, from: Data(result.stdout.utf8))
    #expect(cells.map { $0.steps.build?.argv ?? [] } == [["echo", "v1.20", "3"], ["echo", "v9", "3"]])
    #expect(cells.map(\.id) == ["linux-amd64-gnu", "linux-arm64-gnu-version=9"], "a value set is no cell's own")
    let gitlab = try await Self.plan(path, "--format", "gitlab", "--set", "version=1.20", "--set", "level=3")
    #expect(
      gitlab.stdout.contains("--set version=1.20 --set level=3"), "the jobs plan what this plan did: \(gitlab.stderr)")
    for (arguments, message) in [
      (["--set", "platform=linux/s390x"], "--set platform=linux/s390x: 'platform' is an axis of this matrix"),
      (["--set", "version"], "--set version: is not KEY=VALUE"),
      (["--set", "=1"], "--set =1: is not KEY=VALUE"),
      (["--set", "level=[1"], "--set level=[1:"),
    ] {
      let bad = try await Self.plan([path] + arguments)
      #expect(bad.status == 2 && bad.stderr.contains(message), "\(arguments): \(bad.stderr)")
    }
  }

  @Test func shardsFromTheCommandLinePartitionThePlan() async throws {
    var seen: [String] = []
    for index in 1...4 {
      let result = try await Self.plan("--json", "--shard", "\(index)/4")
      seen += try JSONDecoder().decode([Cell].self, from: Data(result.stdout.utf8)).map(\.id)
    }
    let all = try JSONDecoder().decode([Cell].self, from: Data(try await Self.plan("--json").stdout.utf8)).map(\.id)
    #expect(seen.sorted() == all.sorted())
  }

  @Test func githubFormatFeedsStrategyMatrix() async throws {
    let output = try await Self.plan("--format", "github").stdout
    #expect(output.split(separator: "\n").count == 1, "a GitHub step output is one line")
    let perCell = try JSONSerialization.jsonObject(with: Data(try await Self.plan("--format", "github").stdout.utf8))
    let include = try #require((perCell as? [String: Any])?["include"] as? [[String: Any]])
    #expect(include.count == 14 && include.first?["cell"] as? String == "linux-amd64-gnu-cc=gcc")
    #expect(include.first?["platform"] as? String == "linux/amd64")
    let sharded = try JSONSerialization.jsonObject(
      with: Data(try await Self.plan("--format", "github", "--shards", "4").stdout.utf8))
    let shards = try #require((sharded as? [String: Any])?["include"] as? [[String: Any]])
    #expect(shards.compactMap { $0["shard"] as? String } == ["1/4", "2/4", "3/4", "4/4"])
  }

  @Test func githubSplitsPast256Jobs() async throws {
    // 17 × 16 = 272 cells: more than one GitHub matrix may hold, so one job per shard.
    let values = (1...17).map { "v\($0)" }.joined(separator: ", ")
    let path = try Self.temporaryFile(
      "matrix:\n  a: [\(values)]\n  b: [\((1...16).map { "w\($0)" }.joined(separator: ", "))]\n")
    let object = try JSONSerialization.jsonObject(
      with: Data(try await Self.plan(path, "--format", "github").stdout.utf8))
    let jobs = try #require((object as? [String: Any])?["include"] as? [[String: Any]])
    #expect(jobs.count == 256 && jobs.last?["shard"] as? String == "256/256")
  }

  @Test func gitlabFormatIsAValidChildPipeline() async throws {
    let yaml = try await Self.plan("--format", "gitlab", "--shards", "3").stdout
    let check = """
      import sys, yaml, json
      doc = yaml.safe_load(sys.stdin)
      job = doc["archway"]
      merge = doc["archway-merge"]
      print(json.dumps({"values": job["parallel"]["matrix"][0]["ARCHWAY_SHARD"], "script": job["script"],
                        "needs": merge["needs"], "stages": doc["stages"]}))
      """
    let parsed = try await Command.run("sh", ["-c", "printf '%s' \"$0\" | python3 -c \"$1\"", yaml, check])
    #expect(parsed.status == 0, "\(parsed.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Any]
    #expect(object?["values"] as? [String] == ["1/3", "2/3", "3/3"])
    #expect(object?["needs"] as? [String] == ["archway"] && object?["stages"] as? [String] == ["verify", "merge"])
    #expect(
      (object?["script"] as? [String])?.first?.contains("archway run 'Matrix/archway.yml' --shard \"$ARCHWAY_SHARD\"")
        == true)
  }

  @Test func aBadMatrixExitsTwoWithItsLocationAndNoUsage() async throws {
    let path = try Self.temporaryFile("matrix:\n  platform: [linux/arm64, linux/armv9]\n")
    let result = try await Self.plan(path)
    #expect(result.status == 2)
    #expect(result.stderr == "Error: \(path):2:27: unknown platform 'linux/armv9'; did you mean 'linux/armv8'?\n")
  }

  @Test func everyCellIdSelectsItsCell() async throws {
    let all = try JSONDecoder().decode([Cell].self, from: Data(try await Self.plan("--json").stdout.utf8))
    for cell in all {
      let one = try JSONDecoder().decode(
        [Cell].self, from: Data(try await Self.plan("--json", "--filter", "id=\(cell.id)").stdout.utf8))
      #expect(one.map(\.id) == [cell.id])
    }
  }

  @Test func aFilterThatMatchesNothingIsAnError() async throws {
    let result = try await Self.plan("--filter", "arch=sparc")
    #expect(result.status == 2 && result.stderr.contains("filter 'arch=sparc' matches none of the 14 cells"))
  }
}
