import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Issue 13, items 11, 12, 13 (SIGHUP) and 17: faults of the host and of the user's setup, each
/// through the real `archway run`, with the exit code, the report and the words a user sees.
/// The limit guards against a hang: a test's time counts from its start, and with every suite running
/// on two cores one has waited minutes for a cooperative thread (two minutes ran out in CI, no hang).
@Suite(.serialized, .timeLimit(.minutes(6))) struct FaultTests {
  static func matrix(_ yaml: String, in folder: String) throws -> String {
    let path = folder + "/m.yml"
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// A matrix of one linux/amd64 cell whose build step is `step` (YAML under `build:`), and more.
  static func building(_ step: String, _ more: String = "", in folder: String) throws -> String {
    try matrix("matrix:\n  platform: [linux/amd64]\nbuild:\n  \(step)\n" + more, in: folder)
  }

  /// `archway ARGUMENTS` with this process's environment, without colour.
  static func archway(_ arguments: String...) async throws -> CommandResult {
    try await Command.run(Fixtures.archway, arguments, environment: Fixtures.childEnvironment)
  }

  static func report(_ folder: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  // 12 and 13: a second run into a folder in use fails at once naming the first; SIGHUP (a closed
  // terminal) ends the first like SIGTERM, with a partial report.
  @Test func aSecondRunIntoOneFolderIsRefusedAndSIGHUPLeavesAPartialReport() async throws {
    let folder = Fixtures.scratch("lock")
    // Ended by the SIGHUP below, never by itself: CI once ran this test's next turn more than a
    // minute late (tests wait for one of two cooperative threads), and a 60 s step had passed.
    let slow = try Self.building("argv: [sleep, '3600']", in: folder)
    let first = Process()
    first.executableURL = URL(fileURLWithPath: Fixtures.archway)
    first.arguments = ["run", "--out", folder + "/out", slow]
    first.standardOutput = FileHandle.nullDevice
    first.standardError = FileHandle.nullDevice
    try first.run()
    defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
    let started = folder + "/out/linux-amd64-gnu/logs/build.stdout.log"
    for _ in 0..<400 where !FileManager.default.fileExists(atPath: started) {
      try await Task.sleep(for: .milliseconds(25))
    }
    let second = try await Self.archway("run", "--out", folder + "/out", slow)
    #expect(second.status == 2)
    #expect(
      second.stderr.contains("another archway (pid \(first.processIdentifier)) is writing into \(folder)/out"),
      "\(second.stderr)")
    kill(first.processIdentifier, SIGHUP)
    await first.exited()
    #expect(first.terminationStatus == 130)
    let report = try Self.report(folder + "/out")
    #expect(report["interrupted"] as? Bool == true)
    // The lock dies with its holder: the next run goes ahead.
    let quick = try Self.building("argv: ['true']", in: folder)
    #expect(try await Self.archway("run", "--out", folder + "/out", quick).status == 0)
  }

  // 11. A full disk under the logs is the host's failure, not the program's "exit 1", and the
  // summary names only the reports that were written. (CI runs as root, which mounting needs.)
  @Test func aFullDiskIsAnErrorOfTheHostAndNoMissingReportIsNamed() async throws {
    let folder = Fixtures.scratch("full")
    let disk = folder + "/disk"
    try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
    let mounted = try await Command.run("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", disk])
    try #require(mounted.status == 0, "mount needs root: \(mounted.stderr)")
    defer { _ = try? Command.runWaiting("umount", [disk]) }
    let path = try Self.building("argv: [sh, -c, 'head -c 2000000 /dev/zero']", in: folder)
    let result = try await Self.archway("run", "--out", disk + "/out", path)
    #expect(result.status == 3, "\(result.stderr)")
    #expect(result.stderr.contains("build: could not run: no space left on the disk holding \(disk)/out/"))
    #expect(!result.stderr.contains("exit 1, expected 0"))
    #expect(result.stderr.contains("cannot write \(disk)/out/report.json: No space left on device"))
    let summary = try #require(result.stderr.split(separator: "\n").last.map(String.init))
    #expect(summary.contains("not written: \(disk)/out/report.json"), "\(summary)")
    #expect(!summary.contains("reports: \(disk)/out/report.json"), "\(summary)")
  }

  // 17. A limit the host cannot grant is an error of the cell, said before anything runs; a limit
  // no number can hold is a plan error.
  @Test func anUlimitTheHostCannotGrantIsNotTheProgramsFailure() async throws {
    let folder = Fixtures.scratch("ulimit")
    let path = try Self.building("argv: ['true']\n  ulimit: {nofile: 99999999999}", in: folder)
    let result = try await Self.archway("run", "--out", folder + "/out", path)
    #expect(result.status == 3, "\(result.stderr)")
    #expect(result.stderr.contains("ulimit nofile 99999999999 is above what this host allows anyone (fs.nr_open is"))
    #expect(!result.stderr.contains("prlimit:"), "the step must not have run")
    let huge = try Self.building("argv: ['true']\n  ulimit: {stack: 9223372036854775807}", in: folder)
    let plan = try await Self.archway("plan", huge)
    #expect(plan.status == 2 && plan.stderr.contains("m.yml:5:19: ulimit 'stack'"), "\(plan.stderr)")
  }

  // 17. An out folder Archway may not write: the system's reason, not Foundation's sentence.
  @Test func anUnwritableOutFolderSaysWhyInTheSystemsWords() async throws {
    let folder = Fixtures.scratch("unwritable")
    let locked = folder + "/locked"
    try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
    #expect(chmod(locked, 0o555) == 0)
    let path = try Self.building("argv: ['true']", in: folder)
    let result = try await Command.run(
      "setpriv",
      [
        "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", Fixtures.archway, "run", "--out",
        locked + "/out", path,
      ])
    #expect(result.status == 2, "\(result.stderr)")
    #expect(
      result.stderr.contains("cannot make the output folder \(locked)/out: Permission denied"), "\(result.stderr)")
    #expect(!result.stderr.contains("could not be completed"))
  }

  // 14. A golden file that is a FIFO or a device would block or never end: an error of the check.
  @Test func aGoldenFileThatIsNotARegularFileIsAnErrorNotAHang() async throws {
    let folder = Fixtures.scratch("golden-fifo")
    #expect(mkfifo(folder + "/golden.txt", 0o600) == 0)
    let path = try Self.matrix(
      """
      matrix:
        platform: [linux/amd64]
        golden: [golden.txt, /dev/zero]
      run:
        - name: hello
          argv: [echo, hello]
          expect: {stdout_file: "${golden}"}
      """, in: folder)
    let result = try await Command.run(
      Fixtures.archway, ["run", path, "--out", folder + "/out"], environment: ["NO_COLOR": "1"],
      workingDirectory: folder)
    #expect(result.status == 3, "\(result.stderr)")
    #expect(result.stderr.contains("the golden file golden.txt is a FIFO, not a regular file"), "\(result.stderr)")
    #expect(result.stderr.contains("the golden file /dev/zero is a device, not a regular file"))
  }

  // 17. A tampered report is named with where it is wrong, not with Swift's DecodingError.
  @Test func aTamperedReportSaysWhereItIsWrong() async throws {
    let folder = Fixtures.scratch("tampered")
    let path = try Self.building("argv: ['true']", in: folder)
    #expect(try await Self.archway("run", path, "--out", folder + "/out").status == 0)
    var report = try Self.report(folder + "/out")
    var cells = try #require(report["cells"] as? [[String: Any]])
    cells[0]["verdict"] = 5
    report["cells"] = cells
    try JSONSerialization.data(withJSONObject: report).write(to: URL(fileURLWithPath: folder + "/bad.json"))
    let result = try await Self.archway("report", folder + "/bad.json")
    #expect(result.status == 2)
    #expect(result.stderr.contains("bad.json cannot be read: cells[0].verdict: expected String"), "\(result.stderr)")
    #expect(!result.stderr.contains("DecodingError"))
  }
}
