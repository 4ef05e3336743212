import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `archway run` end to end: its reports, its exit codes, and SIGINT in the middle of a run.
@Suite struct RunCLITests {
  static func folder(_ name: String) -> String { Fixtures.scratch("run-" + name) }

  /// Natively, and in an environment by chroot and in a container (whose processes the host's /proc
  /// sees too): the partial report, exit 130, and nothing left running, nor a container.
  @Test(arguments: ["native", "rootfs", "container"])
  func sigintWritesAPartialReportExits130AndLeavesNoSurvivor(runner: String) async throws {
    let folder = Self.folder("sigint-\(runner)")
    let marker = "33\(Int.random(in: 100_000...999_999))"
    let env = runner == "native" ? "" : "  env: [debian-12]\ndefaults:\n  runner: \(runner)\n"
    try """
    matrix:
      n: [1, 2, 3, 4]
    \(env)run:
      - name: wait
        argv: [sh, -c, "sleep \(marker) & sleep \(marker); wait"]
    """.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    var environment = ProcessInfo.processInfo.environment
    environment["ARCHWAY_ENGINE_ARGS"] = Fixtures.engineArguments.joined(separator: " ")
    if runner != "native" {  // Provisioned first, so the run starts its steps at once.
      let built = try await Command.run(
        Fixtures.archway,
        ["env", "build", "debian-12", "--arch", "amd64", "--engine", "podman"]
          + Fixtures.engineArguments.map { "--engine-arg=\($0)" }, environment: environment,
        workingDirectory: Fixtures.root)
      #expect(built.status == 0, "\(built.stderr)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Fixtures.archway)
    process.arguments = ["run", folder + "/m.yml", "--jobs", "2", "--out", folder + "/out"]
    process.environment = environment
    process.currentDirectoryURL = URL(fileURLWithPath: Fixtures.root)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    var started = false
    for _ in 0..<400 where !started {
      try await Task.sleep(for: .milliseconds(50))
      started = await Survivors.matching(marker, shells: false).count >= 4  // Two cells, two sleeps each.
    }
    #expect(started, "the cells' processes were running")
    let signalled = ContinuousClock.now
    kill(process.processIdentifier, SIGINT)
    let ended = await process.exited()
    #expect(ended - signalled < .seconds(20), "ended, not hung (nominally within the 2 s grace period)")
    #expect(process.terminationStatus == 130)
    let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/out/report.json"))
    let report = try Report.decode(data, named: "report.json")
    #expect(report.interrupted)
    #expect(report.cells.count == 4, "every cell has a record")
    #expect(report.cells.allSatisfy { $0.outcome == .interrupted }, "\(report.cells.map(\.outcome))")
    #expect(report.cells.allSatisfy { $0.verdict == .error }, "interrupted is never a pass")
    #expect(report.cells.prefix(2).allSatisfy { $0.steps.first?.status == .interrupted })
    let junit = try await Command.run(
      "xmllint", ["--noout", "--schema", Fixtures.junitSchema, folder + "/out/junit.xml"])
    #expect(junit.status == 0, "the partial JUnit report validates: \(junit.stderr)")
    try await Task.sleep(for: .milliseconds(200))
    let left = await Survivors.matching(marker, shells: false)
    #expect(left.isEmpty, "\(left)")
    if runner == "container" {
      let left = try await Command.run(
        "podman", ["ps", "-a", "-q", "--filter", "label=archway.out=\(folder)/out"])
      #expect(left.stdout.isEmpty, "every container was removed: \(left.stdout)")
    }
  }

  @Test func exitCodesFollowTheCells() async throws {
    let folder = Self.folder("codes")
    let cases: [(String, Int32)] = [
      ("matrix:\n  x: [a]\nrun:\n  - argv: [\"true\"]\n", 0),
      ("matrix:\n  x: [a, b]\nrun:\n  - argv: [sh, -c, \"test ${x} = a\"]\n", 1),
      ("matrix:\n  platform: [linux/arm64]\n  libc: [musl]\nrun:\n  - argv: [\"true\"]\n", 3),
    ]
    for (index, (yaml, code)) in cases.enumerated() {
      let path = "\(folder)/m\(index).yml"
      try yaml.write(toFile: path, atomically: true, encoding: .utf8)
      let result = try await Command.run(Fixtures.archway, ["run", path, "--out", "\(folder)/out\(index)"])
      #expect(result.status == code, "\(yaml): \(result.stderr)")
      for name in ["report.json", "junit.xml", "summary.md", "report.html", "SHA256SUMS"] {
        #expect(FileManager.default.fileExists(atPath: "\(folder)/out\(index)/\(name)"), "\(name)")
      }
    }
  }

  /// A failed build says why on the console: its last words under its check.
  @Test func aFailedBuildShowsItsLastWordsOnTheConsole() async throws {
    let folder = Self.folder("last-words")
    try "matrix:\n  x: [a]\nbuild:\n  argv: [sh, -c, \"echo one >&2; echo cannot find -lz4 >&2; exit 3\"]\n".write(
      toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let result = try await Command.run(Fixtures.archway, ["run", folder + "/m.yml", "--out", folder + "/out"])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains("    build: exit 3, expected 0\n      | one\n      | cannot find -lz4\n"),
      "\(result.stderr)")
  }
}
