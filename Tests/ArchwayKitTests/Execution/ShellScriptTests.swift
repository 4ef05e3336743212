import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// Every shell script Archway runs, and every one the repository ships, passes shellcheck (warnings
/// and errors; its notes are left out): the runners' scripts as the kit holds them, a container
/// step's generated script, and Scripts/, Benchmarks/ and .ci/run.
@Suite struct ShellScriptTests {
  static let kitScripts: [(String, String)] = [
    ("rootfs", RootfsRunner.rootfsScript),
    ("container-server", ContainerSession.server),
    ("container-client", ContainerSession.client),
    ("fingerprint", Fingerprint.limitsProbe),
    ("image-import", EnvironmentStore.importScript),
  ]

  @Test(arguments: kitScripts.map(\.0))
  func theKitsScriptsPassShellcheck(name: String) async throws {
    let script = try #require(Self.kitScripts.first { $0.0 == name }?.1)
    let path = Fixtures.scratch("shellcheck-" + name) + "/script.sh"
    try ("#!/bin/sh\n" + script + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    let result = try await Command.run("shellcheck", ["--shell=sh", "--severity=warning", path])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
  }

  /// What the container client writes for a step (variables, a folder, limits) is valid sh too, for
  /// values full of quotes and spaces.
  @Test func aContainerStepsScriptPassesShellcheck() async throws {
    let folder = Fixtures.scratch("shellcheck-step")
    let session = ContainerSession(engine: "podman", id: "", folder: folder)
    let argv = session.exec(
      ["prog", "it's", "a \"b\"", "$HOME"], environment: ["X": "a'b c", "Y": "$(no)"], workdir: "/w d/'x'",
      limits: ["--nofile=64:64"], stdin: false)
    let step = try #require(argv.dropLast().last)
    let script = try String(contentsOfFile: "\(folder)/\(step)/run.sh", encoding: .utf8)
    try ("#!/bin/sh\n" + script).write(toFile: folder + "/run-check.sh", atomically: true, encoding: .utf8)
    let result = try await Command.run("shellcheck", ["--shell=sh", "--severity=warning", folder + "/run-check.sh"])
    #expect(result.status == 0, "\(result.stdout)\(script)")
  }

  /// The build scripts `archway init` writes, as a cell runs them (placeholders filled), pass
  /// shellcheck for every kind of project: a user's first matrix should not teach them warnings.
  @Test(arguments: [ProjectTemplate.Kind.go, .cmake, .meson, .autotools, .make])
  func theScriptsInitWritesPassShellcheck(kind: ProjectTemplate.Kind) async throws {
    let folder = Fixtures.scratch("shellcheck-init-\(kind.rawValue)")
    try Files.write(
      [
        "go.mod": "module example.com/c\n", "c.go": "package c\n\n// #include <stdlib.h>\nimport \"C\"\n",
        "c_test.go": "package c\n", "Makefile.am": "bin_PROGRAMS = c\n", "configure.ac": "AC_INIT([c], [1])\n",
        "Makefile": "all: c\ncheck:\n", "CMakeLists.txt": "add_executable(c c.c)\n",
        "meson.build": "executable('c', 'c.c')\n",
      ], in: folder)
    let text = await ProjectTemplate.matrix(for: kind, in: folder, schema: nil).text
    var planner = Planner(host: HostProbe.platform())
    planner.directory = folder
    planner.outputRoot = folder + "/archway-out"
    for cell in try planner.plan(try MatrixFile.parse(yaml: text, file: folder + "/archway.yml")).prefix(7) {
      let scripts = ([cell.steps.build?.argv] + cell.steps.run.map { $0.command.argv }).compactMap { argv in
        argv.flatMap { $0.count == 4 && $0[0] == "sh" ? $0[3] : nil }
      }
      #expect(!scripts.isEmpty)
      for (index, script) in scripts.enumerated() {
        let path = folder + "/\(cell.id)-\(index).sh"
        try ("#!/bin/sh\nset -e\n" + script + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await Command.run("shellcheck", ["--shell=sh", "--severity=warning", path])
        #expect(result.status == 0, "\(kind) \(cell.id): \(result.stdout)")
      }
    }
  }

  @Test func theRepositorysScriptsPassShellcheck() async throws {
    let folders = ["Scripts", "Benchmarks"].map { Fixtures.root + "/" + $0 }
    let scripts =
      try folders.flatMap { folder in
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sh") }.map {
          folder + "/" + $0
        }
      } + [Fixtures.root + "/.ci/run"]
    #expect(scripts.count >= 6)
    let result = try await Command.run("shellcheck", ["--severity=warning"] + scripts.sorted())
    #expect(result.status == 0, "\(result.stdout)")
  }
}
