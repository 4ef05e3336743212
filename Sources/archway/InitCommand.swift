import ArchwayKit
import ArgumentParser
import Foundation

struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Write a first archway.yml for the project in this folder (Go, CMake or make).",
    discussion: """
      Looks for go.mod, then CMakeLists.txt, then a Makefile, and writes a matrix for the seven \
      linux targets with a glibc floor (2.31), a build in that project's idiom (Go's cross compiler; \
      CMake with the cross gcc and archway exec as its emulator; make with the cross gcc in a copy \
      of the project per target) and its own tests as a run step (go test -exec, ctest, make \
      check). The matrix is planned before it is written. An existing file is kept unless --force.

      Examples:
        archway init && archway plan && archway run
        archway init --language cmake --output ci/archway.yml
        archway init --dry-run | less
      """
  )

  @Option(help: "The project's kind: go, cmake, make (or c); found from its files when not given.")
  var language: ProjectTemplate.Kind?

  @Option(help: "Where to write the matrix.")
  var output = "archway.yml"

  @Flag(help: "Replace an existing file.")
  var force = false

  @Flag(help: "Print the matrix instead of writing it.")
  var dryRun = false

  func run() throws {
    let folder = FileManager.default.currentDirectoryPath
    guard let kind = language ?? ProjectTemplate.detect(in: folder) else {
      throw CommandFailure(
        message: "no go.mod, CMakeLists.txt or Makefile in \(folder); give --language go, cmake or make")
    }
    let exists = FileManager.default.fileExists(atPath: output)
    if exists, !force, !dryRun {
      throw CommandFailure(message: "\(output) exists; keep it, or write over it with --force")
    }
    let text = ProjectTemplate.matrix(
      for: kind, in: folder, schema: ProjectTemplate.schema(for: PathText.absolute(output, from: folder)))
    let cells: [Cell]
    do {
      let file = try MatrixFile.parse(yaml: text, file: output)
      cells = try Planner(host: HostProbe.platform()).plan(file)
    } catch {
      throw CommandFailure(message: "the matrix archway init made does not plan (a bug): \(error)", code: 1)
    }
    if dryRun {
      print(text, terminator: "")
      let kept = exists && !force ? "; it exists, and init keeps it without --force" : ""
      Output.error(
        "would write \(output): a \(kind.rawValue) project, \(cells.count) cells (--dry-run: nothing written\(kept))")
      return
    }
    do {
      try AtomicFile.write(Data(text.utf8), to: output)
    } catch {
      throw CommandFailure(message: "cannot write \(output): \(error)", code: 1)
    }
    print(
      "wrote \(output): a \(kind.rawValue) project, \(cells.count) cells; next: archway plan \(output), archway run \(output)"
    )
  }
}

extension ProjectTemplate.Kind: ExpressibleByArgument {}
