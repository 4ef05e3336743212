import ArchwayKit
import Foundation

/// One binary built by `Scripts/build-fixtures.sh`, with what it was built to be.
public struct Fixture: Sendable, CustomStringConvertible {
  public let name: String
  public let path: String
  /// `linux/arm/v7`, or nil for a file that is not a binary.
  public let platform: String?
  /// `glibc`, `musl`, `none`, `system` or `unknown`.
  public let libc: String?
  public let linkage: String?
  public let type: String?
  public let builder: String

  public var description: String { name }
  public var os: String? { platform?.split(separator: "/").first.map(String.init) }
}

/// The real binaries the tests read, built once per test run by `Scripts/build-fixtures.sh`.
public enum Fixtures {
  /// The package's root folder.
  public static let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// The `archway` built beside the test bundle (a test target that depends on the executable).
  public static let archway: String = {
    let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
    let beside = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("archway").path
    return FileManager.default.isExecutableFile(atPath: beside) ? beside : root + "/.build/debug/archway"
  }()

  /// The folder `Scripts/install.sh --prefix` installed archway into, once per test run:
  /// `$ARCHWAY_INSTALLED_PREFIX` when it holds an archway (`Scripts/test.sh` installs this checkout
  /// there just before the tests; installing it again meant waiting minutes, under the load of every
  /// suite starting, for a build with nothing to do), else a scratch folder installed into here.
  /// Awaited, never waited for: the tests that need it would otherwise each hold one of Swift
  /// concurrency's few threads while one of them installs, and every other test with them (a step's
  /// 30 s limit passed while its test could not run).
  public static var installPrefix: String { get async { await installing.value } }

  private static let installing = Task { () -> String in
    if let given = ProcessInfo.processInfo.environment["ARCHWAY_INSTALLED_PREFIX"],
      FileManager.default.isExecutableFile(atPath: given + "/bin/archway")
    {
      return given
    }
    let prefix = scratch("installed")
    let result = try? await Command.run(root + "/Scripts/install.sh", ["--prefix", prefix])
    precondition(result?.status == 0, "Scripts/install.sh failed: \(result?.stderr ?? "did not start")")
    return prefix
  }

  /// The installed `archway` (``installPrefix``).
  public static var installed: String { get async { await installPrefix + "/bin/archway" } }

  /// ``childEnvironment`` for the installed archway alone: it first on PATH, and every PATH folder
  /// that holds a Swift toolchain left out.
  public static var withoutSwift: [String: String] {
    get async {
      var environment = childEnvironment
      let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
      environment["PATH"] =
        ([await installPrefix + "/bin"] + folders.filter { !FileManager.default.fileExists(atPath: $0 + "/swift") })
        .joined(separator: ":")
      return environment
    }
  }

  /// An empty folder for a test's files, `archway-NAME-PID` in the temporary folder.
  public static func scratch(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("archway-\(name)-\(getpid())").path
    try? FileManager.default.removeItem(atPath: path)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// The flags this host's podman needs (crun fails on its hybrid cgroups; see docs/environments.md): `$ARCHWAY_ENGINE_ARGS` when set (as
  /// Scripts/test.sh sets it), else these.
  public static let engineArguments: [String] = {
    let given = ProcessInfo.processInfo.environment["ARCHWAY_ENGINE_ARGS"].map {
      $0.split(separator: " ").map(String.init)
    }
    return given ?? ["--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
  }()

  /// The environment of a child `archway run`: this process's, with ``engineArguments`` as
  /// `ARCHWAY_ENGINE_ARGS` (as a self-hosted runner sets them once) and no colour.
  public static var childEnvironment: [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment["ARCHWAY_ENGINE_ARGS"] = engineArguments.joined(separator: " ")
    environment["NO_COLOR"] = "1"
    return environment
  }

  /// Archway's own JUnit schema (`Tests/Schemas/junit.xsd`): what Jenkins, GitLab and GitHub's
  /// reporters all read, written from the format's documented facts.
  public static let junitSchema = root + "/Tests/Schemas/junit.xsd"

  /// `$ARCHWAY_FIXTURES`, else `.build-fixtures` in the package; built when its manifest is missing.
  public static let directory: String = {
    let folder = ProcessInfo.processInfo.environment["ARCHWAY_FIXTURES"] ?? root + "/.build-fixtures"
    if !FileManager.default.fileExists(atPath: folder + "/manifest.tsv") {
      let result = try? Command.runWaiting(root + "/Scripts/build-fixtures.sh", [folder])
      precondition(
        result?.status == 0,
        "Scripts/build-fixtures.sh failed (run Scripts/setup-host.sh first): \(result?.stderr ?? "did not start")")
    }
    return folder
  }()

  /// Every fixture in the manifest.
  public static let all: [Fixture] = {
    let text = (try? String(contentsOfFile: directory + "/manifest.tsv", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").map { line in
      let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      func cell(_ index: Int) -> String? {
        guard index < cells.count, !cells[index].isEmpty, cells[index] != "-" else { return nil }
        return cells[index]
      }
      return Fixture(
        name: cells[0], path: directory + "/" + cells[0], platform: cell(1), libc: cell(2), linkage: cell(3),
        type: cell(4), builder: cell(5) ?? "")
    }
  }()

  /// The binaries among the fixtures.
  public static var binaries: [Fixture] { all.filter { $0.platform != nil } }

  public static func named(_ name: String) -> Fixture {
    guard let fixture = all.first(where: { $0.name == name }) else { fatalError("no fixture \(name)") }
    return fixture
  }

  /// The bytes of a fixture.
  public static func bytes(_ fixture: Fixture) -> [UInt8] {
    [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: fixture.path))) ?? Data())
  }
}

/// Facts from the independent readers in `Tests/Oracles/binary_facts.py` (pyelftools, macholib, pefile).
public enum Oracle {
  /// The oracle's JSON object for each path, read in one batch.
  public static func facts(_ paths: [String]) async throws -> [String: OracleRecord] {
    let result = try await Command.run("python3", [Fixtures.root + "/Tests/Oracles/binary_facts.py"] + paths)
    guard result.status == 0 else { throw OracleError(message: result.stderr) }
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    return (object as? [String: Any] ?? [:]).compactMapValues { ($0 as? [String: Any]).map(OracleRecord.init) }
  }

  /// What `file -b` says of a path.
  public static func file(_ path: String) async throws -> String {
    try await Command.run("file", ["-b", path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

/// One file's facts from an oracle: a decoded JSON object.
// @unchecked Sendable: the dictionary is built once by JSONSerialization and never mutated.
public struct OracleRecord: @unchecked Sendable {
  public let values: [String: Any]
  public subscript(key: String) -> Any? { values[key] }
}

public struct OracleError: Error, CustomStringConvertible {
  public let message: String
  public var description: String { "oracle failed: \(message)" }
}

extension Fixture {
  /// The checks of `verify` a fixture fails against the target it was built for, by design: the Go
  /// 1.19 darwin builds (no `LC_UUID`), the object file, the builds linked for 4 KiB pages, the
  /// Windows programs needing a runtime DLL a clean Windows lacks, the Mac program needing a
  /// Homebrew dylib, the amd64-only Mac program Rosetta cannot run, the libraries asking for an
  /// executable stack. Empty for every other fixture.
  public var builtToFail: [ViolationKind] {
    if builder.hasPrefix("go darwin/") { return [.uuid] }
    if type == "relocatable" { return [.format] }
    if name.contains("page4k") { return [.pageSize] }
    if ["c-zig-windows-vcruntime.exe", "c-zig-windows-mingwrt.exe"].contains(name) { return [.dll] }
    if name == "c-zig-windows-newapi.exe" { return [.osVersion] }
    if name == "c-gcc-linux-arm-v7-neon" { return [.cpu] }
    if name == "c-zig-darwin-brew" { return [.dylib] }
    if name == "go1.24-darwin-amd64-v3" { return [.cpu] }
    if name.hasPrefix("libexecstack") { return [.execStack] }
    return []
  }
}
