import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `archway init` in someone else's project, outside Archway's checkout: three real projects from
/// Debian's archive (cjson with CMake, libyaml with autotools, go-sysconf with cgo; fetched by
/// `Scripts/fetch-projects.sh`) and a small make project of ours each get a matrix that plans as
/// written and, with no hand edit, runs green on the seven linux targets behind the 2.28 glibc gate,
/// their own tests run on each as results of their own; `file(1)` agrees on every artifact's
/// machine. A floor planted above the gate fails. Run by the archway `Scripts/install.sh --prefix`
/// installed, with no Swift toolchain on PATH, as on a maintainer's runner. One project at a time:
/// each keeps both cores busy for minutes (side by side, FaultTests' two-minute limit once ran out).
@Suite(.serialized) struct InitCLITests {
  static let machines = [
    "linux-amd64-gnu": "x86-64", "linux-386-gnu": "80386", "linux-arm64-gnu": "aarch64", "linux-arm-v7-gnu": "ARM,",
    "linux-riscv64-gnu": "RISC-V", "linux-ppc64le-gnu": "64-bit PowerPC", "linux-s390x-gnu": "IBM S/390",
  ]

  /// What `file` says of the machine of cell `id` (`linux-arm-v7-gnu-2.28-armv7+neon`).
  static func machine(_ id: String) -> String {
    machines.first { id.hasPrefix($0.key + "-") }?.value ?? "no machine for \(id)"
  }

  /// The seven targets, each once, behind the glibc gate.
  static func expectSevenGated(_ report: Report) {
    #expect(report.cells.count == 7)
    #expect(
      Set(report.cells.map { id in machines.keys.first { id.id.hasPrefix($0 + "-2.28") } ?? id.id })
        == Set(machines.keys), "\(report.cells.map(\.id))")
  }

  /// `archway init`, `plan` and `run` in `folder`; the report.
  static func initAndRun(in folder: String, _ options: [String] = []) async throws -> (String, Report) {
    let environment = await Fixtures.withoutSwift
    let swift = try await Command.run("/bin/sh", ["-c", "command -v swift || echo none"], environment: environment)
    #expect(swift.stdout == "none\n", "a Swift toolchain on PATH: \(swift.stdout)")
    let made = try await Command.run("archway", ["init"] + options, environment: environment, workingDirectory: folder)
    #expect(made.status == 0, "\(made.stderr)")
    #expect(made.stdout.contains("glibc gate 2.28"), "init names the gate: \(made.stdout)")
    let matrix = try String(contentsOfFile: folder + "/archway.yml", encoding: .utf8)
    let plan = try await Command.run(
      "archway", ["plan", "--json"], environment: environment, workingDirectory: folder)
    #expect(plan.status == 0, "\(plan.stderr)\n\(matrix)")
    let ready = try await Command.run(
      "archway", ["setup", "--check"], environment: environment, workingDirectory: folder)
    #expect(ready.status == 0, "\(ready.stdout)\(ready.stderr)")
    let run = try await Command.run(
      "archway", ["run", "--jobs", "2"], environment: environment, workingDirectory: folder)
    #expect(run.status == 0, "\(run.stderr)\n\(matrix)")
    return (matrix, try Reports.read(folder + "/archway-out/report.json"))
  }

  /// Issue 37: `init --dry-run` shows the matrix and writes nothing; the matrix holds no path of
  /// this machine (it wrote the installed schema's absolute path, which a fresh clone lacks).
  @Test func aDryRunWritesNothingAndTheMatrixNamesNoPathOfThisMachine() async throws {
    let folder = Fixtures.scratch("init-dry")
    try Files.write(
      ["go.mod": "module example.com/dry\n\ngo 1.21\n", "main.go": "package main\n\nfunc main() {}\n"], in: folder)
    let dry = try await Command.run(Fixtures.archway, ["init", "--dry-run"], workingDirectory: folder)
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout.contains("matrix:\n  platform: [linux/amd64"), "\(dry.stdout)")
    #expect(!FileManager.default.fileExists(atPath: folder + "/archway.yml"), "a dry run wrote the file")
    #expect(dry.stderr.contains("would write archway.yml"), "\(dry.stderr)")
    for line in dry.stdout.split(separator: "\n") where line.contains("/") {
      #expect(!line.contains(Fixtures.root) && !line.contains("$schema=/"), "a path of this machine: \(line)")
    }
  }

  @Test func aMakefileProjectGetsAMatrixThatPassesOnSevenTargets() async throws {
    let folder = Fixtures.scratch("init-make")
    try Files.write(
      [
        "hello.c": "#include <stdio.h>\nint main(void) { puts(\"hello from C\"); return 0; }\n",
        "Makefile": """
        CC ?= cc
        all: hello
        hello: hello.c
        \t$(CC) -O2 -o $@ hello.c
        check: hello
        \t./hello | grep -q '^hello from C$$'
        clean:
        \trm -f hello
        .PHONY: all check clean

        """,
      ], in: folder)
    let (matrix, report) = try await Self.initAndRun(in: folder)
    #expect(matrix.contains("make -C \"${cell.out}/src\" CC=\"$CC\""), "\(matrix)")
    #expect(matrix.contains("libc: [gnu-2.28]"))
    Self.expectSevenGated(report)
    for cell in report.cells {
      #expect(cell.verdict == .passed, "\(cell.id): \(cell.findings.filter { $0.verdict != .passed })")
      #expect(cell.findings.contains { $0.kind == .glibcFloor && $0.verdict == .passed }, "\(cell.id)")
      #expect(cell.steps.contains { $0.name == "check" && $0.status == .exited(0) }, "make check ran")
      let artifact = try #require(cell.artifacts.first { $0.name == "hello" })
      let said = try await Oracle.file(artifact.path)
      #expect(said.contains(Self.machine(cell.id)), "\(cell.id): \(said)")
    }
    // A floor above the gate fails: a Makefile that hard-codes this host's gcc (glibc 2.36, whose
    // start files need GLIBC_2.34) builds past zig, and the glibc check names both sides.
    let makefile = try String(contentsOfFile: folder + "/Makefile", encoding: .utf8)
    try ("override CC = gcc\n" + makefile).write(toFile: folder + "/Makefile", atomically: true, encoding: .utf8)
    let planted = try await Command.run(
      Fixtures.archway, ["run", "--filter", "platform=linux/amd64"], workingDirectory: folder)
    #expect(planted.status == 1, "\(planted.stderr)")
    let gated = try Reports.read(folder + "/archway-out/report.json").cells.first?.findings.first {
      $0.kind == .glibcFloor
    }
    #expect(gated?.verdict == .failed, "\(String(describing: gated))")
    #expect(
      gated?.message.contains("GLIBC_2.34") == true && gated?.message.contains("2.28") == true,
      "\(gated?.message ?? "")")
    try makefile.write(toFile: folder + "/Makefile", atomically: true, encoding: .utf8)
    // A second init keeps the file; --force writes it again; a folder with no project is named.
    let again = try await Command.run(Fixtures.archway, ["init"], workingDirectory: folder)
    #expect(again.status == 2 && again.stderr.contains("archway.yml exists"), "\(again.stderr)")
    #expect(try await Command.run(Fixtures.archway, ["init", "--force"], workingDirectory: folder).status == 0)
    let empty = Fixtures.scratch("init-empty")
    let none = try await Command.run(Fixtures.archway, ["init"], workingDirectory: empty)
    #expect(
      none.status == 2 && none.stderr.contains("no go.mod, CMakeLists.txt, meson.build, configure.ac or Makefile"),
      "\(none.stderr)")
  }

  /// A copy of the real project `name` that `Scripts/fetch-projects.sh` fetched, in a scratch folder.
  static func project(_ name: String) throws -> String {
    let source = Fixtures.root + "/.build-projects/" + name
    guard FileManager.default.fileExists(atPath: source) else {
      throw ProjectMissing(description: "\(source) is missing: run Scripts/fetch-projects.sh (Scripts/test.sh does)")
    }
    let folder = Fixtures.scratch("init-" + name)
    try FileManager.default.removeItem(atPath: folder)
    try FileManager.default.copyItem(atPath: source, toPath: folder)
    return folder
  }

  struct ProjectMissing: Error, CustomStringConvertible { let description: String }

  /// Each cell of `report` passed, ran at least `tests` tests of step `step` one by one, and checked
  /// artifact `artifact` against the gate: `file` names its machine, and its glibc check passed.
  static func expectGreen(_ report: Report, step: String, tests: Int, artifact: String) async throws {
    expectSevenGated(report)
    for cell in report.cells {
      #expect(cell.verdict == .passed, "\(cell.id): \(cell.findings.filter { $0.verdict != .passed })")
      let ran = cell.findings.filter { $0.kind == .test && $0.title.hasPrefix(step + " › ") }
      #expect(ran.count >= tests, "\(cell.id): \(ran.count) tests of \(step): \(cell.findings.map(\.title))")
      let found = try #require(
        cell.artifacts.first { $0.name == artifact }, "\(cell.id): \(cell.artifacts.map(\.name))")
      await #expect(try Oracle.file(found.path).contains(Self.machine(cell.id)), "\(cell.id)")
      // pyelftools agrees the artifact keeps to the gate: its newest GLIBC_ version need is at most 2.28.
      let floor = try await Oracle.facts([found.path])[found.path]?["glibc_floor"] as? String
      #expect(
        floor.map { DottedVersion($0)! <= DottedVersion("2.28")! } ?? true, "\(cell.id): needs GLIBC_\(floor ?? "")")
      #expect(
        cell.findings.contains { $0.kind == .glibcFloor && $0.subject == .artifact(artifact) && $0.verdict == .passed },
        "\(cell.id): \(cell.findings.filter { $0.kind == .glibcFloor })")
    }
  }

  /// Debian's go-sysconf, whose cgotest package compares it with the C library's `sysconf()` by
  /// cgo: built with zig's C compiler against glibc 2.28, both packages' tests run through
  /// test2json on each target. A cgo call to a symbol newer than the gate (`arc4random_buf`, glibc
  /// 2.36) then fails the build at link time, naming the symbol.
  @Test func aCgoLibraryFromDebianRunsItsTestsOnSevenTargets() async throws {
    let folder = try Self.project("go-sysconf")
    let (matrix, report) = try await Self.initAndRun(in: folder)
    #expect(matrix.contains("CGO_ENABLED=1"), "\(matrix)")
    try await Self.expectGreen(report, step: "cgotest", tests: 1, artifact: "cgotest.test")
    for cell in report.cells {
      #expect(cell.findings.filter { $0.title.hasPrefix("go-sysconf › ") }.count >= 4, "\(cell.id)")
    }
    try Files.write(
      [
        "cgotest/planted.go": """
        package sysconf_cgotest

        // #include <stddef.h>
        // void arc4random_buf(void *, size_t);
        import "C"
        import "unsafe"

        func fill(b []byte) { C.arc4random_buf(unsafe.Pointer(&b[0]), C.size_t(len(b))) }

        """
      ], in: folder)
    let planted = try await Command.run(
      "archway", ["run", "--filter", "platform=linux/arm64"], environment: await Fixtures.withoutSwift,
      workingDirectory: folder)
    #expect(planted.status == 1, "\(planted.stderr)")
    #expect(planted.stderr.contains("undefined symbol: arc4random_buf"), "the link names the symbol: \(planted.stderr)")
  }

  /// Examples/cmake as a Meson project (`--language meson`; it has a CMakeLists.txt too): a cross
  /// file per target with archway exec as meson test's exe_wrapper. On s390x its planted byte-order
  /// bug fails `test › words`, named, while `known` and `sum` pass.
  @Test func aMesonProjectRunsItsTestsThroughTheWrapper() async throws {
    let folder = Fixtures.scratch("init-meson")
    try FileManager.default.removeItem(atPath: folder)
    try FileManager.default.copyItem(atPath: Fixtures.root + "/Examples/cmake", toPath: folder)
    try FileManager.default.removeItem(atPath: folder + "/archway.yml")
    let environment = await Fixtures.withoutSwift
    let made = try await Command.run(
      "archway", ["init", "--language", "meson"], environment: environment, workingDirectory: folder)
    #expect(made.status == 0 && made.stdout.contains("a meson project"), "\(made.stdout)\(made.stderr)")
    let run = try await Command.run(
      "archway", ["run", "--filter", "platform=linux/s390x"], environment: environment, workingDirectory: folder)
    #expect(run.status == 1, "\(run.stderr)")
    let cell = try #require(try Reports.read(folder + "/archway-out/report.json").cells.first)
    let verdicts = Dictionary(
      cell.findings.filter { $0.kind == .test }.map { ($0.title, $0.verdict) }, uniquingKeysWith: { first, _ in first })
    #expect(verdicts == ["test › known": .passed, "test › words": .failed, "test › sum": .passed], "\(verdicts)")
    let artifact = try #require(cell.artifacts.first { $0.name == "crc32sum" })
    await #expect(try Oracle.file(artifact.path).contains("IBM S/390"))
  }

  /// Debian's cjson: CMake puts its library in the build folder's root and its tests in `tests/`;
  /// the file API gives init the library (the target cjson installs), and ctest's 19 tests run on
  /// each target through archway exec.
  @Test func aCMakeLibraryFromDebianRunsItsTestsOnSevenTargets() async throws {
    let folder = try Self.project("cjson")
    let (matrix, report) = try await Self.initAndRun(in: folder)
    #expect(matrix.contains("    cjson: \"${cell.out}/build/libcjson.so\""), "\(matrix)")
    try await Self.expectGreen(report, step: "ctest", tests: 15, artifact: "cjson")
  }

  /// Debian's libyaml (autotools, with a CMakeLists.txt beside: `--language autotools` picks the
  /// build Debian uses): autoreconf, configure --host with zig, make install, and make check's two
  /// tests read from automake's harness, on each target.
  @Test func anAutotoolsLibraryFromDebianRunsMakeCheckOnSevenTargets() async throws {
    let folder = try Self.project("libyaml")
    let (matrix, report) = try await Self.initAndRun(in: folder, ["--language", "autotools"])
    #expect(matrix.contains("    autoreconf -fi"), "\(matrix)")
    try await Self.expectGreen(report, step: "check", tests: 2, artifact: "libyaml")
  }
}
