import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// A whole run through ``RunPipeline`` against a fake ``StepRunner``: the plan, the executor's
/// phases, the verifier, the cross-cell checks and the report, with no process started. The fake
/// says what each "program" printed and how it ended; a real process could not even start, since
/// the executor's PATH holds no folder.
@Suite struct FakeRunnerPipelineTests {
  /// The programs the fake knows: `make-artifact PATH [MORE]` writes PATH (`artifactText`) and MORE
  /// (`moreText`), `say WORD`
  /// prints it, `flaky` fails its first attempt in a cell and passes the next, `steady` passes,
  /// `fail` exits 1.
  final class FakeRunner: StepRunner, @unchecked Sendable {
    // @unchecked Sendable: `launches` and `attempts` are read and written under `lock` only.
    let record: RunnerRecord
    /// What preparing it ends with: nil when it is ready.
    let preparation: StepOutcome?
    /// What it says it is, for a reuse key.
    let identityParts: [String: String]
    /// What `make-artifact` writes.
    let artifactText: String
    /// What `make-artifact` writes to its second file.
    let moreText: String
    private let lock = NSLock()
    private var launches: [[String]] = []
    private var attempts: [String: Int] = [:]

    init(
      _ reason: String, preparation: StepOutcome? = nil, cpuModel: String? = nil, identity: [String: String] = [:],
      artifactText: String = "not a binary\n", moreText: String = "a test program\n"
    ) {
      var record = RunnerRecord(kind: .native, reason: reason)
      record.cpuModel = cpuModel
      self.record = record
      self.preparation = preparation
      identityParts = identity
      self.artifactText = artifactText
      self.moreText = moreText
    }

    func prepare() async -> StepOutcome? { preparation }
    func identity() async -> [String: String] { identityParts }

    /// Every argv run, in order.
    var argvs: [[String]] { lock.withLock { launches } }

    func launch(_ command: StepCommand) -> StepLaunch { .run(argv: ["fake"] + command.argv, workingDirectory: nil) }
    func probe(_ argv: [String], limits: [String]) -> [String]? { nil }

    func run(_ launch: ProcessLaunch) async -> ProcessOutcome {
      let argv = launch.argv
      let cell = launch.environment["ARCHWAY_CELL"] ?? "?"
      let attempt = lock.withLock { () -> Int in
        launches.append(argv)
        attempts["\(cell) \(argv)", default: 0] += 1
        return attempts["\(cell) \(argv)"]!
      }
      var stdout = ""
      var status = StepStatus.exited(0)
      switch argv.dropFirst().first {
      case "make-artifact":
        _ = FileManager.default.createFile(atPath: argv[2], contents: Data(artifactText.utf8))
        if argv.count > 3 { _ = FileManager.default.createFile(atPath: argv[3], contents: Data(moreText.utf8)) }
      case "say": stdout = argv[2] + "\n"
      case "flaky": status = attempt == 1 ? .exited(1) : .exited(0)
      case "steady": break
      case "fail": status = .exited(1)
      default: status = .exited(127)
      }
      _ = FileManager.default.createFile(atPath: launch.stdoutLog, contents: Data(stdout.utf8))
      _ = FileManager.default.createFile(atPath: launch.stderrLog, contents: Data())
      var outcome = ProcessOutcome(argv: argv, status: status, duration: 0.001)
      (outcome.stdoutLog, outcome.stderrLog) = (launch.stdoutLog, launch.stderrLog)
      (outcome.stdoutHead, outcome.stdoutBytes) = (stdout, stdout.utf8.count)
      return outcome
    }
  }

  static let matrix = """
    matrix:
      platform: [linux/arm64, linux/riscv64, linux/s390x]
      include:
        - {platform: linux/s390x, word: bye, mode: flaky}
    defaults:
      word: hello
      mode: steady
    build:
      argv: [make-artifact, "${cell.out}/prog"]
      artifacts: {prog: "${cell.out}/prog"}
    run:
      - name: greet
        argv: [say, "${word}"]
        expect:
          stdout_matches: "^(hello|bye)$"
          reference: linux-arm64-gnu
      - name: again
        argv: ["${mode}"]
        retries: 1
    """

  @Test func aWholeRunAgainstAFakeRunnerStartsNoProcess() async throws {
    let folder = Fixtures.scratch("fake-pipeline")
    try Self.matrix.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let host = Platform(os: "linux", arch: "amd64")
    let selection = try PlanSelection(
      path: folder + "/m.yml", planner: Planner(host: host, outputRoot: folder + "/out", directory: folder))
    let (steps, builds) = (FakeRunner("the fake's"), FakeRunner("the fake host's"))
    // No folder on the PATH: a process the executor started for real could not start at all.
    var executor = CellExecutor(host: host, defaultTimeout: .seconds(10), environment: ["PATH": "/nonexistent"])
    executor.makeRunner = { _, _ in steps }
    executor.hostRunner = builds
    let events = Events()
    let report = await RunPipeline(executor: executor, jobs: 2).run(selection) { events.append($0) }

    let (arm64, riscv64, s390x) = (
      "linux-arm64-gnu", "linux-riscv64-gnu",
      "linux-s390x-gnu-word=bye-mode=flaky"
    )
    #expect(report.cells.map(\.id) == [arm64, riscv64, s390x])
    #expect(report.cells.map(\.verdict) == [.passed, .passed, .failed])
    #expect(report.cells.allSatisfy { $0.runner.reason == "the fake's" })
    // Every step ran through the fake, the build through the host's: nothing else ran.
    #expect(builds.argvs.count == 3 && builds.argvs.allSatisfy { $0.prefix(2) == ["fake", "make-artifact"] })
    #expect(steps.argvs.count == 7, "greet and again in each cell, again twice where it is flaky: \(steps.argvs)")
    let ran = report.cells.flatMap(\.steps)
    #expect(ran.allSatisfy { $0.argv.first == "fake" && $0.status == .exited(0) }, "\(ran.map(\.status))")

    let riscv = try #require(report.cells.first { $0.id == riscv64 })
    #expect(riscv.findings.contains { $0.kind == .reference && $0.verdict == .passed })
    let bye = try #require(report.cells.first { $0.id == s390x })
    let reference = try #require(bye.findings.first { $0.kind == .reference })
    #expect(reference.verdict == .failed && reference.details?.contains("-hello\n+bye") == true, "\(reference)")
    #expect(bye.findings.contains { $0.title == "again: exit" && $0.verdict == .flaky })
    #expect(bye.findings.contains { $0.title == "prog: arch" && $0.verdict == .skipped }, "not a binary")

    // Each cell is reported once, with the verdict the report gives it, and a cell compared with
    // another only after that one.
    let finished = events.finished
    #expect(finished.map(\.id).sorted() == [arm64, riscv64, s390x])
    #expect(finished.allSatisfy { cell in report.cells.contains { $0 == cell } }, "a verdict changed after it was told")
    let order = finished.map(\.id)
    #expect(order.firstIndex(of: arm64)! < order.firstIndex(of: riscv64)!)
    #expect(order.firstIndex(of: arm64)! < order.firstIndex(of: s390x)!)
  }

  /// A runner that cannot be prepared (a container that did not start) stops the cell there: its
  /// run steps are not run, for that reason, and no rebuild runs after it.
  @Test func aRunnerThatCannotBePreparedStopsTheCellBeforeItsRebuilds() async throws {
    let folder = Fixtures.scratch("fake-unprepared")
    let yaml = """
      matrix:
        platform: [linux/arm64]
      build:
        argv: [make-artifact, "${cell.out}/prog"]
        artifacts: {prog: "${cell.out}/prog"}
      run:
        - name: greet
          argv: [say, hi]
      verify:
        reproducible: true
      """
    let cell = try #require(
      try Planner(host: Platform(os: "linux", arch: "amd64"), outputRoot: folder + "/out", directory: folder)
        .plan(try MatrixFile.parse(yaml: yaml, file: folder + "/m.yml")).first)
    let failed = StepOutcome.notRun(.setup("container-start"), .infrastructure("cannot start the image"))
    var executor = CellExecutor(
      host: Platform(os: "linux", arch: "amd64"), defaultTimeout: .seconds(10), environment: ["PATH": "/nonexistent"])
    executor.hostRunner = FakeRunner("the fake host's")
    let execution = await executor.execute(cell, runner: FakeRunner("unprepared", preparation: failed))
    #expect(execution.outcome == .infrastructure)
    #expect(execution.steps.map(\.id) == [.build, .setup("container-start"), .run("greet")])
    #expect(execution.step(.run("greet"))?.status == .infrastructure("cannot start the image"))
    let verified = CellVerifier.verify(execution, cell: cell)
    let reproducible = try #require(verified.findings.first { $0.kind == .reproducible })
    #expect(reproducible.verdict == .skipped && reproducible.message.contains("rebuild-2 did not run"))
  }

  /// What the pipeline told its observer.
  final class Events: @unchecked Sendable {
    // @unchecked Sendable: `events` is read and written under `lock` only.
    private let lock = NSLock()
    private var events: [RunPipeline.Event] = []

    func append(_ event: RunPipeline.Event) { lock.withLock { events.append(event) } }

    var finished: [VerifiedCell] {
      lock.withLock {
        events.compactMap {
          if case .cellFinished(let cell) = $0 { return cell }
          return nil
        }
      }
    }
  }
}
