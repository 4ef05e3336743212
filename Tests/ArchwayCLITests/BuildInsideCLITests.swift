import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `build: {in: target}`: Examples/hello built inside Debian 11 with its own gcc (the floor at most
/// its glibc by construction), for arm64 under emulation; the arm64 build made both ways, cross on
/// the host and natively inside Debian 12 under qemu, compared byte for byte (`same_as`); and a
/// build that fails only inside the old system, with the compiler's own message.
@Suite struct BuildInsideCLITests {
  static func run(_ matrix: String, name: String) async throws -> (CommandResult, Report, String) {
    let out = RunCLITests.folder(name)
    try matrix.write(toFile: out + ".yml", atomically: true, encoding: .utf8)
    let result = try await Command.run(
      Fixtures.archway, ["run", out + ".yml", "--out", out, "--jobs", "2"], environment: Fixtures.childEnvironment,
      workingDirectory: Fixtures.root)
    return (result, try Reports.read(out + "/report.json"), out)
  }

  /// The first line of `gcc --version` inside `root`, asked with bwrap directly.
  static func gccInside(_ root: String) async throws -> String {
    let result = try await Command.run(
      "bwrap", ["--ro-bind", root, "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "gcc", "--version"])
    return String(result.stdout.split(separator: "\n").first ?? "")
  }

  /// The Debian revision in a gcc's version line: `12.2.0-14+deb12u1` of
  /// `gcc (Debian 12.2.0-14+deb12u1) 12.2.0`.
  static func revision(_ line: String?) -> String? {
    line?.components(separatedBy: "(Debian ").dropFirst().first?.components(separatedBy: ")").first
  }

  @Test func theShippedMatrixBuildsInsideAndComparesTheArm64BuildsByteForByte() async throws {
    let shipped = try String(contentsOfFile: Fixtures.root + "/Matrix/build-inside.yml", encoding: .utf8)
    let (_, report, out) = try await Self.run(shipped, name: "build-inside")
    #expect(report.cells.count == 6)
    for cell in report.cells {
      let failing = cell.findings.filter { $0.verdict != .passed && $0.kind != .sameAs }
      #expect(failing.isEmpty, "\(cell.id): \(failing)")
      let facts = try #require(cell.artifacts.first?.facts)
      guard cell.values["place"] == "target", let env = cell.env else { continue }
      #expect(cell.runner.kind == .rootfs, "\(cell.id): \(cell.runner.reason)")
      // The compiler that ran is the environment's own, as gcc there says of itself.
      let root = try #require(cell.runner.sysroot)
      #expect(cell.toolchains?["gcc"] == (try await Self.gccInside(root)), "\(cell.id): \(cell.toolchains ?? [:])")
      if env == "debian-11-gcc" {
        #expect(cell.toolchains?["gcc"]?.contains("10.2") == true, "bullseye's gcc: \(cell.toolchains ?? [:])")
        let floor = try #require(facts.glibcFloor.flatMap(DottedVersion.init))
        #expect(floor <= DottedVersion("2.31")!, "\(cell.id): built inside Debian 11, floor \(floor)")
      }
    }
    for ident in ["kept", "removed"] {
      let cross = try #require(report.cells.first { $0.values["place"] == "host" && $0.values["ident"] == ident })
      let emulated = try #require(report.cells.first { $0.env == "debian-12-gcc" && $0.values["ident"] == ident })
      let same = try #require(emulated.findings.first { $0.kind == .sameAs })
      let files = ["\(out)/\(cross.id)/hello", "\(out)/\(emulated.id)/hello"]
      var sums: [Substring] = []
      for file in files { sums.append(try await Command.run("sha256sum", [file]).stdout.prefix(64)) }
      #expect((same.verdict == .passed) == (sums[0] == sums[1]), "sha256sum agrees: \(same)")
      if ident == "removed" {
        #expect(same.verdict == .passed && same.message.contains("byte-identical to \(cross.id)"), "\(same)")
      } else {
        // With the ident kept the bytes match exactly when the two gccs are the same Debian build.
        let host = try await Command.run("aarch64-linux-gnu-gcc", ["--version"]).stdout
        let inside = try await Self.gccInside(try #require(emulated.runner.sysroot))
        let sameBuild = Self.revision(host) == Self.revision(inside)
        #expect((same.verdict == .passed) == sameBuild, "\(host.prefix(60)) / \(inside): \(same)")
        if !sameBuild { #expect(same.message.contains("section .comment differs"), "\(same)") }
      }
    }
  }

  @Test func anotherOptimizationLevelIsAMismatchAndAMissingHeaderTheCompilersError() async throws {
    let matrix = """
      matrix:
        include:
          - {platform: linux/arm64, place: host, opt: O2}
          - {platform: linux/arm64, env: debian-12-gcc, place: target, opt: O1, same_as: linux-arm64-gnu-place=host-opt=O2}
          - {platform: linux/amd64, env: debian-11-gcc, place: target, opt: pidfd}
          - {platform: linux/amd64, place: host, opt: pidfd}
          # In the environment's container instead of its root filesystem.
          - {platform: linux/amd64, env: debian-11-gcc, place: target, opt: O2, runner: container}
      build:
        in: ${place}
        shell: sh
        script: |
          if [ "${place}" = host ]; then cc=${target.gcc_prefix}gcc; else cc=gcc; fi
          case "${opt}" in
            pidfd) printf '#include <sys/pidfd.h>\\nint main(void) { return 0; }\\n' > "${cell.out}/pidfd.c"
                   $cc -o "${cell.out}/hello" "${cell.out}/pidfd.c" ;;
            *)     $cc -${opt} -o "${cell.out}/hello" Examples/hello/hello.c -lm ;;
          esac
        artifacts: {hello: "${cell.out}/hello"}
      """
    let (result, report, _) = try await Self.run(matrix, name: "build-inside-mismatch")
    #expect(result.status == 1, "\(result.stderr)")
    let o1 = try #require(report.cells.first { $0.values["opt"] == "O1" })
    let same = try #require(o1.findings.first { $0.kind == .sameAs })
    #expect(same.verdict == .failed && same.message.contains(".text"), "the code differs: \(same)")
    let old = try #require(report.cells.first { $0.values["opt"] == "pidfd" && $0.env == "debian-11-gcc" })
    let build = try #require(old.findings.first { $0.kind == .build })
    #expect(build.verdict == .failed, "\(build)")
    #expect(build.details?.contains("sys/pidfd.h: No such file or directory") == true, "\(build)")
    let host = try #require(report.cells.first { $0.values["opt"] == "pidfd" && $0.env == nil })
    #expect(host.verdict == .passed, "bookworm has the header: \(host.findings)")
    let container = try #require(report.cells.first { $0.runner.kind == .container })
    #expect(container.verdict == .passed, "\(container.findings.filter { $0.verdict != .passed })")
    #expect(container.toolchains?["gcc"]?.contains("10.2") == true, "asked inside: \(container.toolchains ?? [:])")
    let floor = try #require(container.artifacts.first?.facts?.glibcFloor.flatMap(DottedVersion.init))
    #expect(floor <= DottedVersion("2.31")!)
  }

  @Test func inTargetNeedsAnEnvironment() async throws {
    let folder = Fixtures.scratch("build-inside-plan")
    try "matrix:\n  platform: [linux/arm64]\nbuild:\n  in: target\n  argv: [gcc, x.c]\n".write(
      toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let plan = try await Command.run(Fixtures.archway, ["plan", folder + "/m.yml"])
    #expect(plan.status == 2 && plan.stderr.contains("m.yml:4:7: 'in: target' builds inside"), "\(plan.stderr)")
    try "matrix:\n  platform: [linux/arm64]\nbuild:\n  in: targt\n  argv: [gcc, x.c]\n".write(
      toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let typo = try await Command.run(Fixtures.archway, ["plan", folder + "/m.yml"])
    #expect(typo.status == 2 && typo.stderr.contains("did you mean 'target'?"), "\(typo.stderr)")
  }
}
