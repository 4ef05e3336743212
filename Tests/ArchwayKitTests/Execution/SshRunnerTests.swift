import Foundation
import Testing

@testable import ArchwayKit

/// What the ssh runner sends: local paths made the machine's in every word, the files a step names
/// inside a script uploaded too, and what a machine's answers are taken for.
@Suite struct SshRunnerTests {
  static let project = "/work/proj"
  static let remote = "/tmp/archway.AbC123"

  static func context(steps: [RunStep] = []) -> RunnerContext {
    let facts = HostFacts(
      platform: Platform(os: "linux", arch: "amd64"), locate: { _ in nil }, exists: { _ in false }, isRoot: false,
      binfmtFixed: [], environments: "/nonexistent", project: project)
    var cellSteps = CellSteps()
    cellSteps.run = steps
    return RunnerContext(
      cellID: "linux-arm64-gnu", out: project + "/out/linux-arm64-gnu",
      target: CellTarget(platform: Platform(os: "linux", arch: "arm64"), libc: .gnu(nil)), environment: [:],
      host: facts,
      steps: cellSteps)
  }

  /// A real machine's kernel (its page size), libraries and CPU can change under the same name, and
  /// nothing here can see them before connecting: its cells never take an earlier run's steps.
  @Test func aMachineOverSshIsNeverTheSameForReuse() async {
    let setup = SshSetup(
      basis: RunnerBasis(reason: "hosts: pi"), ssh: "/usr/bin/ssh", host: RemoteHost(name: "pi", address: "pi.lan"))
    let runner = setup.runner(context: Self.context())
    let (first, second) = (await runner.identity(), await runner.identity())
    #expect(first["machine"] != nil && first["machine"] != second["machine"], "\(first) \(second)")
  }

  /// Every path of the cell or the project in a word, a shell script's too, and only whole paths.
  @Test func everyLocalPathInAWordIsTheMachines() {
    let context = Self.context()
    let map = { SshRunner.mapped($0, context: context, remote: Self.remote) }
    let cell = Self.project + "/out/linux-arm64-gnu"
    #expect(map(cell + "/hello") == Self.remote + cell + "/hello")
    #expect(map("--data=\(Self.project)/data.txt") == "--data=\(Self.remote)\(Self.project)/data.txt")
    #expect(
      map("\"\(cell)/hello\" x; cat '\(Self.project)/testdata/in' | \(cell)/hello -")
        == "\"\(Self.remote)\(cell)/hello\" x; cat '\(Self.remote)\(Self.project)/testdata/in' | \(Self.remote)\(cell)/hello -"
    )
    #expect(map("/work/project2/x") == "/work/project2/x", "another folder whose name starts the same")
    #expect(map("/usr/work/proj/x") == "/usr/work/proj/x", "the same path inside another")
    #expect(map("/bin/sh") == "/bin/sh")
    #expect(map(Self.project) == Self.remote + Self.project)
  }

  /// A file of the project named inside a script is copied, as one named whole is; a cell's other
  /// folders and `.git` are not.
  @Test func theFilesAScriptNamesAreUploaded() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("archway-ssh-upload-\(getpid())").path
    try? FileManager.default.removeItem(atPath: root)
    defer { try? FileManager.default.removeItem(atPath: root) }
    for folder in ["testdata", "out/linux-arm64-gnu/logs", "out/other", ".git", "unnamed"] {
      try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
    }
    for file in [
      "testdata/in", "out/linux-arm64-gnu/hello", "out/linux-arm64-gnu/logs/a.log", "out/other/x",
      ".git/HEAD", "unnamed/y", "data.txt",
    ] {
      try "x".write(toFile: root + "/" + file, atomically: true, encoding: .utf8)
    }
    let step = RunStep(
      id: .run("s"),
      command: StepCommand(argv: ["bash", "-c", "cat \(root)/testdata/in > /dev/null; cat '\(root)/data.txt'"]))
    var context = Self.context(steps: [step])
    context.host.project = root
    context.out = root + "/out/linux-arm64-gnu"
    let list = try SshRunner.uploadList(for: context)
    // Nothing above what is named: a shared folder (/tmp) changing while tar reads it fails the copy.
    #expect(list.allSatisfy { $0.hasPrefix(root) }, "\(list.filter { !$0.hasPrefix(root) })")
    let inside = list.filter { $0.hasPrefix(root) }.map { String($0.dropFirst(root.count)) }
    #expect(
      Set(inside) == ["", "/out/linux-arm64-gnu", "/out/linux-arm64-gnu/hello", "/testdata/in", "/data.txt"],
      "\(inside)")
  }

  /// A machine that is not the cell's platform would prove nothing of it.
  @Test func aMachineOfAnotherPlatformIsRefused() {
    let arm64 = Platform(os: "linux", arch: "arm64")
    #expect(SshRunner.mismatch(uname: "Linux aarch64", target: arm64) == nil)
    #expect(SshRunner.mismatch(uname: "Linux armv7l", target: Platform(os: "linux", arch: "arm", variant: "v7")) == nil)
    #expect(
      SshRunner.mismatch(uname: "Linux aarch64", target: Platform(os: "linux", arch: "arm", variant: "v7")) == nil)
    #expect(SshRunner.mismatch(uname: "Darwin arm64", target: Platform(os: "darwin", arch: "arm64")) == nil)
    #expect(SshRunner.mismatch(uname: "Linux x86_64", target: arm64)?.contains("it is linux/amd64") == true)
    #expect(SshRunner.mismatch(uname: "Darwin arm64", target: arm64)?.contains("it is darwin/arm64") == true)
    #expect(SshRunner.mismatch(uname: "", target: arm64) != nil)
    #expect(SshRunner.safeFolder("/tmp/archway.AbC123") == "/tmp/archway.AbC123")
    for bad in ["tmp/x", "/tmp/../etc", "/tmp/a b", "/tmp/$(x)", "/", "/tmp/x'y"] {
      #expect(SshRunner.safeFolder(bad) == nil, "\(bad)")
    }
    #expect(SshRunner.signal(139) == "SIGSEGV" && SshRunner.signal(1) == nil && SshRunner.signal(200) == nil)
  }
}
