import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// The matrix `archway init` writes for a make project names as artifacts only files the build
/// makes: a `.PHONY` target (lz4's `all: allmost examples manuals build_tests`) is no file, and
/// naming it failed every cell with a missing artifact.
@Suite struct ProjectTemplateTests {
  static func matrix(makefile: String, _ name: String = #function) async throws -> String {
    let folder = Fixtures.scratch("template-" + name.prefix { $0 != "(" })
    try makefile.write(toFile: folder + "/Makefile", atomically: true, encoding: .utf8)
    return await ProjectTemplate.matrix(for: .make, in: folder, schema: nil).text
  }

  @Test func phonyTargetsAreNotArtifacts() async throws {
    let text = try await Self.matrix(
      makefile: """
        .PHONY: default
        default: lib-release lz4-release
        .PHONY: all
        all: allmost examples manuals build_tests
        .PHONY: allmost examples
        allmost: lib lz4
        .PHONY: manuals build_tests check
        check:
        \tmake -C tests test

        """)
    #expect(
      !text.contains("    allmost:") && !text.contains("    examples:") && !text.contains("build_tests:"), "\(text)")
    #expect(text.contains("# artifacts: {NAME:"), "\(text)")
    #expect(text.contains("- name: check"))
  }

  @Test func realProgramsBesidePhonyOnesStay() async throws {
    let text = try await Self.matrix(
      makefile: """
        all: hello docs tool
        .PHONY: all docs clean
        hello: hello.c
        \t$(CC) -o $@ hello.c

        """)
    #expect(text.contains("    hello: \"${cell.out}/src/hello\""), "\(text)")
    #expect(text.contains("    tool: \"${cell.out}/src/tool\""), "\(text)")
    #expect(!text.contains("    docs:"), "\(text)")
  }
}

/// What `init` reads of a project to write its matrix: Go packages with tests and cgo, CMake's
/// file API, automake's installed programs and libraries; and the glibc gate every kind gets.
@Suite struct ProjectReadingTests {
  /// Issue 37: a cgo package is found (and built with zig, not CGO_ENABLED=0); a package whose cgo
  /// is for darwin alone, `vendor/`, `testdata/`, `_examples/` and a nested module are not packages
  /// of this module; each package with tests gets its test binary as an artifact and a step of its
  /// own run in its folder.
  @Test func goPackagesCgoAndTestsAreFound() async throws {
    let folder = Fixtures.scratch("template-go-cgo")
    let cgo = "package store\n\n// #include <stdlib.h>\nimport \"C\"\n\nfunc Free() { C.free(nil) }\n"
    try Files.write(
      [
        "go.mod": "module example.com/store\n\ngo 1.19\n",
        "store/store.go": cgo, "store/store_test.go": "package store\n",
        "mac/mac_darwin.go": cgo.replacingOccurrences(of: "store", with: "mac"), "mac/mac.go": "package mac\n",
        "plain/plain.go": "//go:build darwin || freebsd\n\n" + cgo.replacingOccurrences(of: "store", with: "plain"),
        "cmd/storectl/main.go": "package main\n\nfunc main() {}\n",
        "store/gen.go": "//go:build ignore\n\npackage main\n\nfunc main() {}\n",
        "vendor/x/x.go": cgo, "vendor/x/x_test.go": "package x\n", "testdata/t/t_test.go": "package t\n",
        "_examples/e/e_test.go": "package e\n", "nested/go.mod": "module example.com/nested\n",
        "nested/n/n_test.go": "package n\n",
      ], in: folder)
    let packages = ProjectTemplate.goPackages(in: folder)
    #expect(packages.map(\.path) == ["mac", "store", "cmd/storectl"], "plain's one file is for darwin and freebsd")
    #expect(packages.filter(\.usesCgo).map(\.path) == ["store"])
    let text = await ProjectTemplate.matrix(for: .go, in: folder, schema: nil).text
    #expect(text.contains("CGO_ENABLED=1") && text.contains("run=\"$tool -target ${target.zig} $flags\""), "\(text)")
    #expect(text.contains("go build -o \"${cell.out}/storectl\" ./cmd/storectl"), "a generator is no program: \(text)")
    #expect(text.contains("go test -c -o \"${cell.out}/tests/store.test\" ./store"), "\(text)")
    #expect(
      text.contains(
        "  - name: store\n    argv: [go, tool, test2json, -t, \"${artifact:store.test}\", -test.v]\n    workdir: store\n    tests: {format: go-test-json}"
      ), "\(text)")
    let cells = try Planner(host: HostProbe.platform()).plan(try MatrixFile.parse(yaml: text, file: "archway.yml"))
    #expect(cells.count == 7)
    #expect(cells.allSatisfy { $0.verify.glibcMax?.description == ProjectTemplate.glibcGate }, "the gate")
    #expect(cells.first { $0.target.platform.description == "linux/arm/v7" }?.target.cpu?.name == "armv7+neon")
  }

  /// A module without cgo builds static programs, with no zig and no arm CPU above the baseline.
  @Test func aGoModuleWithoutCgoNeedsNoZig() async throws {
    let folder = Fixtures.scratch("template-go-plain")
    try Files.write(
      ["go.mod": "module example.com/p\n", "p.go": "package p\n", "p_test.go": "package p\n"], in: folder)
    let text = await ProjectTemplate.matrix(for: .go, in: folder, schema: nil).text
    #expect(text.contains("CGO_ENABLED=0") && !text.contains("ziglang") && !text.contains("cpu:"), "\(text)")
    #expect(text.contains("go test -c -o \"${cell.out}/tests/p.test\" .\n"), "\(text)")
  }

  /// The oracle for a build system's model: `command` builds the project on this host into
  /// `folder/build`, and every target the model named is there.
  static func expectBuilt(_ targets: [BuildModel.Target], by command: String, in folder: String) async throws {
    let built = try await Command.run("/bin/sh", ["-c", command + " >/dev/null"], workingDirectory: folder)
    #expect(built.status == 0, "\(built.stderr)")
    for target in targets {
      #expect(FileManager.default.fileExists(atPath: "\(folder)/build/\(target.path)"), "\(target.path) was not built")
    }
  }

  /// The artifacts of a CMake project are the paths CMake's file API gives, the installed targets
  /// first; built on this host, each is there (the oracle: the build itself), though the library
  /// lies in a sub-folder that `add_library`'s name alone never says.
  @Test func cmakeArtifactsComeFromItsFileAPI() async throws {
    let folder = Fixtures.scratch("template-cmake-api")
    try Files.write(
      [
        "CMakeLists.txt": """
        cmake_minimum_required(VERSION 3.16)
        project(words C)
        enable_testing()
        add_subdirectory(lib)
        add_subdirectory(tests)
        add_executable(wordcount main.c)
        target_link_libraries(wordcount words)
        install(TARGETS wordcount words)

        """,
        "lib/CMakeLists.txt": "add_library(words SHARED words.c)\n",
        "lib/words.c": "int words(const char *s) { return s != 0; }\n",
        "tests/CMakeLists.txt": "add_executable(words_test t.c)\nadd_test(NAME t COMMAND words_test)\n",
        "tests/t.c": "int main(void) { return 0; }\n",
        "main.c": "int words(const char *); int main(void) { return !words(\"a\"); }\n",
      ], in: folder)
    let model = await BuildModel.cmake(project: folder)
    guard case .targets(let targets) = model else {
      Issue.record("no model: \(model)")
      return
    }
    #expect(Set(targets.filter(\.installed).map(\.path)) == ["wordcount", "lib/libwords.so"], "\(targets)")
    try await Self.expectBuilt(targets, by: "cmake -S . -B build && cmake --build build", in: folder)
    let text = await ProjectTemplate.matrix(for: .cmake, in: folder, schema: nil)
    #expect(text.text.contains("    words: \"${cell.out}/build/lib/libwords.so\""), "\(text.text)")
    #expect(!text.text.contains("words_test:"), "a test program is not what ships when something is installed")
    #expect(text.notes.contains { $0.contains("file API") }, "\(text.notes)")
  }

  /// A Meson project's artifacts are what `meson introspect` lists (Examples/cmake's meson.build:
  /// nothing installed, so the program outside tests), each built there by `meson compile` on this
  /// host; its matrix's compilers answer Meson 1.0's probes, which other kinds' need not.
  @Test func mesonArtifactsComeFromIntrospect() async throws {
    let folder = Fixtures.scratch("template-meson")
    try FileManager.default.removeItem(atPath: folder)
    try FileManager.default.copyItem(atPath: Fixtures.root + "/Examples/cmake", toPath: folder)
    guard case .targets(let targets) = await BuildModel.meson(project: folder) else {
      Issue.record("no targets")
      return
    }
    #expect(Set(targets.map(\.path)) == ["crc32sum", "test_known", "test_words"], "a static library is no artifact")
    try await Self.expectBuilt(targets, by: "meson setup build && meson compile -C build", in: folder)
    let made = await ProjectTemplate.matrix(for: .meson, in: folder, schema: nil)
    #expect(made.text.contains("    crc32sum: \"${cell.out}/build/crc32sum\"\nrun:"), "\(made.text)")
    #expect(made.text.contains("exe_wrapper = ['${archway}', 'exec', '--target', '${target.platform}', '--']"))
    #expect(made.text.contains("-Wl,--version"), "Meson's linker probe is answered")
    let cmake = await ProjectTemplate.matrix(for: .cmake, in: folder, schema: nil)
    #expect(!cmake.text.contains("-Wl,--version"), "only Meson's matrix carries Meson's workarounds")
    #expect(ProjectTemplate.detect(in: folder) == .cmake, "CMakeLists.txt comes first")
  }

  /// A CMake project that does not configure here gets guessed paths, and init says so.
  @Test func aCMakeProjectThatDoesNotConfigureIsGuessedAndSaidSo() async throws {
    let folder = Fixtures.scratch("template-cmake-broken")
    try Files.write(
      [
        "CMakeLists.txt":
          "cmake_minimum_required(VERSION 3.16)\nproject(x C)\nadd_executable(tool t.c)\nmessage(FATAL_ERROR \"no\")\n"
      ],
      in: folder)
    let made = await ProjectTemplate.matrix(for: .cmake, in: folder, schema: nil)
    #expect(made.text.contains("    tool: \"${cell.out}/build/tool\""), "\(made.text)")
    #expect(made.notes.contains { $0.contains("guessed") }, "\(made.notes)")
  }

  /// An autotools project is found by its configure.ac; the programs and libtool libraries its
  /// Makefile.am files install are its artifacts at their installed paths; without a configure
  /// script the build runs autoreconf first.
  @Test func autotoolsArtifactsAreWhatMakefileAmInstalls() async throws {
    let folder = Fixtures.scratch("template-autotools")
    try Files.write(
      [
        "configure.ac": "AC_INIT([y], [1])\n", "Makefile.am": "SUBDIRS = src tests\n",
        "src/Makefile.am":
          "lib_LTLIBRARIES = libyaml.la\nbin_PROGRAMS = yamlcat \\\n  yamllint\nnoinst_PROGRAMS = helper\n",
        "tests/Makefile.am": "check_PROGRAMS = t\nTESTS = t\n",
      ], in: folder)
    #expect(ProjectTemplate.detect(in: folder) == .autotools)
    let made = await ProjectTemplate.matrix(for: .autotools, in: folder, schema: nil)
    for line in [
      "    libyaml: \"${cell.out}/root/usr/lib/libyaml.so\"", "    yamlcat: \"${cell.out}/root/usr/bin/yamlcat\"",
      "    yamllint: \"${cell.out}/root/usr/bin/yamllint\"", "    autoreconf -fi",
      "    ./configure --host=${target.multiarch} --prefix=/usr", "    tests: {format: automake}",
    ] {
      #expect(made.text.contains(line), "\(line)\n\(made.text)")
    }
    #expect(!made.text.contains("helper"), "\(made.text)")
  }
}
