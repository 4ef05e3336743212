import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// `run --reuse` through the whole pipeline against the fake runner: a cell whose key equals an
/// earlier passed cell's takes its run steps (none runs), and a cell whose key differs in any one
/// part of it runs them again, saying which part changed.
@Suite struct ReusePipelineTests {
  typealias FakeRunner = FakeRunnerPipelineTests.FakeRunner

  /// What a run of ``run(_:in:out:offers:runner:builds:archway:)`` left: the report, and the fakes
  /// that ran its run steps and its builds.
  struct Ran {
    var report: Report
    var steps: FakeRunner
    var builds: FakeRunner
    /// The cell `id`.
    func cell(_ id: String) throws -> VerifiedCell { try #require(report.cells.first { $0.id == id }) }
  }

  static let (arm64, riscv64) = ("linux-arm64-gnu", "linux-riscv64-gnu")

  /// Two cells that build `prog`, say hello against a golden file and the arm64 cell's output, and
  /// say the path of a data file; `step` adds keys to the greeting step, `verify` a verify block.
  static func matrix(folder: String, step: String = "", verify: String = "") -> String {
    """
    matrix:
      platform: [linux/arm64, linux/riscv64]
    build:
      argv: [make-artifact, "${cell.out}/prog", "${cell.out}/prog-test"]
      artifacts: {prog: "${cell.out}/prog"}
    run:
      - name: greet
        argv: [say, hello]
        expect:
          stdout_file: \(folder)/golden.txt
          reference: linux-arm64-gnu
    \(step.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
      - name: data
        argv: [say, "\(folder)/data.txt"]
    \(verify)
    """
  }

  /// Plans `yaml` in `folder` and runs it into `folder/out` through fresh fakes (or those given),
  /// taking `offers`, with `archway` as Archway's own identity.
  static func run(
    _ yaml: String, in folder: String, out: String = "out", offers: ReuseOffers = ReuseOffers(),
    runner: FakeRunner = FakeRunner("the fake's"), builds: FakeRunner = FakeRunner("the fake host's"),
    archway: String = "sha256:archway-1", environment: [String: String] = [:], timeout: Duration = .seconds(10)
  ) async throws -> Ran {
    try yaml.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let host = Platform(os: "linux", arch: "amd64")
    let selection = try PlanSelection(
      path: folder + "/m.yml", planner: Planner(host: host, outputRoot: folder + "/" + out, directory: folder))
    var executor = CellExecutor(
      host: host, defaultTimeout: timeout, environment: environment.merging(["PATH": "/nonexistent"]) { one, _ in one })
    executor.makeRunner = { _, _ in runner }
    executor.hostRunner = builds
    executor.archwayIdentity = archway
    var pipeline = RunPipeline(executor: executor, jobs: 2)
    pipeline.reuse = offers
    return Ran(report: await pipeline.run(selection), steps: runner, builds: builds)
  }

  /// A scratch folder with the golden file and the data file.
  static func folder(_ name: String) throws -> String {
    let folder = Fixtures.scratch(name)
    try "hello\n".write(toFile: folder + "/golden.txt", atomically: true, encoding: .utf8)
    try "data 1\n".write(toFile: folder + "/data.txt", atomically: true, encoding: .utf8)
    return folder
  }

  @Test func anUnchangedCellTakesTheEarlierRunsStepsAndSaysSo() async throws {
    let folder = try Self.folder("reuse-same")
    let yaml = Self.matrix(folder: folder)
    let first = try await Self.run(yaml, in: folder)
    #expect(first.report.cells.map(\.verdict) == [.passed, .passed])
    #expect(first.steps.argvs.count == 4)
    #expect(first.report.cells.allSatisfy { $0.reusedFrom == nil && $0.execution.reuse?.notReused == nil })

    let path = folder + "/out/report.json"
    let second = try await Self.run(yaml, in: folder, offers: ReuseOffers(first.report, at: path))
    #expect(second.steps.argvs.isEmpty, "no run step ran again: \(second.steps.argvs)")
    #expect(second.builds.argvs.count == 2, "every cell is still built and its artifacts hashed")
    #expect(second.report.cells.map(\.verdict) == [.passed, .passed])
    for cell in second.report.cells {
      #expect(
        cell.reusedFrom
          == ReusedFrom(report: path, started: first.report.started, duration: try first.cell(cell.id).duration))
      #expect(cell.findings.contains { $0.title == "greet: exit" && $0.verdict == .passed })
      #expect(cell.findings.contains { $0.title == "greet: stdout" && $0.verdict == .passed })
      #expect(ReportGrid.mark(cell) == "♻️")
    }
    // The cross-cell check is made again, on the logs the earlier run left in these folders.
    #expect(try second.cell(Self.riscv64).findings.contains { $0.kind == .reference && $0.verdict == .passed })
    #expect(second.report.summaryLine == "2 cells: 2 passed (2 reused from an earlier run)")
    let junit = JUnitReport.render(second.report)
    #expect(junit.contains("<property name=\"reused_from\" value=\"\(path), run started \(first.report.started)\"/>"))
    #expect(MarkdownReport.render(second.report).contains("| linux/arm64 | ♻️ |"))
    let decoded = try Report.decode(try JSONEncoder().encode(second.report), named: "report.json")
    #expect(decoded.cells.map(\.reusedFrom) == second.report.cells.map(\.reusedFrom))

    // Reused again, a cell names the run that last ran its steps.
    let third = try await Self.run(
      yaml, in: folder, offers: ReuseOffers(second.report, at: folder + "/out/report.json"))
    #expect(third.steps.argvs.isEmpty)
    #expect(third.report.cells.allSatisfy { $0.reusedFrom?.started == first.report.started })
  }

  /// One change to one part of a cell's key each: what runs the steps, what they are, what they
  /// read, what they are held to, and Archway itself.
  enum Change: String, CaseIterable, CustomTestStringConvertible {
    case artifactBytes, otherBuildOutput, fileInTheFolder, linkOutOfTheFolder, archway, argv, environment, stdin,
      workdir, ulimit, timeout, expectation,
      retries
    case verifyPolicy, goldenFile, namedFile, cpuModel, emulator, passedThrough, runTimeout

    var testDescription: String { rawValue }

    /// What the report's `not_reused` must name.
    var named: String {
      switch self {
      case .artifactBytes: "artifact prog changed"
      case .otherBuildOutput: "the cell's folder changed besides its artifacts: prog-test"
      case .fileInTheFolder: "the cell's folder changed besides its artifacts: helper"
      case .linkOutOfTheFolder: "the cell's folder changed besides its artifacts: fixture"
      case .archway: "Archway changed"
      case .argv, .environment, .stdin, .workdir, .ulimit, .timeout, .expectation, .retries, .verifyPolicy:
        "the cell's plan changed"
      case .goldenFile: "golden.txt changed"
      case .namedFile: "data.txt changed"
      case .cpuModel: "the runner's record changed"
      case .emulator: "the runner's emulator changed"
      case .passedThrough: "the runner's environment changed"
      case .runTimeout: "the runner's default_timeout changed"
      }
    }
  }

  @Test(arguments: Change.allCases) func aCellWhoseKeyDiffersInOnePartRunsAgain(_ change: Change) async throws {
    let folder = try Self.folder("reuse-\(change.rawValue)")
    // In each cell's folder before the first run: a file its build does not write (an earlier
    // build's test program, which a step may run) and a link to a file outside.
    try "fixture 1\n".write(toFile: folder + "/fixture.txt", atomically: true, encoding: .utf8)
    for id in [Self.arm64, Self.riscv64] {
      try FileManager.default.createDirectory(atPath: "\(folder)/out/\(id)", withIntermediateDirectories: true)
      try "helper 1\n".write(toFile: "\(folder)/out/\(id)/helper", atomically: true, encoding: .utf8)
      try FileManager.default.createSymbolicLink(
        atPath: "\(folder)/out/\(id)/fixture", withDestinationPath: folder + "/fixture.txt")
    }
    let first = try await Self.run(
      Self.matrix(folder: folder), in: folder, runner: FakeRunner("the fake's", identity: ["emulator": "qemu 7.2"]))
    #expect(first.report.cells.map(\.verdict) == [.passed, .passed])
    var (step, verify, archway) = ("", "", "sha256:archway-1")
    var (environment, timeout) = ([String: String](), Duration.seconds(10))
    var edit: (String) -> String = { $0 }
    var runner = FakeRunner("the fake's", identity: ["emulator": "qemu 7.2"])
    var builds = FakeRunner("the fake host's")
    switch change {
    case .artifactBytes: builds = FakeRunner("the fake host's", artifactText: "another build\n")
    case .otherBuildOutput: builds = FakeRunner("the fake host's", moreText: "another test program\n")
    case .fileInTheFolder:
      for id in [Self.arm64, Self.riscv64] {
        try "helper 2\n".write(toFile: "\(folder)/out/\(id)/helper", atomically: true, encoding: .utf8)
      }
    case .linkOutOfTheFolder:
      try "fixture 2\n".write(toFile: folder + "/fixture.txt", atomically: true, encoding: .utf8)
    case .passedThrough: environment = ["HOME": "/elsewhere"]
    case .runTimeout: timeout = .seconds(5)
    case .archway: archway = "sha256:archway-2"
    case .argv: edit = { $0.replacingOccurrences(of: "argv: [say, hello]", with: "argv: [say, hello, again]") }
    case .environment: step = "env: {LANG: C.UTF-8}"
    case .stdin: step = "stdin: \"input\""
    case .workdir: step = "workdir: \(folder)"
    case .ulimit: step = "ulimit: {nofile: 512}"
    case .timeout: step = "timeout: 30"
    case .expectation:
      edit = {
        $0.replacingOccurrences(
          of: "reference: linux-arm64-gnu", with: "reference: linux-arm64-gnu\n      stderr: \"\"")
      }
    case .retries: step = "retries: 2"
    case .verifyPolicy: verify = "verify:\n  glibc_max: \"2.31\""
    case .goldenFile: try "hello\n\n".write(toFile: folder + "/golden.txt", atomically: true, encoding: .utf8)
    case .namedFile: try "data 2\n".write(toFile: folder + "/data.txt", atomically: true, encoding: .utf8)
    case .cpuModel: runner = FakeRunner("the fake's", cpuModel: "cortex-a72", identity: ["emulator": "qemu 7.2"])
    case .emulator: runner = FakeRunner("the fake's", identity: ["emulator": "qemu 9.2"])
    }
    let second = try await Self.run(
      edit(Self.matrix(folder: folder, step: step, verify: verify)), in: folder,
      offers: ReuseOffers(first.report, at: folder + "/out/report.json"), runner: runner, builds: builds,
      archway: archway, environment: environment, timeout: timeout)
    #expect(second.steps.argvs.count == 4, "every run step ran again: \(second.steps.argvs)")
    for cell in second.report.cells {
      #expect(cell.reusedFrom == nil)
      let why = try #require(cell.execution.reuse?.notReused)
      #expect(why.contains(change.named), "\(why)")
    }
  }

  @Test func cellsThatFailedOrWereFlakyAreNeverOffered() async throws {
    let folder = try Self.folder("reuse-never")
    let yaml = """
      matrix:
        platform: [linux/arm64]
        mode: [steady, flaky, fail]
      build:
        argv: [make-artifact, "${cell.out}/prog"]
        artifacts: {prog: "${cell.out}/prog"}
      run:
        - name: again
          argv: ["${mode}"]
          retries: 1
      """
    let first = try await Self.run(yaml, in: folder)
    #expect(first.report.cells.map(\.verdict) == [.passed, .flaky, .failed])
    let second = try await Self.run(
      yaml, in: folder, offers: ReuseOffers(first.report, at: folder + "/out/report.json"))
    #expect(second.report.cells.map { $0.reusedFrom != nil } == [true, false, false])
    #expect(second.steps.argvs.map { $0.dropFirst().first } == ["flaky", "flaky", "fail", "fail"].map(Optional.some))
    #expect(second.report.cells.map(\.verdict) == [.passed, .flaky, .failed])
  }

  @Test func aStepThatSaysReuseFalseAlwaysRuns() async throws {
    let folder = try Self.folder("reuse-false")
    let yaml = Self.matrix(folder: folder, step: "reuse: false")
    let first = try await Self.run(yaml, in: folder)
    #expect(first.report.plan.cells.allSatisfy { $0.steps.run(.run("greet"))?.reuse == false })
    let second = try await Self.run(
      yaml, in: folder, offers: ReuseOffers(first.report, at: folder + "/out/report.json"))
    #expect(second.steps.argvs.count == 4)
    #expect(second.report.cells.allSatisfy { $0.execution.reuse?.notReused == "its step greet says reuse: false" })
  }

  /// A report cut or edited down to no `exit` check of a step never passes that step.
  @Test func anEarlierCellWithoutAStepsExitCheckIsAnError() async throws {
    let folder = try Self.folder("reuse-edited")
    let yaml = Self.matrix(folder: folder)
    var first = try await Self.run(yaml, in: folder).report
    first.cells = first.cells.map { cell in cell.replacing([.exit], with: []) }
    let second = try await Self.run(yaml, in: folder, offers: ReuseOffers(first, at: folder + "/out/report.json"))
    #expect(second.steps.argvs.isEmpty)
    for cell in second.report.cells {
      #expect(cell.verdict == .error)
      #expect(cell.findings.contains { $0.title == "greet: exit" && $0.message.contains("no exit check of this step") })
    }
  }

  /// Reused into another folder, a cell's logs come along: its own checks and the cross-cell ones
  /// read them there.
  @Test func aRunIntoAnotherFolderBringsTheEarlierLogs() async throws {
    let folder = try Self.folder("reuse-moved")
    let yaml = Self.matrix(folder: folder)
    let first = try await Self.run(yaml, in: folder)
    let second = try await Self.run(
      yaml, in: folder, out: "tonight", offers: ReuseOffers(first.report, at: folder + "/out/report.json"))
    #expect(second.steps.argvs.isEmpty)
    #expect(second.report.cells.map(\.verdict) == [.passed, .passed])
    let greet = try #require(try second.cell(Self.riscv64).execution.step(.run("greet")))
    let log = try #require(greet.stdoutLog)
    #expect(log.hasPrefix(folder + "/tonight/\(Self.riscv64)/"), "\(log)")
    #expect(try String(contentsOfFile: log, encoding: .utf8) == "hello\n")
    #expect(try second.cell(Self.riscv64).findings.contains { $0.kind == .reference && $0.verdict == .passed })
  }

  /// A report holding a cell twice (merge refuses one) offers it never, whichever copy passed.
  @Test func aCellTheEarlierReportHoldsTwiceIsNotOffered() async throws {
    let folder = try Self.folder("reuse-twice")
    let yaml = Self.matrix(folder: folder)
    var first = try await Self.run(yaml, in: folder).report
    let failed = try #require(first.cells.first { $0.id == Self.riscv64 }).adding([
      Finding(.exit, .step(.run("greet")), .failed, "exit 1, expected 0")
    ])
    first.cells.insert(failed, at: 0)
    let second = try await Self.run(yaml, in: folder, offers: ReuseOffers(first, at: folder + "/out/report.json"))
    #expect(try second.cell(Self.riscv64).reusedFrom == nil)
    #expect(try second.cell(Self.arm64).reusedFrom != nil)
  }

  /// A cell whose earlier logs are not in its folder (a merged report's cells are in its shards')
  /// runs again: the checks that read logs would read none.
  @Test func anEarlierCellWhoseLogsAreGoneRunsAgain() async throws {
    let folder = try Self.folder("reuse-no-logs")
    let yaml = Self.matrix(folder: folder)
    let first = try await Self.run(yaml, in: folder)
    try FileManager.default.removeItem(atPath: "\(folder)/out/\(Self.riscv64)/logs/greet.stdout.log")
    let second = try await Self.run(
      yaml, in: folder, offers: ReuseOffers(first.report, at: folder + "/out/report.json"))
    let riscv = try second.cell(Self.riscv64)
    #expect(riscv.reusedFrom == nil)
    #expect(riscv.execution.reuse?.notReused?.contains("greet.stdout.log is not a file in its cell's folder") == true)
    #expect(try second.cell(Self.arm64).reusedFrom != nil)
    #expect(second.steps.argvs.count == 2, "the riscv64 cell's two steps ran again")
  }

  /// The build ID readelf reads in the program at `path`, if it has one.
  static func readelfBuildID(_ path: String) async throws -> String? {
    let notes = try await Command.run("readelf", ["-n", path]).stdout
    return notes.split(separator: "\n").first { $0.contains("Build ID:") }?.split(separator: " ").last.map(String.init)
  }

  /// Archway is keyed by the build ID its linker wrote, as readelf reads it (not by hashing its
  /// 70 MB); a program without one, or with one too short to tell builds apart, by its SHA-256, as
  /// sha256sum gives it.
  @Test func archwayIsKeyedByItsBuildIDElseByItsSHA256() async throws {
    let folder = try Self.folder("reuse-self")
    try "int main(void) { return 0; }\n".write(toFile: folder + "/m.c", atomically: true, encoding: .utf8)
    for (name, flag) in [("sha1", "sha1"), ("uuid", "uuid"), ("short", "0x0102"), ("none", "none")] {
      let program = folder + "/" + name
      let built = try await Command.run("gcc", ["-o", program, folder + "/m.c", "-Wl,--build-id=" + flag])
      #expect(built.status == 0, "\(built.stderr)")
      let id = try await Self.readelfBuildID(program)
      let sum = try await Command.run("sha256sum", [program]).stdout.prefix(64)
      switch name {
      case "sha1", "uuid":
        #expect(id.map { $0.count >= 32 } == true, "\(name): \(id ?? "no build ID")")
        #expect(ReuseKey.identity(ofExecutable: program) == "build-id:\(id ?? "")", "\(name)")
      default:
        #expect(ReuseKey.identity(ofExecutable: program) == "sha256:\(sum)", "\(name): \(id ?? "no build ID")")
      }
    }
    #expect(ReuseKey.identity(ofExecutable: folder + "/m.c").hasPrefix("sha256:"), "not a program")
    // The running executable: here the test bundle.
    let running = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let id = try #require(try await Self.readelfBuildID(running))
    #expect(ReuseKey.archwaySelf == "build-id:" + id)
  }
}
