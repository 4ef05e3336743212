import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// Cells built with the real cross compilers and run under real qemu-user, and the ways a cell fails.
@Suite struct ExecutorTests {
  static let host = Platform(os: "linux", arch: "amd64")

  static func folder(_ name: String) -> String { Fixtures.scratch("exec-" + name) }

  static func run(
    _ yaml: String, in folder: String, environment: [String: String]? = nil, failFast: Bool = false, jobs: Int = 2
  )
    async throws -> [ExecutionRecord]
  {
    let file = try MatrixFile.parse(yaml: yaml, file: "\(folder)/m.yml")
    let cells = try Planner(host: host, outputRoot: folder + "/out").plan(file)
    let executor = CellExecutor(
      host: host, defaultTimeout: .seconds(120), environment: environment ?? ProcessInfo.processInfo.environment)
    return await executor.execute(cells, jobs: jobs, failFast: failFast)
  }

  @Test func crossBuiltProgramsRunUnderQemuAndTellTheirArchitecture() async throws {
    let folder = Self.folder("qemu")
    let platforms = ["linux/arm64", "linux/arm/v7", "linux/riscv64", "linux/ppc64le", "linux/s390x", "linux/mips64le"]
    let records = try await Self.run(
      """
      matrix:
        platform: [\(platforms.joined(separator: ", "))]
      build:
        argv: ["${target.gcc_prefix}gcc", -O2, -o, "${cell.out}/hello", "\(Fixtures.root)/Examples/hello/hello.c"]
        artifacts: {hello: "${cell.out}/hello"}
      run:
        - name: greet
          argv: ["${artifact:hello}", "${target.arch}"]
      """, in: folder)
    #expect(records.count == platforms.count)
    for record in records {
      #expect(record.outcome == .passed, "\(record.id): \(record.steps.map(\.status)) \(record.problems)")
      #expect(record.runner.kind == .qemu && record.runner.sysroot != nil)
      let spec = try #require(TargetCatalog.spec(for: record.target.platform))
      // The program computes its word size and byte order at run time, under the emulator.
      let greeting = "hello, \(record.target.arch)\ntarget: \(spec.bits)-bit, \(spec.endian.rawValue)-endian, "
      #expect(record.steps.last?.stdoutHead.hasPrefix(greeting) == true, "\(record.steps.last?.stdoutHead ?? "")")
      #expect(record.steps.last?.argv.first?.hasSuffix("\(spec.qemu!)-static") == true)
      let facts = try BinaryInspector.inspectFile(atPath: try #require(record.artifactPaths["hello"]))
      #expect(facts.arch == record.target.arch, "the artifact really is for its cell")
    }
  }

  /// A shell step on a qemu cell runs on the host, the target's programs it starts dispatched by
  /// binfmt_misc with `QEMU_LD_PREFIX` set to the sysroot: a pipeline of a foreign program and the
  /// host's grep works. (It was run as `qemu -L SYSROOT sh -c …`, which exits 1 with empty logs.)
  @Test func aShellStepOnAQemuCellRunsTheTargetsProgramsThroughBinfmt() async throws {
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/arm64, linux/s390x]
      build:
        argv: ["${target.gcc_prefix}gcc", -O2, -o, "${cell.out}/hello", "\(Fixtures.root)/Examples/hello/hello.c"]
        artifacts: {hello: "${cell.out}/hello"}
      run:
        - name: pipeline
          shell: sh
          script: |
            "${artifact:hello}" piped | grep -c '^hello, piped$'
            uname -m
        - name: direct
          argv: ["${artifact:hello}", direct]
      """, in: Self.folder("qemu-shell"))
    for record in records {
      #expect(record.outcome == .passed, "\(record.id): \(record.steps.map { ($0.name, $0.status, $0.stderrHead) })")
      let pipeline = try #require(record.steps.first { $0.name == "pipeline" })
      #expect(pipeline.stdoutHead == "1\nx86_64\n", "the shell and uname are the host's: \(pipeline.stdoutHead)")
      #expect(pipeline.argv.prefix(2) == ["env", "QEMU_LD_PREFIX=\(record.runner.sysroot ?? "?")"])
      let direct = try #require(record.steps.first { $0.name == "direct" })
      #expect(direct.argv.first?.hasSuffix("-static") == true, "a target program still runs under qemu -L")
    }
  }

  /// Without binfmt_misc for the arch such a step is not run: an infrastructure problem naming the
  /// fix, never a silent exit 1.
  @Test func withoutBinfmtAShellStepIsAnInfrastructureProblem() throws {
    let file = try MatrixFile.parse(yaml: "matrix:\n  platform: [linux/arm64]\n", file: "m.yml")
    let cell = try #require(try Planner(host: Self.host, outputRoot: Self.folder("binfmt")).plan(file).first)
    let host = ProcessInfo.processInfo.environment["PATH"]
    let runner = { (binfmt: Set<String>) in
      Self.qemu(cell, emulator: "/usr/bin/qemu-aarch64-static", sysroot: "/usr/aarch64-linux-gnu", binfmt: binfmt)
    }
    let none = runner([]).emulated(["sh", "-c", "true"], folder: cell.out, workdir: nil)
    guard case .impossible(let reason) = none else {
      Issue.record("expected no way to run it, got \(none)")
      return
    }
    #expect(reason.contains("binfmt_misc's qemu-aarch64, which is not registered here"), "\(reason)")
    #expect(
      runner(["qemu-aarch64"]).emulated(["sh", "-c", "true"], folder: cell.out, workdir: nil)
        == .onTheHost(["env", "QEMU_LD_PREFIX=/usr/aarch64-linux-gnu", "sh", "-c", "true"]))
    // An amd64 program the build left in the cell (a wrong-arch build) still runs under the
    // emulator, where it fails, rather than on the host, where it would pass.
    try FileManager.default.createDirectory(atPath: cell.out, withIntermediateDirectories: true)
    let wrong = cell.out + "/prog"
    try FileManager.default.copyItem(atPath: Fixtures.named("c-gcc-linux-amd64").path, toPath: wrong)
    #expect(
      runner(["qemu-aarch64"]).emulated([wrong], folder: cell.out, workdir: nil)
        == .direct(["/usr/bin/qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu", wrong]))
    // A static 386 program on amd64 runs as it is: the kernel runs it (qemu-i386 crashes Go's runtime).
    let i386 = try #require(
      try Planner(host: Self.host, outputRoot: Self.folder("binfmt")).plan(
        try MatrixFile.parse(yaml: "matrix:\n  platform: [linux/386]\n", file: "m.yml")
      ).first)
    let go386 = Fixtures.named("go-linux-386").path
    let qemu386 = Self.qemu(i386, emulator: "/usr/bin/qemu-i386-static", sysroot: "/usr/i686-linux-gnu", binfmt: [])
    #expect(qemu386.emulated([go386], folder: i386.out, workdir: nil) == .direct([go386]))
    let dynamic = Fixtures.named("c-gcc-linux-386").path
    #expect(
      qemu386.emulated([dynamic], folder: i386.out, workdir: nil)
        == .direct(["/usr/bin/qemu-i386-static", "-L", "/usr/i686-linux-gnu", dynamic]))
    _ = host
  }

  /// A qemu runner for `cell` on this host whose binfmt_misc runs `binfmt`, with this process's PATH.
  static func qemu(_ cell: Cell, emulator: String, sysroot: String?, binfmt: Set<String>) -> QemuRunner {
    let path = ProcessInfo.processInfo.environment["PATH"]
    let facts = HostFacts(
      platform: host, locate: { ProcessSupervisor.locate($0, path: path) }, exists: { _ in false }, isRoot: false,
      binfmtFixed: binfmt, environments: "/nonexistent")
    return QemuRunner(
      setup: QemuSetup(basis: RunnerBasis(reason: ""), emulator: emulator, sysroot: sysroot),
      context: RunnerContext(
        cellID: cell.id, out: cell.out, target: cell.target, environment: path.map { ["PATH": $0] } ?? [:],
        host: facts))
  }

  @Test func a386BinaryRunsNativelyOrUnderQemuWithItsSysroot() async throws {
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/386]
      build:
        argv: ["${target.gcc_prefix}gcc", -o, "${cell.out}/hello", "\(Fixtures.root)/Examples/hello/hello.c"]
        artifacts: {hello: "${cell.out}/hello"}
      run:
        - name: greet
          argv: ["${artifact:hello}", "i386"]
      """, in: Self.folder("i386"))
    let record = try #require(records.first)
    #expect(record.outcome == .passed, "\(record.runner.reason): \(record.steps.map(\.status))")
    #expect(record.steps.last?.stdoutHead.hasPrefix("hello, i386\ntarget: 32-bit, little-endian, ") == true)
    if record.runner.kind == .qemu { #expect(record.runner.sysroot == "/usr/i686-linux-gnu") }
  }

  @Test func aMissingEmulatorIsAnInfrastructureOutcomeAndOtherCellsGoOn() async throws {
    let folder = Self.folder("missing")
    let bin = folder + "/bin"  // A PATH with cp and nothing else: no qemu.
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: bin + "/cp", withDestinationPath: "/bin/cp")
    let records = try await Self.run(
      """
      matrix:
        include:
          - platform: linux/arm64
            fixture: c-gcc-linux-arm64
          - platform: linux/amd64
            fixture: c-gcc-linux-amd64
      build:
        argv: [cp, "\(Fixtures.directory)/${fixture}", "${cell.out}/hello"]
        artifacts: {hello: "${cell.out}/hello"}
      run:
        - name: greet
          argv: ["${artifact:hello}"]
      """, in: folder, environment: ["PATH": bin])
    #expect(records.map(\.outcome) == [.infrastructure, .passed])
    #expect(
      records[0].steps.last?.status
        == .infrastructure("no qemu-aarch64-static or qemu-aarch64 on PATH (install qemu-user-static)"))
    #expect(records[1].runner.kind == .native && records[1].steps.last?.stdoutHead.hasPrefix("hello, world") == true)
  }

  @Test func aCrashUnderEmulationIsRecordedWithItsSignal() async throws {
    let folder = Self.folder("crash")
    try "#include <signal.h>\nint main(void) { raise(SIGSEGV); return 0; }\n".write(
      toFile: folder + "/crash.c", atomically: true, encoding: .utf8)
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/arm64, linux/amd64]
      build:
        argv: ["${target.gcc_prefix}gcc", -o, "${cell.out}/crash", "\(folder)/crash.c"]
        artifacts: {crash: "${cell.out}/crash"}
      run:
        - name: crash
          argv: ["${artifact:crash}"]
      """, in: folder)
    for record in records {
      #expect(record.outcome == .failed)
      #expect(record.steps.last?.status == .signaled("SIGSEGV"), "\(record.id): \(record.steps.map(\.status))")
    }
  }

  @Test func limitsHoldNativelyAndUnderEmulation() async throws {
    let folder = Self.folder("ulimit")
    // Reads its own limits with getrlimit: the limits the program meets, whoever runs it.
    try """
    #include <stdio.h>
    #include <sys/resource.h>
    int main(void) {
      struct rlimit n, s;
      getrlimit(RLIMIT_NOFILE, &n);
      getrlimit(RLIMIT_STACK, &s);
      printf("%llu %llu\\n", (unsigned long long)n.rlim_cur, (unsigned long long)s.rlim_cur / 1024);
      return 0;
    }
    """.write(toFile: folder + "/limits.c", atomically: true, encoding: .utf8)
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/amd64, linux/arm64, linux/s390x]
        ulimit: [{nofile: 77, stack: 4096}]
      build:
        argv: ["${target.gcc_prefix}gcc", -o, "${cell.out}/limits", "\(folder)/limits.c"]
        artifacts: {limits: "${cell.out}/limits"}
      run:
        - name: cell-limits
          argv: ["${artifact:limits}"]
        - name: step-limits
          argv: ["${artifact:limits}"]
          ulimit: {nofile: 33}
      """, in: folder)
    for record in records {
      #expect(record.outcome == .passed, "\(record.id): \(record.steps.map(\.status))")
      #expect(
        record.steps.map(\.stdoutHead) == ["", "77 4096\n", "33 4096\n"], "\(record.id) via \(record.runner.kind)")
    }
    #expect(records.map(\.runner.kind) == [.native, .qemu, .qemu])
    // The fingerprint, taken inside the runner, sees the cell's limits too.
    #expect(records.allSatisfy { $0.fingerprint?.nofile == "77" && $0.fingerprint?.stack == "4096" })
  }

  @Test func theFingerprintIsTakenInsideTheRunner() async throws {
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/amd64, linux/arm64, linux/s390x]
      run:
        - argv: ["true"]
      """, in: Self.folder("fingerprint"))
    let uname = try await Command.run("uname", ["-m"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let hostLibc = try await Command.run("getconf", ["GNU_LIBC_VERSION"]).stdout.trimmingCharacters(
      in: .whitespacesAndNewlines)
    let native = try #require(records[0].fingerprint)
    #expect(native.machine == uname && native.libc == hostLibc && native.kernel?.isEmpty == false)
    for (record, package) in zip(records.dropFirst(), ["libc6-arm64-cross", "libc6-s390x-cross"]) {
      let fingerprint = try #require(record.fingerprint, "\(record.id)")
      // The sysroot's glibc, asked under the emulator, against the version dpkg installed.
      let version = try await Command.run("dpkg-query", ["-W", "-f", "${Version}", package]).stdout
      let upstream = version.split(separator: "-").first.map(String.init) ?? version
      #expect(fingerprint.libc == "glibc \(upstream)", "\(record.id): \(fingerprint)")
      #expect(fingerprint.machine == nil)
      // The emulator as it names itself and as `file` sees its build, and its binfmt_misc entry.
      let emulator = try #require(record.runner.launcher)
      let named = try await Command.run(emulator, ["--version"]).stdout.split(separator: "\n").first ?? ""
      let file = try await Command.run("file", ["-bL", emulator]).stdout
      #expect(file.contains("static-pie linked") && fingerprint.emulator == "\(named), static-pie", "\(file)")
      let name = URL(fileURLWithPath: emulator).lastPathComponent.replacingOccurrences(of: "-static", with: "")
      let entry = (try? String(contentsOfFile: "/proc/sys/fs/binfmt_misc/" + name, encoding: .utf8)) ?? ""
      let lines = entry.split(separator: "\n")
      if let interpreter = lines.first(where: { $0.hasPrefix("interpreter ") })?.dropFirst(12),
        let flags = lines.first(where: { $0.hasPrefix("flags: ") })?.dropFirst(7)
      {
        #expect(fingerprint.binfmt == "\(interpreter), flags \(flags)")
      } else {
        #expect(fingerprint.binfmt == "none")
      }
    }
    #expect(native.emulator == nil && native.binfmt == nil)
  }

  @Test func failFastStartsNoMoreCells() async throws {
    let folder = Self.folder("failfast")
    let records = try await Self.run(
      """
      matrix:
        step: ["false", "true", /bin/true]
      build:
        argv: ["${step}"]
      """, in: folder, failFast: true, jobs: 1)
    #expect(records.map(\.outcome) == [.failed, .notRun, .notRun])
    #expect(records[1].problems.map(\.description) == ["--fail-fast: linux-amd64-gnu-step=false did not pass"])
  }

  @Test func expectedExitCodesAndSkippedRuns() async throws {
    let folder = Self.folder("expect")
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/amd64, darwin/arm64]
      run:
        - name: exits-2
          argv: [sh, -c, "exit 2"]
          expect: {exit: 2}
      """, in: folder)
    #expect(records.map(\.outcome) == [.passed, .passed])
    #expect(records[0].steps[0].status == .exited(2))
    guard case .skipped(let reason) = records[1].steps[0].status else {
      Issue.record("darwin runs are skipped, not \(records[1].steps[0].status)")
      return
    }
    #expect(reason.contains("darwin/arm64"))
  }

  @Test func artifactsAreFoundFromAnyWorkingFolder() async throws {
    // A relative output folder, as `archway run` uses by default, and a run step working elsewhere.
    let relative = ".build/archway-relative-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: relative) }
    let file = try MatrixFile.parse(
      yaml: """
        matrix:
          opt: [x]
        build:
          argv: [sh, -c, "echo made > ${cell.out}/a"]
          artifacts: {a: "${cell.out}/a"}
        run:
          - name: read
            argv: [cat, "${artifact:a}"]
            workdir: /
        """, file: "m.yml")
    let cells = try Planner(host: Self.host, outputRoot: relative).plan(file)
    let executor = CellExecutor(
      host: Self.host, defaultTimeout: .seconds(30), environment: ProcessInfo.processInfo.environment)
    let record = await executor.execute(cells[0])
    #expect(record.outcome == .passed, "\(record.steps.map(\.status))")
    #expect(record.artifactPaths["a"]?.hasPrefix("/") == true)
    #expect(record.steps.last?.stdoutHead == "made\n")
  }

  /// Wine steps one after another: each step's wineserver is ended by the orphan sweep, which now
  /// waits for it to be gone before the next step starts. (A fresh machine's first demo once failed
  /// with `wine client error:0: recvmsg: Connection reset by peer` between two wine steps; this
  /// did not reproduce it, with or without the wait, in 18 step changes.)
  @Test func consecutiveWineStepsEachFindAWorkingWineserver() async throws {
    let folder = Self.folder("wine-steps")
    let steps = (1...6).map { "  - name: greet-\($0)\n    argv: [\"${artifact:hello}\", \($0)]\n" }.joined()
    let records = try await Self.run(
      """
      matrix:
        platform: [windows/amd64]
      build:
        argv: [go, build, -o, "${cell.out}/hello.exe", "\(Fixtures.root)/Examples/hello/hello.go"]
        env: {GOOS: windows, GOARCH: amd64, CGO_ENABLED: "0"}
        artifacts: {hello: "${cell.out}/hello.exe"}
      run:
      \(steps)
      """, in: folder)
    let record = try #require(records.first)
    #expect(record.runner.kind == .wine, "setup-host installs wine: \(record.runner.reason)")
    let runs = record.steps.filter { $0.id.role == .run }
    #expect(runs.count == 6)
    for step in runs {
      #expect(step.status == .exited(0), "\(step.name): \(step.status) \(step.stderrHead)")
      #expect(step.stdoutHead.hasPrefix("hello, \(step.name.dropFirst(6))\n"), "\(step.stdoutHead)")
    }
  }

  @Test func artifactsMustStayInsideTheirCell() throws {
    let file = try MatrixFile.parse(
      yaml: """
        matrix:
          opt: [O2]
        build:
          argv: [make]
          artifacts:
            x: "${cell.out}/../elsewhere"

        """,
      file: "m.yml")
    #expect(
      throws: MatrixError(
        "artifact 'x' at '/w/out/linux-amd64-gnu-opt=O2/../elsewhere' lies outside the cell's folder /w/out/linux-amd64-gnu-opt=O2",
        at: SourceLocation(file: "m.yml", line: 6, column: 8))
    ) {
      try Planner(host: Self.host, outputRoot: "out", directory: "/w").plan(file)
    }
  }

  /// One matrix for native and emulated cells: a step limit that holds natively is scaled under
  /// qemu (5 by default), and a cell's `timeout_scale:` overrides the factor for its runner. (A 5 s
  /// step against 4 s and 20 s limits: a loaded machine only makes the sleep longer, so the native
  /// limit always holds, and the scaled one has 15 s to spare; 2 s against 5 s, and 3 s against
  /// 10 s, once ran out on a loaded machine.)
  @Test func timeLimitsAreScaledByTheRunner() async throws {
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/amd64, linux/arm64, linux/riscv64]
        include:
          - {platform: linux/riscv64, timeout_scale: {qemu: 1}}
      run:
        - name: slow
          argv: [sh, -c, 'sleep 5']
          timeout: 4
      """, in: Self.folder("timeout-scale"))
    let byArch = Dictionary(uniqueKeysWithValues: records.map { ($0.target.arch, $0) })
    #expect(byArch["amd64"]?.runner.timeoutScale == 1 && byArch["amd64"]?.steps.last?.status == .timedOut(seconds: 4))
    #expect(
      byArch["arm64"]?.runner.timeoutScale == 5 && byArch["arm64"]?.steps.last?.status == .exited(0),
      "\(String(describing: byArch["arm64"]?.steps.last?.status))")
    #expect(byArch["riscv64"]?.runner.timeoutScale == 1, "the cell's own factor")
    #expect(byArch["riscv64"]?.steps.last?.status == .timedOut(seconds: 4))
    let json = String(decoding: try JSONEncoder().encode(byArch["arm64"]!.runner), as: UTF8.self)
    #expect(json.contains("\"timeout_scale\":5"), "the report says which factor applied: \(json)")
  }
}
