import ArchwayKit
import ArgumentParser
import Foundation

struct InitCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Write a first archway.yml for the project in this folder (Go, CMake, Meson, autotools, make).",
    discussion: """
      Looks for go.mod, then CMakeLists.txt, meson.build, configure.ac, a Makefile, and writes a \
      matrix for the seven linux targets behind a glibc gate of 2.28 (RHEL 8 and manylinux_2_28, \
      the oldest glibc in full maintenance: libc: gnu-2.28), a build in that project's idiom and its \
      own tests as run steps, each test a result of its own:
        go         go test -c per package, run by go tool test2json (cgo: zig)
        cmake      zig, archway exec as the emulator, ctest's JUnit; artifacts
                   from CMake's file API (a configure on this host)
        meson      a cross file with zig and archway exec as exe_wrapper, meson
                   test's JUnit; artifacts from meson introspect
        autotools  configure --host with zig, make install, make check
        make       zig in a copy of the project per target, make check or test

      C builds use zig's compilers (python3 -m ziglang; archway setup installs \
      it), which link against the gate's glibc. The matrix is planned before it is written; \
      init prints the gate and what it found or guessed. An existing file is \
      kept unless --force.

      Examples:
        archway init && archway setup && archway run
        archway init --language cmake --output ci/archway.yml
        archway init --dry-run | less
      """
  )

  @Option(help: "The project's kind: go, cmake, meson, autotools, make (or c); found from its files when not given.")
  var language: ProjectTemplate.Kind?

  @Option(help: "Where to write the matrix.")
  var output = "archway.yml"

  @Flag(help: "Replace an existing file.")
  var force = false

  @Flag(help: "Print the matrix instead of writing it.")
  var dryRun = false

  func run() async throws {
    let folder = FileManager.default.currentDirectoryPath
    guard let kind = language ?? ProjectTemplate.detect(in: folder) else {
      throw CommandFailure(
        message:
          "no go.mod, CMakeLists.txt, meson.build, configure.ac or Makefile in \(folder); give --language go,"
          + " cmake, meson, autotools or make"
      )
    }
    let exists = FileManager.default.fileExists(atPath: output)
    if exists, !force, !dryRun {
      throw CommandFailure(message: "\(output) exists; keep it, or write over it with --force")
    }
    let made = await ProjectTemplate.matrix(
      for: kind, in: folder, schema: ProjectTemplate.schema(for: PathText.absolute(output, from: folder)))
    let text = made.text
    let cells: [Cell]
    do {
      let file = try MatrixFile.parse(yaml: text, file: output)
      cells = try Planner(host: HostProbe.platform()).plan(file)
    } catch {
      throw CommandFailure(message: "the matrix archway init made does not plan (a bug): \(error)", code: 1)
    }
    if dryRun {
      print(text, terminator: "")
      for note in made.notes { Output.error(note) }
      let kept = exists && !force ? "; it exists, and init keeps it without --force" : ""
      Output.error(
        "would write \(output): \(kind.article) \(kind.rawValue) project, \(cells.count) cells (--dry-run: nothing written\(kept))"
      )
      return
    }
    do {
      try AtomicFile.write(Data(text.utf8), to: output)
    } catch {
      throw CommandFailure(message: "cannot write \(output): \(error)", code: 1)
    }
    print("wrote \(output): \(kind.article) \(kind.rawValue) project, \(cells.count) cells")
    for note in made.notes { print("  \(note)") }
    print("next: archway setup \(output) (installs what it needs: zig, qemu, sysroots), archway run \(output)")
  }
}

extension ProjectTemplate.Kind: ExpressibleByArgument {
  /// `a` or `an`, for the kind's name.
  var article: String { self == .autotools ? "an" : "a" }
}
