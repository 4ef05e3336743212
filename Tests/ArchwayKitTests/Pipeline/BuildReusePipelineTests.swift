import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// `run --reuse` of a cell whose build names its `inputs:`, against the fake runner: when its key
/// equals the earlier cell's in every part a build does not make, the build is not run; its files
/// are copied from the earlier cell's folder, each checked against the earlier key. Any one part
/// that differs, or an earlier file that is not what that key says, builds again.
@Suite struct BuildReusePipelineTests {
  typealias Run = ReusePipelineTests

  /// ``ReusePipelineTests/matrix(folder:step:verify:)`` with `build: {inputs: [INPUTS]}`.
  static func matrix(folder: String, inputs: String? = "src", step: String = "") -> String {
    let yaml = Run.matrix(folder: folder, step: step)
    guard let inputs else { return yaml }
    return yaml.replacingOccurrences(
      of: "  artifacts: {prog: \"${cell.out}/prog\"}\n",
      with: "  artifacts: {prog: \"${cell.out}/prog\"}\n  inputs: [\(inputs)]\n")
  }

  /// ``ReusePipelineTests/folder(_:)`` with `src/main.c` and `build.sh`, which the builds may name as
  /// their inputs.
  static func folder(_ name: String) throws -> String {
    let folder = try Run.folder(name)
    try FileManager.default.createDirectory(atPath: folder + "/src", withIntermediateDirectories: true)
    try "int main(void) { return 0; }\n".write(toFile: folder + "/src/main.c", atomically: true, encoding: .utf8)
    try "#!/bin/sh\n".write(toFile: folder + "/build.sh", atomically: true, encoding: .utf8)
    return folder
  }

  @Test func aBuildWhoseInputsAreTheSameIsTakenWithItsFiles() async throws {
    let folder = try Self.folder("build-reuse-same")
    let yaml = Self.matrix(folder: folder)
    let first = try await Run.run(yaml, in: folder)
    #expect(first.builds.argvs.count == 2)
    #expect(first.report.plan.cells.allSatisfy { $0.steps.buildInputs == [folder + "/src"] })
    let inputs = try #require(try first.cell(Run.arm64).execution.reuse?.key.inputs)
    // Its content and its permissions, as stat(1) gives them.
    let permissions = try await Command.run("stat", ["-c", "%a", folder + "/src/main.c"]).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let sha256 = try #require(FileDigest.sha256(ofFile: folder + "/src/main.c"))
    #expect(inputs == [folder + "/src/main.c": "\(sha256) mode \(permissions)"])
    // The copy has the permissions the earlier run keyed, not what its folder says since.
    let keyed = try FileManager.default.attributesOfItem(atPath: "\(folder)/out/\(Run.arm64)/prog")[.posixPermissions]
    chmod("\(folder)/out/\(Run.arm64)/prog", 0o700)

    let path = folder + "/out/report.json"
    let second = try await Run.run(yaml, in: folder, out: "tonight", offers: ReuseOffers(first.report, at: path))
    #expect(second.builds.argvs.isEmpty, "no build ran: \(second.builds.argvs)")
    #expect(second.steps.argvs.isEmpty, "no run step ran: \(second.steps.argvs)")
    #expect(second.report.cells.map(\.verdict) == [.passed, .passed])
    for cell in second.report.cells {
      let earlier = ReusedFrom(report: path, started: first.report.started, duration: try first.cell(cell.id).duration)
      #expect(cell.buildReusedFrom == earlier)
      #expect(cell.reusedFrom == earlier)
      let out = "\(folder)/tonight/\(cell.id)"
      #expect(try String(contentsOfFile: out + "/prog", encoding: .utf8) == "not a binary\n")
      #expect(try String(contentsOfFile: out + "/prog-test", encoding: .utf8) == "a test program\n")
      #expect(cell.artifacts.map(\.path) == [out + "/prog"])
      let build = try #require(cell.execution.step(.build))
      #expect(build.status == .exited(0))
      #expect(build.stdoutLog == out + "/logs/build.stdout.log")
      #expect(FileManager.default.fileExists(atPath: out + "/logs/build.stdout.log"))
      #expect(cell.execution.reuse?.key == (try first.cell(cell.id).execution.reuse?.key))
    }
    let mode = try FileManager.default.attributesOfItem(atPath: "\(folder)/tonight/\(Run.arm64)/prog")[
      .posixPermissions]
    #expect((mode as? NSNumber)?.intValue == (keyed as? NSNumber)?.intValue)
    let junit = JUnitReport.render(second.report)
    #expect(
      junit.contains("<property name=\"build_reused_from\" value=\"\(path), run started \(first.report.started)\"/>"))
    let decoded = try Report.decode(try JSONEncoder().encode(second.report), named: "report.json")
    #expect(decoded.cells.map(\.buildReusedFrom) == second.report.cells.map(\.buildReusedFrom))

    // Taken again, a build names the run that last ran it.
    let third = try await Run.run(
      yaml, in: folder, out: "tomorrow", offers: ReuseOffers(second.report, at: folder + "/tonight/report.json"))
    #expect(third.builds.argvs.isEmpty)
    #expect(third.report.cells.allSatisfy { $0.buildReusedFrom?.started == first.report.started })
  }

  /// One change to what the build reads or is, or to the earlier build's files, each: the build
  /// runs again, and the report says why it was not taken.
  enum Change: String, CaseIterable, CustomTestStringConvertible {
    /// None: the build is taken (what makes every other case's build run is its change alone).
    case nothing
    case inputEdited, inputAdded, inputMadeExecutable, inputMisspelled, inputsLeftOut, buildArgv, compiler, archway
    case passedThrough
    case earlierArtifactEdited, earlierOutputGone, earlierOutputHardLinkedOut, earlierBuildLogGone

    var testDescription: String { rawValue }

    /// What the report's `build_not_reused` must hold.
    func named(_ folder: String, _ id: String) -> String {
      switch self {
      case .nothing, .inputsLeftOut: ""
      case .inputEdited: "input \(folder)/src/main.c changed"
      case .inputAdded: "input \(folder)/src/util.h changed"
      case .inputMadeExecutable: "input \(folder)/build.sh changed"
      case .inputMisspelled: "its input \(folder)/scr is not there; a build cannot have read it"
      case .buildArgv: "the cell's plan changed"
      case .compiler: "toolchain cc changed"
      case .archway: "Archway changed"
      case .passedThrough: "the runner's environment changed"
      case .earlierArtifactEdited: "\(folder)/out/\(id)/prog changed since the earlier run"
      case .earlierOutputGone: "\(folder)/out/\(id)/prog-test is not there"
      case .earlierOutputHardLinkedOut: "is a hard link to a file with 2 names, only 1 of them in the cell's folder"
      case .earlierBuildLogGone: "the earlier run's log \(folder)/out/\(id)/logs/build.stdout.log is not a file"
      }
    }
  }

  @Test(arguments: Change.allCases) func aBuildWhoseKeyDiffersInOnePartRunsAgain(_ change: Change) async throws {
    let folder = try Self.folder("build-reuse-\(change.rawValue)")
    // The build names a compiler, `cc`, whose version its key holds.
    let compiler = { (version: Int) in
      try FileManager.default.createDirectory(atPath: folder + "/bin", withIntermediateDirectories: true)
      try "#!/bin/sh\necho 'cc (Fake) \(version).0'\n".write(
        toFile: folder + "/bin/cc", atomically: true, encoding: .utf8)
      chmod(folder + "/bin/cc", 0o755)
    }
    try compiler(1)
    let withCompiler = { (yaml: String) in
      yaml.replacingOccurrences(of: "\"${cell.out}/prog-test\"", with: "\"${cell.out}/prog-test\", cc")
    }
    let first = try await Run.run(
      withCompiler(Self.matrix(folder: folder, inputs: "src, build.sh")), in: folder,
      environment: ["PATH": folder + "/bin"])
    #expect(first.report.cells.map(\.verdict) == [.passed, .passed])
    #expect(first.report.cells.allSatisfy { $0.toolchains == ["cc": "cc (Fake) 1.0"] })
    var (inputs, archway) = ("src, build.sh" as String?, "sha256:archway-1")
    var environment = ["PATH": folder + "/bin"]
    var edit: (String) -> String = { $0 }
    let earlier = { (id: String) in "\(folder)/out/\(id)" }
    switch change {
    case .nothing: break
    case .inputEdited:
      try "int main(void) { return 1; }\n".write(toFile: folder + "/src/main.c", atomically: true, encoding: .utf8)
    case .inputAdded: try "#define X 1\n".write(toFile: folder + "/src/util.h", atomically: true, encoding: .utf8)
    case .inputMadeExecutable: chmod(folder + "/build.sh", 0o755)
    case .inputMisspelled: inputs = "src, build.sh, scr"
    case .inputsLeftOut: inputs = nil
    case .buildArgv:
      edit = { $0.replacingOccurrences(of: "\"${cell.out}/prog-test\"]", with: "\"${cell.out}/prog-test\", -O2]") }
    case .compiler: try compiler(2)
    case .archway: archway = "sha256:archway-2"
    case .passedThrough: environment["HOME"] = "/elsewhere"
    case .earlierArtifactEdited:
      for id in [Run.arm64, Run.riscv64] {
        try "tampered\n".write(toFile: earlier(id) + "/prog", atomically: true, encoding: .utf8)
      }
    case .earlierOutputGone:
      for id in [Run.arm64, Run.riscv64] { try FileManager.default.removeItem(atPath: earlier(id) + "/prog-test") }
    case .earlierOutputHardLinkedOut:
      // The same bytes, but a file with a name outside the earlier folder: never read as the cell's.
      for id in [Run.arm64, Run.riscv64] {
        try FileManager.default.moveItem(atPath: earlier(id) + "/prog-test", toPath: "\(folder)/outside-\(id)")
        link("\(folder)/outside-\(id)", earlier(id) + "/prog-test")
      }
    case .earlierBuildLogGone:
      for id in [Run.arm64, Run.riscv64] {
        try FileManager.default.removeItem(atPath: earlier(id) + "/logs/build.stdout.log")
      }
    }
    let second = try await Run.run(
      withCompiler(edit(Self.matrix(folder: folder, inputs: inputs))), in: folder, out: "tonight",
      offers: ReuseOffers(first.report, at: folder + "/out/report.json"), archway: archway, environment: environment)
    if change == .nothing {
      #expect(second.builds.argvs.isEmpty, "\(second.builds.argvs)")
      #expect(second.report.cells.allSatisfy { $0.buildReusedFrom != nil && $0.verdict == .passed })
      return
    }
    #expect(second.builds.argvs.count == 2, "every cell built again: \(second.builds.argvs)")
    for cell in second.report.cells {
      #expect(cell.buildReusedFrom == nil)
      #expect(cell.verdict == .passed)
      let why = cell.execution.reuse?.buildNotReused
      if change == .inputsLeftOut {
        #expect(why == nil, "a build that names no inputs is never taken, and no reason is given")
      } else {
        #expect(why?.contains(change.named(folder, cell.id)) == true, "\(why ?? "no reason")")
      }
      // A build made again from other sources that leaves the same bytes: its run steps are still taken.
      if [.inputEdited, .inputAdded, .inputMadeExecutable, .earlierArtifactEdited].contains(change) {
        #expect(cell.reusedFrom != nil, "\(cell.execution.reuse?.notReused ?? "")")
      }
      // Nothing of the earlier build stands in the cell's folder: what is there is this build's.
      #expect(try String(contentsOfFile: "\(folder)/tonight/\(cell.id)/prog", encoding: .utf8) == "not a binary\n")
    }
    if [.inputEdited, .inputAdded, .inputMadeExecutable, .earlierArtifactEdited].contains(change) {
      #expect(second.steps.argvs.isEmpty)
    }
    if change == .inputEdited {
      let said = "input \(folder)/src/main.c changed"
      #expect(JUnitReport.render(second.report).contains("<property name=\"build_not_reused\" value=\"\(said)\"/>"))
      #expect(HTMLReport.render(second.report).contains("<p>build not reused: \(said)</p>"))
    }
  }

  /// An earlier folder reused as tonight's own (`--out last --reuse last`): the files are left where
  /// they are, each checked; one edited since makes the build run.
  @Test func aRunIntoTheEarlierFolderChecksTheFilesInPlace() async throws {
    let folder = try Self.folder("build-reuse-in-place")
    let yaml = Self.matrix(folder: folder)
    let first = try await Run.run(yaml, in: folder)
    let path = folder + "/out/report.json"
    try "tampered\n".write(toFile: "\(folder)/out/\(Run.riscv64)/prog-test", atomically: true, encoding: .utf8)
    let second = try await Run.run(yaml, in: folder, offers: ReuseOffers(first.report, at: path))
    #expect(second.builds.argvs.count == 1, "the riscv64 cell built again: \(second.builds.argvs)")
    #expect(try second.cell(Run.arm64).buildReusedFrom != nil)
    #expect(try second.cell(Run.riscv64).buildReusedFrom == nil)
    #expect(
      try String(contentsOfFile: "\(folder)/out/\(Run.riscv64)/prog-test", encoding: .utf8) == "a test program\n")

    // The same folder under another name (a link to it): the same files, checked where they are.
    try FileManager.default.createSymbolicLink(atPath: folder + "/last", withDestinationPath: folder + "/out")
    let third = try await Run.run(
      yaml, in: folder, offers: ReuseOffers(second.report, at: folder + "/last/report.json"))
    #expect(third.builds.argvs.isEmpty, "\(third.report.cells.map { $0.execution.reuse?.buildNotReused })")
    #expect(try String(contentsOfFile: "\(folder)/out/\(Run.arm64)/prog", encoding: .utf8) == "not a binary\n")
  }

  /// A take that fails on its last file leaves nothing it made: the files it copied and the folders
  /// it made for them are gone before the build runs.
  @Test func aTakeThatFailsPartWayLeavesNothing() async throws {
    let folder = try Self.folder("build-reuse-undo")
    let yaml = Self.matrix(folder: folder).replacingOccurrences(of: "${cell.out}/prog-test", with: "${cell.out}/sub/t")
    for id in [Run.arm64, Run.riscv64] {
      try FileManager.default.createDirectory(atPath: "\(folder)/out/\(id)/sub", withIntermediateDirectories: true)
      try "last\n".write(toFile: "\(folder)/out/\(id)/zz", atomically: true, encoding: .utf8)
    }
    let first = try await Run.run(yaml, in: folder)
    #expect(first.report.cells.allSatisfy { $0.execution.reuse?.key.outputs.keys.sorted() == ["sub/t", "zz"] })
    for id in [Run.arm64, Run.riscv64] {
      try "edited\n".write(toFile: "\(folder)/out/\(id)/zz", atomically: true, encoding: .utf8)
    }
    let second = try await Run.run(
      yaml, in: folder, out: "tonight", offers: ReuseOffers(first.report, at: folder + "/out/report.json"))
    #expect(second.builds.argvs.count == 2)
    for id in [Run.arm64, Run.riscv64] {
      let why = try second.cell(id).execution.reuse?.buildNotReused ?? ""
      #expect(why.hasSuffix("/out/\(id)/zz changed since the earlier run"), "\(why)")
      // The fake build writes no folder: `sub` would be the abandoned take's.
      #expect(!FileManager.default.fileExists(atPath: "\(folder)/tonight/\(id)/sub"))
      #expect(!FileManager.default.fileExists(atPath: "\(folder)/tonight/\(id)/zz"))
    }
  }

  /// Paths from the earlier report that are not plain paths inside its cell's folder (a report is a
  /// file anyone may edit): nothing is made outside the cell's folder, and the build runs.
  @Test func anEarlierKeyThatNamesAPathOutsideIsNotTaken() async throws {
    let folder = try Self.folder("build-reuse-outside")
    let yaml = Self.matrix(folder: folder)
    let first = try await Run.run(yaml, in: folder)
    // The report as a hand would edit it: one more file in each cell's key, two folders up.
    let path = folder + "/out/report.json"
    var json = try #require(
      try JSONSerialization.jsonObject(with: JSONEncoder().encode(first.report)) as? [String: Any])
    json["cells"] = try #require(json["cells"] as? [[String: Any]]).map { cell in
      var cell = cell
      var reuse = cell["reuse"] as? [String: Any] ?? [:]
      var key = reuse["key"] as? [String: Any] ?? [:]
      var outputs = key["outputs"] as? [String: String] ?? [:]
      outputs["../../escaped/made/file"] = outputs["prog-test"]
      key["outputs"] = outputs
      reuse["key"] = key
      cell["reuse"] = reuse
      return cell
    }
    let edited = try Report.decode(try JSONSerialization.data(withJSONObject: json), named: "report.json")
    let second = try await Run.run(
      yaml, in: folder, out: "tonight/deep", offers: ReuseOffers(edited, at: path))
    #expect(second.builds.argvs.count == 2)
    #expect(!FileManager.default.fileExists(atPath: folder + "/tonight/escaped"))
    #expect(!FileManager.default.fileExists(atPath: folder + "/escaped"))
    for cell in second.report.cells {
      #expect(cell.execution.reuse?.buildNotReused?.contains("not a path inside its folder") == true)
    }
  }

  /// Into the earlier folder, a file whose permissions changed since (a program that lost its
  /// executable bit) is not taken: the build runs.
  @Test func aFileWhosePermissionsChangedInPlaceIsNotTaken() async throws {
    let folder = try Self.folder("build-reuse-mode")
    let yaml = Self.matrix(folder: folder)
    let first = try await Run.run(yaml, in: folder)
    chmod("\(folder)/out/\(Run.arm64)/prog", 0o700)
    let second = try await Run.run(yaml, in: folder, offers: ReuseOffers(first.report, at: folder + "/out/report.json"))
    #expect(second.builds.argvs.count == 1, "the arm64 cell built again")
    let why = try second.cell(Run.arm64).execution.reuse?.buildNotReused ?? ""
    #expect(why.hasSuffix("/out/\(Run.arm64)/prog changed since the earlier run"), "\(why)")
  }

  /// A link an earlier run left where the build's log goes (into the same `--out`) is replaced, never
  /// written through; a take that fails on its first file removes the folder it made for it.
  @Test func aTakeWritesThroughNoLinkAndUndoesItsFirstFolder() async throws {
    let folder = try Self.folder("build-reuse-links")
    let yaml = Self.matrix(folder: folder).replacingOccurrences(
      of: "${cell.out}/prog\"", with: "${cell.out}/bin/prog\"")
    for id in [Run.arm64, Run.riscv64] {
      try FileManager.default.createDirectory(atPath: "\(folder)/out/\(id)/bin", withIntermediateDirectories: true)
    }
    let first = try await Run.run(yaml, in: folder)
    #expect(first.report.cells.map(\.verdict) == [.passed, .passed])
    try "keep\n".write(toFile: folder + "/victim.txt", atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(
      atPath: "\(folder)/tonight/\(Run.arm64)/logs", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: "\(folder)/tonight/\(Run.arm64)/logs/build.stdout.log", withDestinationPath: folder + "/victim.txt")
    try "tampered\n".write(toFile: "\(folder)/out/\(Run.riscv64)/bin/prog", atomically: true, encoding: .utf8)
    let second = try await Run.run(
      yaml, in: folder, out: "tonight", offers: ReuseOffers(first.report, at: folder + "/out/report.json"))
    #expect(try String(contentsOfFile: folder + "/victim.txt", encoding: .utf8) == "keep\n")
    #expect(try second.cell(Run.arm64).buildReusedFrom != nil)
    let log = "\(folder)/tonight/\(Run.arm64)/logs/build.stdout.log"
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: log)) == nil, "the log is a file of its own")
    // The riscv64 take failed on its first file, after making bin/ for it: bin/ is gone, so the fake
    // build, which makes no folder, leaves no artifact.
    let riscv = try second.cell(Run.riscv64)
    #expect(riscv.buildReusedFrom == nil)
    #expect(riscv.execution.reuse == nil, "its build left no artifact, so it has no key")
    #expect(!FileManager.default.fileExists(atPath: "\(folder)/tonight/\(Run.riscv64)/bin"))
  }

  /// An empty `inputs:` (a build that reads nothing would be taken whatever changed) is an error
  /// where it is written.
  @Test func emptyInputsAreRefused() throws {
    let folder = try Self.folder("build-reuse-empty")
    try Self.matrix(folder: folder, inputs: "").write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let planner = Planner(host: Platform(os: "linux", arch: "amd64"), outputRoot: folder + "/out", directory: folder)
    #expect {
      _ = try PlanSelection(path: folder + "/m.yml", planner: planner)
    } throws: { error in
      "\(error)".contains("'inputs' must be a non-empty list") && "\(error)".contains("not an empty list")
    }
  }

  /// A build inside the target (its compilers are the environment's) takes no inputs: an error
  /// where `inputs:` is written.
  @Test func inputsOfABuildInsideTheTargetAreRefused() throws {
    let folder = try Self.folder("build-reuse-target")
    let yaml = Self.matrix(folder: folder).replacingOccurrences(
      of: "  inputs: [src]\n", with: "  inputs: [src]\n  in: target\n")
    try yaml.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let planner = Planner(host: Platform(os: "linux", arch: "amd64"), outputRoot: folder + "/out", directory: folder)
    #expect {
      _ = try PlanSelection(path: folder + "/m.yml", planner: planner)
    } throws: { error in
      "\(error)".contains("'inputs' is for a build on the host") && "\(error)".contains(":6:")
    }
  }
}
