import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// The `archway` executable as users run it: exit codes, messages, JSON and colour.
@Suite struct CLITests {
  /// The `archway` built beside this test bundle.
  static let archway = Fixtures.archway

  static func run(_ arguments: String..., environment: [String: String]? = nil) async throws -> CommandResult {
    var env = environment ?? ProcessInfo.processInfo.environment
    env["NO_COLOR"] = environment?["NO_COLOR"]
    return try await Command.run(archway, arguments, environment: env)
  }

  static let documentedKeys: Set<String> = [
    "path", "format", "arch", "variant", "bits", "endian", "type", "interpreter", "needed", "rpath", "runpath",
    "linkage", "libc", "glibc_floor", "version_requirements", "floor_symbols", "build_id",
  ]

  @Test func inspectJSONHasTheDocumentedKeysAndTheKitsFacts() async throws {
    let result = try await Self.run("inspect", "--json", Fixtures.directory)
    #expect(result.status == 0, "\(result.stderr)")
    let objects = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory)
    #expect(objects.count == files.count)
    for object in objects { #expect(Self.documentedKeys.isSubset(of: Set(object.keys)), "\(object["path"] ?? "")") }
    #expect(objects.allSatisfy { $0["versioned_symbols"] == nil }, "only --symbols adds them")
    let full = try await Self.run("inspect", "--json", "--symbols", Fixtures.directory)
    let decoded = try JSONDecoder().decode([BinaryFacts].self, from: Data(full.stdout.utf8))
    #expect(decoded.count == objects.count)
    for facts in decoded { #expect(facts == (try BinaryInspector.inspectFile(atPath: facts.path))) }
    let text = objects.first { ($0["path"] as? String)?.hasSuffix("/notes.txt") == true }
    #expect(text?["format"] as? String == "unknown")
  }

  @Test func inspectTableIsPlainOffATerminal() async throws {
    let result = try await Self.run(
      "inspect", Fixtures.named("c-gcc-linux-riscv64").path, Fixtures.named("notes.txt").path)
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 3 && lines[0].hasPrefix("FILE") && !result.stdout.contains("\u{1B}"))
    #expect(lines[1].contains("riscv64") && lines[1].contains("glibc") && lines[1].contains("2.34"))
  }

  @Test func colourOnlyOnATerminalAndNeverWithNoColor() async throws {
    let command = "\(Self.archway) targets"
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = nil
    env["TERM"] = "xterm"
    let tty = try await Command.run("script", ["-qec", command, "/dev/null"], environment: env)
    #expect(tty.stdout.contains("\u{1B}["), "a terminal gets colour")
    env["NO_COLOR"] = "1"
    let noColor = try await Command.run("script", ["-qec", command, "/dev/null"], environment: env)
    #expect(noColor.status == 0 && !noColor.stdout.contains("\u{1B}["))
  }

  @Test func verifyPrintsOneLinePerViolationAndExitsOne() async throws {
    let path = Fixtures.named("c-gcc-linux-arm64").path
    let result = try await Self.run("verify", path, "--target", "linux/arm64", "--glibc-max", "2.31")
    #expect(result.status == 1)
    #expect(
      result.stdout
        == "\(path): requires GLIBC_2.34 (__libc_start_main@GLIBC_2.34) but the target allows at most 2.31\n")
    #expect(result.stderr.contains("0 of 1 binaries fit linux/arm64 (glibc ≤ 2.31)"))
  }

  @Test func verifyPassesWhatFitsAndExitsZero() async throws {
    let result = try await Self.run(
      "verify", Fixtures.named("c-zig-arm64-gnu2.17").path, "--target", "aarch64", "--libc", "gnu-2.17")
    #expect(result.status == 0 && result.stdout.isEmpty, "\(result.stdout)")
  }

  /// Debian armhf's baseline has no NEON: a file built for it fails arm/v7 unless `--cpu` says the
  /// machines have it (the issue's false pass: it passed before).
  @Test func neonCodeFailsTheArmhfBaseline() async throws {
    let path = Fixtures.named("c-gcc-linux-arm-v7-neon").path
    let failed = try await Self.run("verify", path, "--target", "linux/arm/v7")
    #expect(failed.status == 1)
    #expect(
      failed.stdout.contains("needs CPU level armv7+neon (its ARM attributes) but the target's CPU is armv7"),
      "\(failed.stdout)")
    #expect(try await Self.run("verify", path, "--target", "linux/arm/v7", "--cpu", "armv7+neon").status == 0)
    let plain = Fixtures.named("c-gcc-linux-arm-v7").path
    #expect(try await Self.run("verify", plain, "--target", "linux/arm/v7").status == 0)
  }

  /// A path that leads nowhere says how: a loop of links, a link to nothing, nothing at all.
  @Test func aPathThatLeadsNowhereSaysHow() async throws {
    let folder = Fixtures.scratch("nowhere")
    _ = symlink("b", folder + "/a")
    _ = symlink("a", folder + "/b")
    _ = symlink("absent", folder + "/dangling")
    for (name, reason) in [
      ("a", "a loop of symbolic links"), ("dangling", "a symbolic link to absent, which does not exist"),
      ("none", "no such file or directory"),
    ] {
      let result = try await Self.run("inspect", folder + "/" + name)
      #expect(result.status == 2 && result.stderr.contains("\(folder)/\(name): \(reason)"), "\(result.stderr)")
    }
  }

  @Test func aMuslLibraryFailsAGlibcTarget() async throws {
    let path = Fixtures.named("libhello-musl.so").path
    let result = try await Self.run("verify", path, "--target", "linux/amd64", "--libc", "gnu")
    #expect(result.status == 1)
    #expect(result.stdout == "\(path): links musl but the target's libc is glibc\n")
  }

  @Test func verifyingAFolderSkipsWhatIsNotABinary() async throws {
    let result = try await Self.run("verify", Fixtures.directory, "--target", "linux/amd64", "--json")
    #expect(result.status == 1)
    let verdicts = try JSONDecoder().decode([ArtifactVerdict].self, from: Data(result.stdout.utf8))
    #expect(verdicts.count == Fixtures.binaries.count)
    for verdict in verdicts {
      let fixture = Fixtures.all.first { $0.path.hasSuffix("/" + (verdict.path as NSString).lastPathComponent) }
      let fits = fixture?.platform == "linux/amd64" && fixture?.builtToFail.isEmpty == true
      #expect(verdict.passed == fits, "\(verdict.path): \(verdict.violations.map(\.message))")
    }
  }

  @Test(arguments: [
    (["verify", "x", "--target", "armv9"], "unknown platform 'armv9'; did you mean 'armv8'?"),
    (["verify", "x", "--target", "linux/arm64", "--libc", "muls"], "unknown libc 'muls'; did you mean 'musl'?"),
    (["verify", "x", "--target", "darwin/arm64", "--libc", "musl"], "darwin targets use the system libc"),
    (["verify", "x", "--target", "linux/arm64", "--glibc-max", "two"], "--glibc-max 'two' is not a glibc version"),
    (["verify", "/no/such/file", "--target", "linux/arm64"], "/no/such/file: no such file or directory"),
    (["inspect", "--jsn", "x"], "Unknown option '--jsn'"),
    // More jobs than a host can run at once is a usage error at once, not minutes of spinning.
    (["run", "m.yml", "--jobs", "99999999999"], "--jobs must be at most 1024, not 99999999999"),
    (["inspect", "x", "--jobs", "99999999999"], "--jobs must be at most 1024, not 99999999999"),
    (["inspect"], "Missing expected argument"),
  ])
  func badUsageExitsTwoWithTheBadValueQuoted(arguments: [String], message: String) async throws {
    let result = try await Command.run(Self.archway, arguments)
    #expect(result.status == 2)
    #expect(result.stderr.contains(message), "\(result.stderr)")
  }

  @Test func helpHasExamples() async throws {
    for command in ["inspect", "verify", "targets"] {
      let result = try await Self.run(command, "--help")
      #expect(result.status == 0 && result.stdout.contains("Examples:"), "\(command)")
    }
  }

  @Test func targetsJSONListsEveryTarget() async throws {
    let result = try await Self.run("targets", "--json", "--libc", "musl")
    let names = try JSONDecoder().decode([TargetNames].self, from: Data(result.stdout.utf8))
    #expect(names.count == TargetCatalog.architectures.count)
    #expect(names.first { $0.platform == "linux/arm/v7" }?.rust == "armv7-unknown-linux-musleabihf")
  }
}
