import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// Each false verdict found by trying Archway on hostile and unusual matrices, run through the real
/// planner, executor and verifier: every one of these passed a cell that should have failed (or
/// hung, or ran the wrong thing) before the plan was typed.
@Suite(.timeLimit(.minutes(3))) struct FalseVerdictTests {
  static let host = Platform(os: "linux", arch: "amd64")

  static func plan(_ yaml: String, in folder: String, out: String? = nil) throws -> [Cell] {
    let file = try MatrixFile.parse(yaml: yaml, file: "\(folder)/m.yml")
    return try Planner(host: host, outputRoot: out ?? folder + "/out", directory: folder).plan(file)
  }

  /// Plans, runs and verifies `yaml`'s cells.
  static func verified(_ yaml: String, in folder: String, out: String? = nil) async throws -> [VerifiedCell] {
    let cells = try plan(yaml, in: folder, out: out)
    let executor = CellExecutor(
      host: host, defaultTimeout: .seconds(60), environment: ProcessInfo.processInfo.environment)
    var records: [VerifiedCell] = []
    for cell in cells {
      records.append(CellVerifier.verify(await executor.execute(cell), cell: cell))
    }
    return records
  }

  static func planError(_ yaml: String) -> String {
    do {
      _ = try plan(yaml, in: "/nowhere")
      return "planned"
    } catch {
      return "\(error)"
    }
  }

  // 1. Two run steps of one name, or a run step named `build`: the second's exit was never checked.
  @Test func runStepNamesAreUniqueAndBuildIsReserved() {
    let twice = Self.planError(
      """
      matrix:
        x: [a]
      run:
        - name: twice
          argv: [true]
        - name: twice
          argv: [false]

      """)
    #expect(
      twice.hasPrefix("/nowhere/m.yml:6:11: a second run step named 'twice' (the first is at line 4)"), "\(twice)")
    let build = Self.planError("matrix:\n  x: [a]\nrun:\n  - name: build\n    argv: [sh, -c, exit 3]\n")
    #expect(build.hasPrefix("/nowhere/m.yml:4:11: 'build' names Archway's own build step"), "\(build)")
    let slash = Self.planError("matrix:\n  x: [a]\nrun:\n  - name: a/b\n    argv: [true]\n")
    #expect(slash.contains("cannot name a log file"), "\(slash)")
  }

  /// Whatever the checks say, a cell whose outcome is failed never gets a passing verdict.
  @Test func aFailedOutcomeIsNeverAPassingVerdict() throws {
    let cell = try #require(try Self.plan("matrix:\n  x: [a]\n", in: Self.folder("outcome")).first)
    let record = { (outcome: ExecutionRecord.Outcome) in
      ExecutionRecord(
        id: cell.id, target: cell.target, env: nil, runner: RunnerRecord(kind: .native, reason: "host"),
        outcome: outcome)
    }
    #expect(CellVerifier.verify(record(.failed), cell: cell).verdict == .failed)
    #expect(CellVerifier.verify(record(.infrastructure), cell: cell).verdict == .error)
  }

  static func folder(_ name: String) -> String { Fixtures.scratch("false-" + name) }

  // 1 (logs). A run step's logs are its own: the build's are not overwritten by any run step.
  @Test func buildAndRunStepsKeepTheirOwnLogs() async throws {
    let folder = Self.folder("logs")
    let records = try await Self.verified(
      """
      matrix:
        x: [a]
      build:
        argv: [sh, -c, "echo built > ${cell.out}/a"]
        artifacts: {a: "${cell.out}/a"}
      run:
        - name: first
          argv: [echo, one]
        - name: second
          argv: [sh, -c, "echo two; exit 1"]
      """, in: folder)
    let record = try #require(records.first)
    #expect(record.verdict == .failed)
    #expect(record.findings.contains { $0.title == "second: exit" && $0.verdict == .failed })
    let logs = record.steps.compactMap(\.stdoutLog)
    #expect(Set(logs).count == logs.count, "\(logs)")
    let out = record.steps.first { $0.id == .run("second") }?.stdoutLog
    #expect(try String(contentsOfFile: try #require(out), encoding: .utf8) == "two\n")
  }

  // 3. `$${artifact:a}` is the literal text, not the artifact's path.
  @Test func anEscapedArtifactPlaceholderStaysText() async throws {
    let records = try await Self.verified(
      """
      matrix:
        x: [a]
      build:
        argv: [touch, "${cell.out}/a"]
        artifacts: {a: "${cell.out}/a"}
      run:
        - name: show
          argv: [printf, "%s|%s", "$${artifact:a}", "${artifact:a}"]
      """, in: Self.folder("escape"))
    let step = try #require(records.first?.steps.last)
    #expect(step.stdoutHead == "${artifact:a}|" + (records.first?.artifactPaths["a"] ?? "?"))
  }

  // 4. Every setting is checked at plan time, at its line and column, with a suggestion.
  @Test(arguments: [
    (
      "matrix:\n  x: [a]\n  runner: [qemuu]\n",
      "/nowhere/m.yml:3:12: unknown runner 'qemuu' (one of native, qemu, rootfs, container, wine, ssh, none);"
        + " did you mean 'qemu'?"
    ),
    ("matrix:\n  x: [a]\n  runner: [qemu, natve]\n", "/nowhere/m.yml:3:18: unknown runner 'natve'"),
    ("matrix:\n  x: [a]\ndefaults:\n  runner: [qemu]\n", "/nowhere/m.yml:4:11: 'runner' must be one word"),
    ("matrix:\n  x: [a]\n  engine: [dockr]\n", "did you mean 'docker'?"),
    ("matrix:\n  x: [a]\ndefaults:\n  engine_args: --runtime runc\n", "'engine_args' must be a list of words"),
    ("matrix:\n  x: [a]\ndefaults:\n  network: yes please\n", "'network' must be true or false"),
    ("matrix:\n  x: [a]\ndefaults:\n  seccomp: absent.json\n", "the seccomp profile 'absent.json' is not a file"),
    ("matrix:\n  x: [a]\ndefaults:\n  engine_args: [--runtime, runc]\n  network: true\n", "planned"),
  ])
  func settingsAreCheckedAtPlanTime(yaml: String, message: String) {
    let error = Self.planError(yaml)
    #expect(error.hasPrefix(message) || (message.first != "/" && error.contains(message)), "\(error)")
  }

  // 9. `${cell.out}` and `$ARCHWAY_CELL_OUT` are absolute even for a relative `--out`; `workdir:` holds.
  @Test func cellFoldersAreAbsoluteAndWorkdirHolds() async throws {
    let folder = Self.folder("absolute")
    let records = try await Self.verified(
      """
      matrix:
        x: [a]
      run:
        - name: where
          argv: [sh, -c, "echo ${cell.out} $ARCHWAY_CELL_OUT; pwd"]
          workdir: sub/..
      """, in: folder, out: "relative-out")
    let step = try #require(records.first?.steps.last)
    let lines = step.stdoutHead.split(separator: "\n").map(String.init)
    #expect(lines.first == "\(folder)/relative-out/linux-amd64-gnu-x=a \(folder)/relative-out/linux-amd64-gnu-x=a")
    #expect(lines.last == folder, "the workdir, from where the matrix is planned")
  }

  // 10. An artifact an earlier run left is not this run's.
  @Test func aStaleArtifactIsNotVerifiedAgain() async throws {
    let folder = Self.folder("stale")
    let yaml = """
      matrix:
        x: [a]
      build:
        argv: [sh, -c, "test -e ${cell.out}/made || echo once > ${cell.out}/a; touch ${cell.out}/made"]
        artifacts: {a: "${cell.out}/a"}
      """
    let first = try await Self.verified(yaml, in: folder)
    #expect(first.first?.verdict == .passed)
    let second = try await Self.verified(yaml, in: folder)
    #expect(second.first?.verdict == .failed)
    #expect(second.first?.findings.contains { $0.message.contains("left no artifact 'a'") } == true)
  }

  /// The same holds for a reproducibility rebuild: what an earlier run's rebuild left is not compared.
  @Test func aStaleRebuildArtifactIsNotComparedAgain() async throws {
    let folder = Self.folder("stale-rebuild")
    let yaml = """
      matrix:
        x: [a]
      build:
        shell: sh
        script: |
          if [ "$TZ" = GMT-14 ] && [ -e "${cell.out}/made" ]; then :; else echo x > "${cell.out}/a"; fi
          touch "${cell.out}/made"
        artifacts: {a: "${cell.out}/a"}
      verify:
        reproducible: {vary: [timezone]}
      """
    #expect(try await Self.verified(yaml, in: folder).first?.verdict == .passed)
    let second = try #require(try await Self.verified(yaml, in: folder).first)
    #expect(second.verdict == .failed)
    #expect(
      second.findings.contains { $0.title == "a: reproducible" && $0.message.contains("rebuild-2 left no artifact") })
  }

  // 11. A runner asked for and impossible is an infrastructure error, never a quiet pass.
  @Test func anImpossibleRunnerIsAnInfrastructureError() async throws {
    let records = try await Self.verified(
      """
      matrix:
        platform: [linux/arm64]
        runner: [native]
      run:
        - name: never
          argv: ["true"]
      """, in: Self.folder("native"))
    let record = try #require(records.first)
    #expect(record.outcome == .infrastructure)
    #expect(record.verdict == .error, "\(record.findings)")
  }

  // 13. A script runs as GitHub Actions runs it: a failing command in the middle fails the step.
  @Test(arguments: ["bash", "sh"])
  func aScriptStopsAtItsFirstFailure(shell: String) async throws {
    let records = try await Self.verified(
      """
      matrix:
        x: [a]
      run:
        - name: script
          shell: \(shell)
          script: |
            false
            echo reached
      """, in: Self.folder("script-" + shell))
    let record = try #require(records.first)
    #expect(record.verdict == .failed)
    #expect(record.steps.last?.stdoutHead == "")
  }

  @Test func aPipelineFailsUnderBash() async throws {
    let records = try await Self.verified(
      """
      matrix:
        x: [a]
      run:
        - name: pipe
          shell: bash
          script: "false | cat"

      """,
      in: Self.folder("pipefail"))
    #expect(records.first?.verdict == .failed)
  }

  // 6 and 7. What a build leaves where an artifact belongs is read only if it is a regular file inside
  // the cell's folder: never a FIFO or device (which would block), never a file elsewhere.
  @Test(arguments: [
    ("mkfifo ${cell.out}/a", "is a FIFO, not a regular file"),
    ("ln -s /dev/zero ${cell.out}/a", "points outside the cell's folder, to /dev/zero"),
    ("ln -s /etc/shadow ${cell.out}/a", "points outside the cell's folder, to /etc/shadow"),
    ("ln -s ../../outside ${cell.out}/a", "points outside the cell's folder"),
    ("ln ${cell.out}/../../outside ${cell.out}/a", "is a hard link to a file with 2 names, only 1 of them"),
    ("mkdir ${cell.out}/a", "is a folder, not a file"),
    ("ln -s missing ${cell.out}/a", "is a symbolic link to nothing"),
    ("mknod ${cell.out}/a c 1 5", "is a character device"),
  ])
  func hostileArtifactsFailWithoutBeingRead(script: String, message: String) async throws {
    let folder = Self.folder("hostile-\(abs(script.hashValue))")
    _ = FileManager.default.createFile(atPath: folder + "/outside", contents: Data("secret".utf8))
    let records = try await Self.verified(
      """
      matrix:
        x: [a]
      build:
        argv: [sh, -c, "\(script)"]
        artifacts: {a: "${cell.out}/a"}
      """, in: folder)
    let record = try #require(records.first)
    #expect(record.verdict == .failed)
    #expect(record.artifacts.isEmpty, "nothing recorded, so nothing hashed into SHA256SUMS")
    #expect(record.findings.contains { $0.message.contains(message) }, "\(record.findings.map(\.message))")
  }

  /// A hard link whose every name is inside the cell's folder (as cargo makes) is an artifact.
  @Test func aHardLinkInsideTheCellIsAnArtifact() async throws {
    let records = try await Self.verified(
      """
      matrix:
        x: [a]
      build:
        argv: [sh, -c, "mkdir -p ${cell.out}/deps && echo x > ${cell.out}/deps/a && ln ${cell.out}/deps/a ${cell.out}/a"]
        artifacts: {a: "${cell.out}/a"}
      """, in: Self.folder("hardlink"))
    #expect(records.first?.verdict == .passed, "\(records.first?.findings.map(\.message) ?? [])")
  }

  // 15. Binary output that differs is shown as a hex dump around the first differing byte, the
  // offset agreeing with cmp's.
  @Test func binaryOutputDiffersAsAHexDump() async throws {
    let folder = Self.folder("hexdump")
    let golden = folder + "/golden.bin"
    _ = FileManager.default.createFile(atPath: golden, contents: Data((0..<40).map { UInt8($0) }))
    let records = try await Self.verified(
      """
      matrix:
        x: [a]
      run:
        - name: bytes
          argv: [python3, -c, "import sys; b = bytearray(range(40)); b[21] = 0xff; sys.stdout.buffer.write(b)"]
          expect: {stdout_file: "\(golden)"}
      """, in: folder)
    let record = try #require(records.first)
    let check = try #require(record.findings.first { $0.title == "bytes: stdout" })
    #expect(check.verdict == .failed && check.message.hasSuffix("(binary output)"))
    let details = try #require(check.details)
    #expect(details.hasPrefix("first difference at byte 21 (0x15): 40 bytes expected, 40 found\n"), "\(details)")
    #expect(details.contains("00000010: 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f  ................ <"))
    #expect(details.contains("00000010: 10 11 12 13 14 ff 16 17 18 19 1a 1b 1c 1d 1e 1f  ................ <"))
    let log = try #require(record.steps.last?.stdoutLog)
    let cmp = try await Command.run("cmp", [golden, log])
    #expect(cmp.stdout.contains("differ: byte 22,"), "cmp counts from 1: \(cmp.stdout)")
  }

  /// The readers themselves never block on what is not a regular file, whoever names it.
  @Test func theReadersRefuseFIFOsAndDevicesAtOnce() throws {
    let fifo = Self.folder("fifo") + "/pipe"
    #expect(mkfifo(fifo, 0o600) == 0)
    for path in [fifo, "/dev/zero"] {
      #expect(FileDigest.sha256(ofFile: path) == nil, "\(path)")
      #expect(throws: InspectError(path: path, reason: "not a regular file")) {
        try BinaryInspector.inspectFile(atPath: path)
      }
    }
  }

  /// A host probe (`--version` of an emulator) that never ends is ended at its limit: the report
  /// is never held up by it. (The bound is a hang detector: the probe would end by itself after an
  /// hour; a loaded machine can delay this test's own turn by minutes.)
  @Test func aHungHostProbeIsEndedAtItsLimit() async {
    let start = ContinuousClock.now
    #expect(await HostReport.output(of: ["sleep", "3600"], limit: .seconds(1)) == nil)
    #expect(ContinuousClock.now - start < .seconds(900))
    #expect(await HostReport.output(of: ["echo", "fine"], limit: .seconds(30)) == "fine\n")
  }

  /// A predictable out folder in a shared /tmp is safe: a cell folder, a log or a stdin file that is
  /// already a symbolic link (or a FIFO, or a hard link to a file elsewhere) is replaced by
  /// Archway's own, and nothing it pointed at is written; an earlier run's own log is emptied.
  /// (Issue 13's second item; the hard links since logs are kept from run to run, issue 17.)
  @Test func plantedLinksAndFIFOsUnderTheOutFolderAreNotWrittenThrough() async throws {
    let folder = Self.folder("planted")
    let victim = folder + "/victim"
    try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: victim + "/precious", contents: Data("keep\n".utf8))
    let yaml = """
      matrix:
        x: [a, b, c]
      run:
        - name: talk
          argv: [sh, -c, "echo said; cat"]
          stdin: "typed\\n"
      """
    let cells = try Self.plan(yaml, in: folder)
    let (a, b, c) = (cells[0].out, cells[1].out, cells[2].out)
    try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: a, withDestinationPath: victim)
    try FileManager.default.createDirectory(atPath: b + "/logs", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: b + "/logs/talk.stdout.log", withDestinationPath: victim + "/precious")
    try FileManager.default.createSymbolicLink(
      atPath: b + "/logs/talk.stdout.log.stdin", withDestinationPath: victim + "/precious")
    #expect(mkfifo(b + "/logs/talk.stderr.log", 0o600) == 0)
    // Hard links to the file outside, where an earlier run's logs would be; and a stale log kept.
    try FileManager.default.createDirectory(atPath: c + "/logs", withIntermediateDirectories: true)
    #expect(link(victim + "/precious", c + "/logs/talk.stdout.log") == 0)
    #expect(link(victim + "/precious", c + "/logs/talk.stdout.log.stdin") == 0)
    try "stale, from an earlier run\n".write(toFile: c + "/logs/talk.stderr.log", atomically: false, encoding: .utf8)
    let records = try await Self.verified(yaml, in: folder)
    for record in records {
      #expect(record.verdict == .passed, "\(record.id): \(record.findings.map(\.message))")
      #expect(record.steps.last?.stdoutHead == "said\ntyped\n")
      #expect(record.steps.last?.stderrBytes == 0, "an earlier run's log is emptied")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: victim) == ["precious"], "nothing written beside it")
    #expect(try String(contentsOfFile: victim + "/precious", encoding: .utf8) == "keep\n")
    var status = stat()
    #expect(lstat(a, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR, "the cell's folder is a folder of ours")
  }

  /// A step that failed with nothing in either log (qemu refusing to run a host program was one)
  /// said only "exit 1, expected 0": the check now says what ran, quoted as a shell would take it.
  @Test func aSilentFailureSaysWhatRan() {
    var step = StepOutcome(
      id: .setup("quiet"),
      process: ProcessOutcome(
        argv: ["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu", "/bin/sh", "-c", "exit 1"], status: .exited(1),
        duration: 0.1))
    let check = OutputChecks.ending(.exit, .step(.run("quiet")), step, expected: 0)
    #expect(check.verdict == .failed)
    #expect(
      check.details
        == "nothing on stdout or stderr; what ran: qemu-aarch64-static -L /usr/aarch64-linux-gnu /bin/sh -c 'exit 1'")
    step.stderrHead = "qemu-aarch64-static: Could not open '/lib/ld-linux-aarch64.so.1'"
    step.stderrBytes = step.stderrHead.utf8.count
    let spoken = OutputChecks.ending(.exit, .step(.run("quiet")), step, expected: 0)
    #expect(spoken.details?.hasPrefix("stderr (end):\nqemu-aarch64-static: Could not open") == true)
  }

  /// Issue 37: one cause printed a line for each of its consequences. A build that left its
  /// artifacts elsewhere failed every step that runs one too ("no program … on PATH"); such a step
  /// is now not run, and says which missing artifact it needed. The cell still fails, on the
  /// missing artifacts; a step that needs none still runs.
  @Test func aStepThatRunsAMissingArtifactIsNotRun() async throws {
    let folder = Fixtures.scratch("missing-artifact-steps")
    let cells = try await Self.verified(
      """
      matrix:
        platform: [linux/amd64]
      build:
        argv: ["true"]
        artifacts:
          a: "${cell.out}/build/a"
          ab: "${cell.out}/ab"
      run:
        - name: uses-a
          argv: ["${artifact:a}", --version]
        - name: script
          shell: sh
          script: test -x "${artifact:a}"
        - name: other
          argv: ["true"]
      """, in: folder)
    let cell = try #require(cells.first)
    #expect(cell.verdict == .failed)
    let failed = cell.findings.filter { $0.verdict == .failed }
    #expect(failed.map(\.kind) == [.cell, .cell], "one line per cause: \(failed.map(\.message))")
    for name in ["uses-a", "script"] {
      let exit = try #require(cell.findings.first { $0.kind == .exit && $0.subject == .step(.run(name)) })
      #expect(exit.verdict == .skipped && exit.message.contains("artifact 'a'"), "\(name): \(exit.message)")
    }
    #expect(cell.steps.contains { $0.name == "other" && $0.status == .exited(0) }, "a step that needs none runs")
  }

  /// Issue 37: a failed build's console lines were stderr's last three, make's and gcc's notes,
  /// never the error that caused them. They start with the first line that says error (gcc's here,
  /// from a real make and gcc), then the last.
  @Test func aFailedBuildSaysItsFirstError() async throws {
    let folder = Fixtures.scratch("first-error")
    try Files.write(
      [
        "main.c": "int helper(void);\nint main(void) { return helper() + undefined_var; }\n",
        "Makefile": "main.o: main.c\n\tgcc -Wall -c main.c -o main.o\n",
      ], in: folder)
    let make = try await Command.run("make", ["-C", folder], workingDirectory: folder)
    #expect(make.status == 2)
    var step = StepOutcome(
      id: .build, process: ProcessOutcome(argv: ["make"], status: .exited(2), duration: 0.1))
    step.stderrHead = make.stderr
    step.stderrBytes = make.stderr.utf8.count
    let check = OutputChecks.ending(.exit, .step(.build), step, expected: 0)
    let error = try #require(make.stderr.split(separator: "\n").first { $0.contains("error:") }.map(String.init))
    #expect(check.lastWords.first == error, "\(check.lastWords)")
    #expect(check.lastWords.last?.hasPrefix("make: *** [Makefile:2: main.o] Error 1") == true, "\(check.lastWords)")
    #expect(check.lastWords.count <= 3)
  }

  /// A Go binary built with GOARM=7 passed a linux/arm/v5 cell: Go writes no ARM attributes (no
  /// variant, so no static finding) and qemu ran its default `max` CPU, which executes v7 code. The
  /// variant now comes from the build info and the cell runs on qemu's ARMv5 model (arm926).
  @Test func aGoARMv7BinaryFailsAnARMv5Cell() async throws {
    let folder = Fixtures.scratch("false-goarm")
    let records = try await Self.verified(
      """
      matrix:
        platform: [linux/arm/v5]
      build:
        argv: [cp, "\(Fixtures.named("go-linux-armv7").path)", "${cell.out}/hello"]
        artifacts: {hello: "${cell.out}/hello"}
      run:
        - name: hello
          argv: ["${artifact:hello}"]
      """, in: folder)
    let record = try #require(records.first)
    #expect(record.verdict == .failed)
    let arch = record.findings.first { $0.kind == .arch }
    #expect(
      arch?.verdict == .failed && arch?.message.contains("needs an ARM v7 CPU") == true, "\(String(describing: arch))")
    let exit = record.findings.first { $0.kind == .exit }
    #expect(exit?.message.hasPrefix("killed by SIGILL") == true, "\(String(describing: exit))")
  }
}
