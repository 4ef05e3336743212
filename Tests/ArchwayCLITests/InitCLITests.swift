import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `archway init` in someone else's project, outside Archway's checkout: a small C project with a
/// Makefile and a small Go module (ours, written here) each get a matrix that plans as written and
/// runs green on the seven linux targets, their own tests run on each; `file(1)` agrees on every
/// artifact's machine. Run by the archway `Scripts/install.sh --prefix` installed, with no Swift
/// toolchain on PATH, as on a maintainer's runner.
@Suite struct InitCLITests {
  static let machines = [
    "linux-amd64-gnu": "x86-64", "linux-386-gnu": "80386", "linux-arm64-gnu": "aarch64", "linux-arm-v7-gnu": "ARM,",
    "linux-riscv64-gnu": "RISC-V", "linux-ppc64le-gnu": "64-bit PowerPC", "linux-s390x-gnu": "IBM S/390",
  ]

  /// `archway init`, `plan` and `run` in `folder`; the report.
  static func initAndRun(in folder: String) async throws -> (String, Report) {
    let environment = await Fixtures.withoutSwift
    let swift = try await Command.run("/bin/sh", ["-c", "command -v swift || echo none"], environment: environment)
    #expect(swift.stdout == "none\n", "a Swift toolchain on PATH: \(swift.stdout)")
    let made = try await Command.run("archway", ["init"], environment: environment, workingDirectory: folder)
    #expect(made.status == 0, "\(made.stderr)")
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
    #expect(matrix.contains("make -C \"${cell.out}/src\" CC=${target.gcc_prefix}gcc"), "\(matrix)")
    #expect(matrix.contains("glibc_max: \(ProjectTemplate.hostGlibc)"))
    #expect(Set(report.cells.map(\.id)) == Set(Self.machines.keys))
    for cell in report.cells {
      #expect(cell.verdict == .passed, "\(cell.id): \(cell.findings.filter { $0.verdict != .passed })")
      #expect(cell.findings.contains { $0.kind == .glibcFloor && $0.verdict == .passed }, "\(cell.id)")
      #expect(cell.steps.contains { $0.name == "check" && $0.status == .exited(0) }, "make check ran")
      let artifact = try #require(cell.artifacts.first { $0.name == "hello" })
      let said = try await Oracle.file(artifact.path)
      #expect(said.contains(Self.machines[cell.id] ?? "?"), "\(cell.id): \(said)")
    }
    // A second init keeps the file; --force writes it again; a folder with no project is named.
    let again = try await Command.run(Fixtures.archway, ["init"], workingDirectory: folder)
    #expect(again.status == 2 && again.stderr.contains("archway.yml exists"), "\(again.stderr)")
    #expect(try await Command.run(Fixtures.archway, ["init", "--force"], workingDirectory: folder).status == 0)
    let empty = Fixtures.scratch("init-empty")
    let none = try await Command.run(Fixtures.archway, ["init"], workingDirectory: empty)
    #expect(none.status == 2 && none.stderr.contains("no go.mod, CMakeLists.txt or Makefile"), "\(none.stderr)")
  }

  @Test func aGoModuleGetsItsTestsRunOnSevenTargets() async throws {
    let folder = Fixtures.scratch("init-go")
    try Files.write(
      [
        "go.mod": "module example.com/adder\n\ngo 1.19\n",
        "main.go": """
        package main

        import "fmt"

        func Add(a, b int) int { return a + b }

        func main() { fmt.Println(Add(2, 3)) }

        """,
        "main_test.go": """
        package main

        import "testing"

        func TestAdd(t *testing.T) {
        \tif Add(2, 3) != 5 {
        \t\tt.Fatal("2 + 3")
        \t}
        }

        """,
      ], in: folder)
    let (matrix, report) = try await Self.initAndRun(in: folder)
    #expect(matrix.contains("adder: \"${cell.out}/adder\""), "\(matrix)")
    #expect(Set(report.cells.map(\.id)) == Set(Self.machines.keys))
    for cell in report.cells {
      #expect(cell.verdict == .passed, "\(cell.id): \(cell.findings.filter { $0.verdict != .passed })")
      let test = try #require(cell.steps.first { $0.name == "test" })
      #expect(test.stdoutHead.contains("ok  \texample.com/adder"), "the test ran: \(test.stdoutHead)")
      let artifact = try #require(cell.artifacts.first { $0.name == "adder" })
      await #expect(try Oracle.file(artifact.path).contains(Self.machines[cell.id] ?? "?"), "\(cell.id)")
    }
  }

  @Test func aCMakeProjectGetsCtestThroughArchwayExec() async throws {
    let folder = Fixtures.scratch("init-cmake")
    try Files.write(
      [
        "CMakeLists.txt": """
        cmake_minimum_required(VERSION 3.16)
        project(squares C)
        enable_testing()
        add_executable(squares squares.c)
        add_test(NAME nine COMMAND squares 3)

        """,
        "squares.c": """
        #include <stdio.h>
        #include <stdlib.h>
        int main(int argc, char **argv) { int n = argc > 1 ? atoi(argv[1]) : 0; printf("%d\\n", n * n); return n * n == 9 ? 0 : 1; }

        """,
      ], in: folder)
    let (matrix, report) = try await Self.initAndRun(in: folder)
    #expect(matrix.contains("-DCMAKE_CROSSCOMPILING_EMULATOR=${archway};exec;--target;${target.platform};--"))
    #expect(!matrix.contains("CMAKE_CXX_COMPILER"), "a C project names no C++ compiler")
    for cell in report.cells {
      #expect(cell.verdict == .passed, "\(cell.id): \(cell.findings.filter { $0.verdict != .passed })")
      #expect(
        cell.findings.contains { $0.title == "ctest › nine" && $0.verdict == .passed },
        "\(cell.id): \(cell.findings.map(\.title))")
      let artifact = try #require(cell.artifacts.first { $0.name == "squares" })
      await #expect(try Oracle.file(artifact.path).contains(Self.machines[cell.id] ?? "?"), "\(cell.id)")
    }
  }
}
