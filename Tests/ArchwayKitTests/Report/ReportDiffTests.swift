import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// ReportDiff's categories that a real rebuild does not reach in DiffCLITests: cells and artifacts
/// that come and go, per-test results, reproducibility, durations, the loader and libc, the
/// environment, and what the policy makes of them.
@Suite struct ReportDiffTests {
  static func cell(
    _ id: String, verdict: Verdict = .passed, checks: [Finding] = [], facts: BinaryFacts? = nil, step: Double = 0.1,
    kernel: String = "6.1", toolchains: [String: String]? = nil, output: String = "", emulator: String? = nil,
    binfmt: String? = nil
  ) -> VerifiedCell {
    var run = StepOutcome(
      id: .run("greet"), process: ProcessOutcome(argv: ["hello"], status: .exited(0), duration: step))
    run.stdoutHead = output
    var artifact = ArtifactRecord(name: "hello", path: "/o/\(id)/hello")
    artifact.facts = facts
    artifact.size = 1000
    var fingerprint = Fingerprint()
    fingerprint.kernel = kernel
    (fingerprint.emulator, fingerprint.binfmt) = (emulator, binfmt)
    let execution = ExecutionRecord(
      id: id, target: CellTarget(platform: Platform(os: "linux", arch: "amd64"), libc: .gnu(nil)), env: nil,
      runner: RunnerRecord(kind: .native, reason: "the host"), outcome: .passed, steps: [run],
      fingerprint: fingerprint, toolchains: toolchains)
    return VerifiedCell(
      execution: execution, artifacts: facts == nil ? [] : [artifact], findings: checks, verdict: verdict)
  }

  static func report(_ cells: [VerifiedCell]) -> Report {
    let plan = Report.PlanInfo(matrix: "m.yml", matrixBytes: Data(), filter: nil, shard: nil, planned: [], all: [])
    return Report(
      plan: plan, hosts: [], started: "2026-12-01T00:00:00Z", finished: "2026-12-01T00:00:01Z", interrupted: false,
      cells: cells)
  }

  static func categories(_ diff: ReportDiff) -> [String: Set<String>] {
    diff.changes.reduce(into: [:]) {
      $0[$1.cell + ($1.subject.map { " " + $0 } ?? ""), default: []].insert($1.category.rawValue)
    }
  }

  @Test func cellsTestsLoadersAndTheEnvironmentAreEachAChange() {
    var glibc = BinaryFacts(path: "hello", format: .elf)
    glibc.libc = .glibc
    glibc.interpreter = "/lib64/ld-linux-x86-64.so.2"
    glibc.linkage = .dynamic
    var musl = glibc
    musl.libc = .musl
    musl.interpreter = "/lib/ld-musl-x86_64.so.1"
    let test = { (verdict: Verdict) in Finding(.test, .test(.run("unit"), "TestA"), verdict, verdict.rawValue) }
    let reproducible = { (verdict: Verdict) in Finding(.reproducible, .cell, verdict, verdict.rawValue) }
    let old = Self.report([
      Self.cell("gone"), Self.cell("tests", checks: [test(.passed)]),
      Self.cell("loader", checks: [reproducible(.passed)], facts: glibc), Self.cell("slow", step: 1),
      Self.cell("broken", verdict: .failed, kernel: "6.1"),
    ])
    let new = Self.report([
      Self.cell("tests", verdict: .failed, checks: [test(.failed)]),
      Self.cell("loader", checks: [reproducible(.failed)], facts: musl), Self.cell("slow", step: 2.5),
      Self.cell("broken", verdict: .failed, kernel: "6.12"), Self.cell("added"),
      Self.cell("added-broken", verdict: .failed),
    ])
    let diff = ReportDiff(from: old, to: new)
    #expect(
      Self.categories(diff) == [
        "tests": ["new-failure"], "tests unit › TestA": ["new-failure"],
        "loader": ["reproducibility-flipped"], "loader hello": ["interpreter-changed", "libc-changed"],
        "slow greet": ["duration-grew"], "broken": ["still-failing", "environment-changed"],
        "added": ["new-cell"], "added-broken": ["new-cell", "new-failure"], "gone": ["missing-cell"],
      ], "\(diff.changes)")
    #expect(
      diff.failures.map(\.cell) == ["tests", "tests", "added-broken"], "the default fails on new failures only here")
    let kernel = diff.changes.first { $0.category == .environmentChanged }
    #expect(kernel?.message == "kernel 6.1 → 6.12")
    // The other way round: fixed, and the loader back; 2.5 s → 1 s is no growth.
    let back = ReportDiff(from: new, to: old)
    #expect(Self.categories(back)["tests unit › TestA"] == ["fixed"])
    #expect(Self.categories(back)["slow greet"] == nil)
    #expect(back.failures.isEmpty)
  }

  @Test func aPolicyFromTheMatrixIsCheckedWhereItIsWritten() throws {
    let yaml = "matrix: {os: [linux]}\nregressions:\n  fail_on: [needed-added, all]\n  size_growth: 5%\n"
    let file = try MatrixFile.parse(yaml: yaml, file: "m.yml")
    #expect(file.regressions.failOn == Set(RegressionPolicy.Category.allCases))
    #expect(file.regressions.sizeGrowth == 0.05 && file.regressions.durationGrowth == 2)
    for (bad, said) in [
      ("  fail_on: [floor-rise]\n", "m.yml:3:13: unknown category 'floor-rise'; did you mean 'floor-rose'?"),
      ("  size_growth: lots\n", "m.yml:3:16: 'size_growth' must be a percentage like 10%, not 'lots'"),
      ("  duration_growth: 0.5\n", "m.yml:3:20: 'duration_growth' must be a factor of at least 1 like 2, not '0.5'"),
      ("  fail: [new-failure]\n", "m.yml:3:3: unknown key 'fail' in regressions; did you mean 'fail_on'?"),
    ] {
      #expect(throws: MatrixError.self) {
        try MatrixFile.parse(yaml: "matrix: {os: [linux]}\nregressions:\n" + bad, file: "m.yml")
      }
      do {
        _ = try MatrixFile.parse(yaml: "matrix: {os: [linux]}\nregressions:\n" + bad, file: "m.yml")
      } catch {
        #expect(error.description == said)
      }
    }
  }

  @Test func theCompilersABuildNamesAreFoundInItsScript() {
    let script = """
      case x in
        a) aarch64-linux-gnu-gcc -O2 x.c ;;
        b) python3 -m ziglang cc -target t x.c ;;
      esac
      CC=clang-16 make; GOARCH=arm64 /usr/lib/go/bin/go build . && echo gcc-made > out
      """
    #expect(
      Toolchains.named(in: ["bash", "-c", script])
        == ["aarch64-linux-gnu-gcc", "python3 -m ziglang", "clang-16", "/usr/lib/go/bin/go"])
    #expect(Toolchains.named(in: ["make", "CC=cc", "zig", "cc"]) == ["cc", "zig"])
    #expect(Toolchains.versionCommand("python3 -m ziglang") == ["python3", "-m", "ziglang", "version"])
    #expect(Toolchains.versionCommand("s390x-linux-gnu-gcc") == ["s390x-linux-gnu-gcc", "--version"])
    let old = Self.cell("c", toolchains: ["gcc": "gcc (Debian 12.2.0-14) 12.2.0"])
    let new = Self.cell("c", toolchains: ["gcc": "gcc (Debian 13.2.0-1) 13.2.0", "zig": "0.13.0"])
    let diff = ReportDiff(from: Self.report([old]), to: Self.report([new]))
    #expect(
      diff.changes.map(\.message) == [
        "gcc gcc (Debian 12.2.0-14) 12.2.0 → gcc (Debian 13.2.0-1) 13.2.0"
      ])
    #expect(diff.changes.first?.category == .toolchainChanged && diff.failures.isEmpty, "zig is new: no version moved")
  }

  /// A new qemu is a change of what ran the programs, shown as a toolchain change, not an
  /// environment one; its binfmt_misc registration is the host's environment.
  @Test func anEmulatorChangeIsAToolchainChange() {
    let old = Self.cell(
      "c", emulator: "qemu-aarch64 version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3), static-pie",
      binfmt: "/usr/libexec/qemu-binfmt/aarch64-binfmt-P, flags PF")
    let new = Self.cell(
      "c", emulator: "qemu-aarch64 version 9.2.0, static", binfmt: "/usr/bin/qemu-aarch64-static, flags POCF")
    let diff = ReportDiff(from: Self.report([old]), to: Self.report([new]))
    #expect(
      diff.changes.map { "\($0.category.rawValue): \($0.message)" } == [
        "toolchain-changed: emulator qemu-aarch64 version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3), static-pie →"
          + " qemu-aarch64 version 9.2.0, static",
        "environment-changed: binfmt /usr/libexec/qemu-binfmt/aarch64-binfmt-P, flags PF →"
          + " /usr/bin/qemu-aarch64-static, flags POCF",
      ])
  }

  /// Outputs compare with each report's cell folder read as `${cell.out}`; a step with per-test
  /// results is compared by those, not by its runner's output (which prints timings).
  @Test func outputsCompareWithoutTheirFolderAndTestedStepsByTheirTests() {
    func report(_ folder: String, _ output: String, tested: Bool) -> Report {
      let cell = Self.cell(
        "c", checks: tested ? [Finding(.test, .test(.run("greet"), "TestA"), .passed, "passed")] : [], output: output)
      var report = Self.report([cell])
      let definition = Cell(id: "c", values: [], target: cell.target, env: nil, out: folder + "/c")
      report.plan = .init(
        matrix: "m.yml", matrixBytes: Data(), filter: nil, shard: nil, planned: [definition], all: [definition])
      return report
    }
    let moved = ReportDiff(
      from: report("/a", "built in /a/c/build\n", tested: false),
      to: report("/b", "built in /b/c/build\n", tested: false))
    #expect(moved.changes.isEmpty, "\(moved.changes)")
    let timed = ReportDiff(
      from: report("/a", "TestA 0.05 sec\n", tested: true), to: report("/a", "TestA 0.04 sec\n", tested: true))
    #expect(timed.changes.isEmpty, "\(timed.changes)")
    let changed = ReportDiff(
      from: report("/a", "sum 1\n", tested: false), to: report("/b", "sum 2\n", tested: false))
    #expect(changed.changes.map(\.message) == [#"stdout changed (0 → 0 bytes): line 1 "sum 1" → "sum 2""#])
  }

  /// A rising GLIBCXX floor names its culprits as a GLIBC one does, from the symbols the report keeps
  /// for each floor version.
  @Test func everyFloorThatRisesNamesItsSymbols() {
    var old = BinaryFacts(path: "app", format: .elf)
    old.floors = ["GLIBC": "2.17", "GLIBCXX": "3.4.21"]
    var new = old
    new.floors = ["GLIBC": "2.17", "GLIBCXX": "3.4.32"]
    new.versionedSymbols = ["GLIBCXX_3.4.32": ["_ZSt21ios_base_library_initv"]]
    let changes = ReportDiff.floorChanges(old, new, cell: "c", artifact: "app")
    #expect(changes.map(\.message) == ["GLIBCXX floor 3.4.21 → 3.4.32 (_ZSt21ios_base_library_initv@GLIBCXX_3.4.32)"])
    #expect(changes.first?.culprits == ["_ZSt21ios_base_library_initv@GLIBCXX_3.4.32"])
  }
}
