import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `Matrix/cpu-levels.yml`: a release built for x86-64-v3 and for ARMv7, on cells of older CPUs.
/// What each binary needs is read by tools other than Archway (`readelf -n` for the ISA note,
/// `readelf -A` for the ARM attributes, `go version -m` for GOAMD64 and GOARM); a cell passes exactly
/// when its CPU is at least the build's, a static `cpu` check fails exactly where a tool sees the
/// need, and every older cell fails its run under qemu's model of that CPU, in the way that binary fails.
@Suite struct CPUCLITests {
  /// The level the binary at `path` says it needs, by the independent tools; nil when none says.
  static func oracleLevel(_ path: String) async throws -> String? {
    let notes = try await Command.run("readelf", ["-nW", path]).stdout
    let isa = notes.split(separator: "\n").first { $0.contains("x86 ISA needed:") }
      .flatMap { $0.components(separatedBy: "x86 ISA needed:")[1].split(separator: ",").last }
      .map { $0.trimmingCharacters(in: .whitespaces) }
    let attributes = try await Command.run("readelf", ["-A", path]).stdout
    let armArch = attributes.split(separator: "\n").first { $0.contains("Tag_CPU_arch:") }
      .map { $0.components(separatedBy: "Tag_CPU_arch:")[1].trimmingCharacters(in: .whitespaces) }
    let go = try await Command.run("go", ["version", "-m", path]).stdout
    func setting(_ key: String) -> String? {
      go.split(separator: "\n").first { $0.contains("\tbuild\t\(key)=") }
        .map { String($0.split(separator: "=").last ?? "") }
    }
    var claims: [String] = []
    if let isa { claims.append(isa == "x86-64-baseline" ? "x86-64" : isa) }
    if let amd64 = setting("GOAMD64") { claims.append(amd64 == "v1" ? "x86-64" : "x86-64-\(amd64)") }
    if let arm = setting("GOARM") { claims.append("armv\(arm.prefix(1))") }
    if let armArch, let digit = armArch.first(where: \.isNumber) { claims.append("armv\(digit)") }
    return claims.compactMap(CPULevel.known).max { ($0.rank ?? 0) < ($1.rank ?? 0) }?.name
  }

  @Test func olderCPUsFailStaticallyWhereTheBinarySaysAndAlwaysWhenRun() async throws {
    let folder = Fixtures.scratch("cpu-levels")
    let result = try await Command.run(
      Fixtures.archway, ["run", "Matrix/cpu-levels.yml", "--out", folder], environment: Fixtures.childEnvironment,
      workingDirectory: Fixtures.root)
    #expect(result.status == 1, "\(result.stderr)")
    let report = try Reports.read(folder + "/report.json")
    #expect(report.cells.count == 9)
    for cell in report.cells {
      let flavor = cell.values["flavor"] ?? ""
      let built = try #require(CPULevel.known(flavor.hasSuffix("armv7") ? "armv7" : "x86-64-v3"))
      // An arm cell without `cpu:` runs as its variant, v5.
      let cpu = try #require(CPULevel.known(cell.target.cpu?.name ?? "arm" + (cell.target.variant ?? "")))
      let artifact = try #require(cell.artifacts.first)
      let said = try await Self.oracleLevel(artifact.path)
      #expect(artifact.facts?.cpuLevel == said, "\(cell.id): Archway and the tools disagree on the level")
      let claimsMore = (said.flatMap(CPULevel.known)?.rank ?? 0) > cpu.rank!
      let staticCheck = cell.findings.first { $0.kind == (cell.target.cpu == nil ? .arch : .cpu) }
      #expect((staticCheck?.verdict == .failed) == claimsMore, "\(cell.id): \(String(describing: staticCheck))")
      let exit = try #require(cell.findings.first { $0.kind == .exit })
      let fits = cpu.rank! >= built.rank!
      #expect(cell.verdict == (fits ? .passed : .failed), "\(cell.id): \(cell.findings.map(\.message))")
      #expect((exit.verdict == .passed) == fits, "\(cell.id): \(exit.message)")
      // Under qemu's model of the cell's CPU; natively only on a host of exactly that level.
      #expect(
        (cell.runner.kind == .qemu && cell.runner.cpuModel == cpu.qemuModel) || (cell.runner.kind == .native && fits),
        "\(cell.id): \(cell.runner)")
      guard !fits else { continue }
      // How each binary fails on the older CPU: the loader refuses a marked one, Go's runtime refuses
      // its own GOAMD64, anything else dies at the first instruction the CPU lacks.
      let expected =
        switch flavor {
        case "c-needed": "CPU ISA level is lower than required"
        case "go": "can only be run on AMD64 processors with v3 microarchitecture support"
        default: "killed by SIGILL (an instruction the \(cpu.name) CPU lacks)"
        }
      #expect(exit.message.contains(expected) || exit.details?.contains(expected) == true, "\(cell.id): \(exit)")
    }
    let summary = try String(contentsOfFile: folder + "/summary.md", encoding: .utf8)
    #expect(summary.contains("gnu · x86-64-v2 · flavor=c-plain"), "the grid keeps the CPUs apart: \(summary)")
  }

  @Test func verifyChecksALevelAndExecRunsOnIt() async throws {
    let folder = Fixtures.scratch("cpu-verify")
    let binary = folder + "/dot"
    let built = try await Command.run(
      "gcc", ["-O3", "-march=x86-64-v3", "-mneeded", "-o", binary, Fixtures.root + "/Examples/simd/dot.c"])
    try #require(built.status == 0, "\(built.stderr)")
    let low = try await Command.run(
      Fixtures.archway, ["verify", binary, "--target", "linux/amd64", "--cpu", "x86-64-v2"])
    #expect(low.status == 1 && low.stdout.contains("needs CPU level x86-64-v3 (its ISA note)"), "\(low.stdout)")
    let fits = try await Command.run(
      Fixtures.archway, ["verify", binary, "--target", "linux/amd64", "--cpu", "x86-64-v3"])
    #expect(fits.status == 0, "\(fits.stdout)\(fits.stderr)")
    let bad = try await Command.run(
      Fixtures.archway, ["verify", binary, "--target", "linux/amd64", "--cpu", "Nehalem"])
    #expect(bad.status == 2 && bad.stderr.contains("is a qemu model, not a level"), "\(bad.stderr)")
    let old = try await Command.run(
      Fixtures.archway, ["exec", "--target", "linux/amd64", "--cpu", "x86-64-v2", "--", binary, "10"])
    #expect(old.status == 127 && old.stderr.contains("CPU ISA level is lower than required"), "\(old.stderr)")
    let new = try await Command.run(
      Fixtures.archway, ["exec", "--target", "linux/amd64", "--cpu", "x86-64-v3", "--", binary, "10"])
    #expect(new.status == 0 && new.stdout == "dot 10: 47\n", "\(new.stdout)\(new.stderr)")
    let shell = try await Command.run(
      Fixtures.archway, ["exec", "--target", "linux/amd64", "--cpu", "x86-64-v2", "--", "sh", "-c", binary])
    #expect(shell.status == 3 && shell.stderr.contains("what it starts would run natively"), "\(shell.stderr)")
  }
}
