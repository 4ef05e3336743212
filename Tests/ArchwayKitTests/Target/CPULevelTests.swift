import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// What a binary says about the CPU it needs, against the tools that read it independently: the x86
/// ISA level of the GNU property note against `readelf -n`, Go's build info against `go version -m`.
@Suite struct CPULevelTests {
  static let goFixtures = Fixtures.all.filter { $0.builder.hasPrefix("go ") }

  /// `go version -m`'s record of `path`: the version, `path`, `mod` and the `build` settings.
  static func goVersionM(
    _ path: String
  ) async throws -> (version: String, fields: [String: String], settings: [String: String]) {
    let result = try await Command.run("go", ["version", "-m", path])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    let version = String(try #require(lines.first).split(separator: " ").last ?? "")
    var fields: [String: String] = [:]
    var settings: [String: String] = [:]
    for line in lines.dropFirst() {
      let parts = line.trimmingCharacters(in: .whitespaces).split(separator: "\t", omittingEmptySubsequences: false)
        .map(String.init)
      if parts.first == "build", parts.count > 1, let equals = parts[1].firstIndex(of: "=") {
        var value = String(parts[1][parts[1].index(after: equals)...])
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
          value = String(value.dropFirst().dropLast())
        }
        settings[String(parts[1][..<equals])] = value
      } else if let key = parts.first, parts.count > 1 {
        fields[key] = parts[1]
      }
    }
    return (version, fields, settings)
  }

  @Test(arguments: goFixtures)
  func goBuildInfoAgreesWithGoVersionM(_ fixture: Fixture) async throws {
    let facts = try BinaryInspector.inspectFile(atPath: fixture.path)
    let info = try #require(facts.goBuild, "no Go build info read from \(fixture.name) (\(facts.format))")
    let oracle = try await Self.goVersionM(fixture.path)
    #expect(info.version == oracle.version)
    #expect(info.path == oracle.fields["path"])
    #expect(info.settings == oracle.settings)
    #expect(info.settings["GOOS"] == fixture.os)
    #expect(facts.warnings.isEmpty, "\(facts.warnings)")
  }

  @Test func aGoBinaryWithoutSectionHeadersStillShowsItsBuildInfo() throws {
    let fixture = Fixtures.named("go-linux-amd64")
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture.path)))
    for index in 40..<48 { bytes[index] = 0 }  // e_shoff
    for index in 60..<64 { bytes[index] = 0 }  // e_shnum, e_shstrndx
    let facts = bytes.withUnsafeBytes { BinaryInspector.inspect($0) }
    #expect(facts.goBuild == (try BinaryInspector.inspectFile(atPath: fixture.path)).goBuild)
    #expect(facts.goBuild != nil)
  }

  @Test func aNonGoBinaryHasNoGoBuildInfo() throws {
    for name in ["c-gcc-linux-amd64", "c-musl-static-amd64"] {
      #expect(try BinaryInspector.inspectFile(atPath: Fixtures.named(name).path).goBuild == nil)
    }
  }

  /// A C program built five ways, its level read by Archway and by `readelf -n`.
  @Test func x86ISANoteAgreesWithReadelf() async throws {
    let folder = Fixtures.scratch("isa")
    let source = folder + "/sum.c"
    try "int main(int c, char **v) { float a[64]; for (int i = 0; i < 64; i++) a[i] = i * c; return (int)a[c]; }\n"
      .write(toFile: source, atomically: true, encoding: .utf8)
    let builds: [(name: String, flags: [String], needed: String?)] = [
      ("plain", ["-O2"], "x86-64"),  // gcc's crt objects carry a baseline note.
      ("v3-mneeded", ["-O3", "-march=x86-64-v3", "-mneeded"], "x86-64-v3"),
      ("v2-linker", ["-O2", "-Wl,-z,x86-64-v2"], "x86-64-v2"),
      ("v3-used-note", ["-O3", "-march=x86-64-v3", "-Wa,-mx86-used-note=yes"], "x86-64"),
      ("v4-mneeded", ["-O3", "-march=x86-64-v4", "-mneeded"], "x86-64-v4"),
    ]
    for build in builds {
      let output = "\(folder)/\(build.name)"
      let compiled = try await Command.run("gcc", build.flags + [source, "-o", output])
      try #require(compiled.status == 0, "\(compiled.stderr)")
      let facts = try BinaryInspector.inspectFile(atPath: output)
      let notes = try await Command.run("readelf", ["-nW", output]).stdout
      let line = notes.split(separator: "\n").first { $0.contains("x86 ISA needed:") }
      // readelf lists every level bit; the highest is the level.
      let listed = line.map { $0.components(separatedBy: "x86 ISA needed:")[1].split(separator: ",") } ?? []
      let highest = listed.last.map { $0.trimmingCharacters(in: .whitespaces) }
      #expect(facts.x86ISANeeded == highest.map { $0 == "x86-64-baseline" ? "x86-64" : $0 }, "\(build.name): \(notes)")
      #expect(facts.x86ISANeeded == build.needed, "\(build.name)")
      #expect(facts.cpuLevel == build.needed, "\(build.name)")
    }
  }

  /// Go 1.23's GOARM64 (no Go here writes it): a known level is claimed, an unknown one is not.
  @Test func goarm64NamesAnArm64Level() {
    var facts = BinaryFacts(format: .elf)
    facts.arch = "arm64"
    facts.goBuild = GoBuildInfo(version: "go1.23.0", settings: ["GOARCH": "arm64", "GOARM64": "v8.2,lse"])
    #expect(facts.cpuLevel == "armv8.2")
    facts.goBuild?.settings["GOARM64"] = "v9.3"
    #expect(facts.cpuLevel == nil)
  }

  @Test func levelsParseAndTyposAreRefused() throws {
    #expect(try CPULevel.parse("x86-64-v2", arch: "amd64").qemuModel == "Nehalem")
    #expect(try CPULevel.parse("v3", arch: "amd64").name == "x86-64-v3")
    #expect(try CPULevel.parse("armv6", arch: "arm").armVariant == "v6")
    #expect(try CPULevel.parse("cortex-a53", arch: "arm64").rank == nil)
    #expect(try CPULevel.parse("max", arch: "arm").qemuModel == "max")
    #expect(throws: TargetError.self) { try CPULevel.parse("armv7", arch: "amd64") }
    do {
      _ = try CPULevel.parse("x86-64v3", arch: "amd64")
      Issue.record("a typo of a level became a qemu model")
    } catch {
      #expect(error.description.contains("did you mean 'x86-64-v3'"), "\(error)")
    }
    #expect(throws: TargetError.self) { try CPULevel.parse("a b", arch: "amd64") }
  }

  /// Each level's qemu model runs that level and no more, by glibc's own account (`ld.so --help`
  /// lists the x86-64 levels the CPU supports) and by probes of one instruction each: SSE3's
  /// `haddps`, ARMv6's `rev`, ARMv7's `movw`, ARMv8.1's `ldadd` (LSE atomics, in ARMv8.2).
  @Test func eachLevelsModelIsThatLevel() async throws {
    for level in CPULevel.levels where level.arch == "amd64" {
      guard let model = level.qemuModel else { continue }
      let help = try await Command.run("qemu-x86_64-static", ["-cpu", model, "/lib64/ld-linux-x86-64.so.2", "--help"])
      let supported = help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { $0.hasPrefix("x86-64-v") && $0.contains("(supported") }.map { $0.split(separator: " ")[0] }
      #expect(String(supported.first ?? "x86-64") == level.name, "\(model): \(help.stdout)")
      #expect(help.stderr.isEmpty, "the model warns on every run: \(help.stderr)")
    }
    let folder = Fixtures.scratch("cpu-probes")
    let source = folder + "/probe.c"
    try """
    int main(void) {
    #if defined(PROBE_V6)
      __asm__ volatile("rev r0, r0" ::: "r0");
    #elif defined(PROBE_V7)
      __asm__ volatile("movw r0, #1234" ::: "r0");
    #elif defined(PROBE_SSE3)
      float a[4] __attribute__((aligned(16))) = {1, 2, 3, 4};
      __asm__ volatile("movaps (%0), %%xmm0\\n\\thaddps %%xmm0, %%xmm0" : : "r"(a) : "xmm0");
    #elif defined(PROBE_LSE)
      int x = 0, y = 1;
      __asm__ volatile("ldadd %w0, %w0, [%1]" : "+r"(y) : "r"(&x) : "memory");
    #endif
      return 0;
    }
    """.write(toFile: source, atomically: true, encoding: .utf8)
    let probes: [(name: String, compiler: String, flags: [String], emulator: String, needs: String)] = [
      ("v6", "arm-linux-gnueabi-gcc", ["-marm", "-march=armv6", "-DPROBE_V6"], "qemu-arm-static", "armv6"),
      ("v7", "arm-linux-gnueabi-gcc", ["-marm", "-march=armv7-a", "-DPROBE_V7"], "qemu-arm-static", "armv7"),
      ("lse", "aarch64-linux-gnu-gcc", ["-march=armv8.1-a", "-DPROBE_LSE"], "qemu-aarch64-static", "armv8.2"),
      // SSE3 is in every x86-64-v2 CPU and in no baseline one (qemu's own qemu64 has it).
      ("sse3", "gcc", ["-DPROBE_SSE3"], "qemu-x86_64-static", "x86-64-v2"),
    ]
    // The baseline model still runs what a baseline build is: Go's GOAMD64=v1, gcc's default.
    let baseline = try #require(CPULevel.known("x86-64")?.qemuModel)
    for fixture in ["go-linux-amd64", "c-gcc-linux-amd64"] {
      let ran = try await Command.run("qemu-x86_64-static", ["-cpu", baseline, Fixtures.named(fixture).path, "x"])
      #expect(ran.status == 0 && ran.stderr.isEmpty, "\(fixture) on \(baseline): \(ran.stderr)")
    }
    for probe in probes {
      let binary = "\(folder)/\(probe.name)"
      let built = try await Command.run(probe.compiler, probe.flags + ["-static", "-O1", source, "-o", binary])
      try #require(built.status == 0, "\(built.stderr)")
      let needs = try #require(CPULevel.known(probe.needs))
      // x86-64-v4 has no model (TCG emulates no AVX-512): nothing to probe.
      for level in CPULevel.levels where level.arch == needs.arch && level.qemuModel != nil {
        let ran = try await Command.run(probe.emulator, ["-cpu", level.qemuModel!, binary])
        #expect((ran.status == 0) == (level.rank! >= needs.rank!), "\(probe.name) on \(level.name): \(ran.status)")
      }
    }
  }

  /// `cpu:` is in the id and the target, and gives the compilers' names for it; without one the
  /// arch's baseline stands in.
  @Test func aCPUAxisNamesItsFlagsForEachCell() throws {
    let yaml = """
      matrix:
        platform: [linux/amd64]
        cpu: [x86-64-v2, v3]
        include:
          - {platform: linux/arm/v7, cpu: armv6}
          - {platform: linux/arm/v7}
          - {platform: linux/riscv64}
      build:
        argv: [echo, "${target.march}", "${target.goamd64}", "${target.goarm}", "${target.cpu}", "${target.qemu_cpu}"]
      """
    let cells = try Planner(host: Platform(os: "linux", arch: "amd64"))
      .plan(try MatrixFile.parse(yaml: yaml, file: "cpu.yml"))
    let argv = Dictionary(uniqueKeysWithValues: cells.map { ($0.id, Array(($0.steps.build?.argv ?? []).dropFirst())) })
    #expect(argv["linux-amd64-gnu-x86-64-v2"] == ["x86-64-v2", "v2", "", "x86-64-v2", "Nehalem"])
    #expect(argv["linux-amd64-gnu-x86-64-v3"]?.prefix(4) == ["x86-64-v3", "v3", "", "x86-64-v3"])
    #expect(argv["linux-arm-v7-gnu-armv6"] == ["armv6+fp", "", "6", "armv6", "arm1176"])
    #expect(argv["linux-arm-v7-gnu"] == ["armv7-a+fp", "", "7", "", "cortex-a7"])
    #expect(argv["linux-riscv64-gnu"] == ["", "", "", "", CPULevel.riscv64Baseline], "RV64GC, docs/matrix.md")
    #expect(cells.first?.target.cpu?.name == "x86-64-v2")
  }

  /// `source` built statically by `compiler` (its flags first) for `platform` and run twice: in a
  /// cell without `cpu:` and in one with `cpu: full`. Returns the cells by the qemu model they ran
  /// on, and `objdump -d` of the program.
  static func builtAndRunOnTwoCPUs(
    _ name: String, source: String, platform: String, full: String, compiler: [String], objdump: String,
    expect: String = ""
  ) async throws -> (byModel: [String: VerifiedCell], disassembly: String) {
    let folder = Fixtures.scratch(name)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try source.write(toFile: folder + "/\(name).c", atomically: true, encoding: .utf8)
    let build = (compiler + ["-static", "-o", "${cell.out}/\(name)", "\(folder)/\(name).c"]).map { "\"\($0)\"" }
    let records = try await FalseVerdictTests.verified(
      """
      matrix:
        include:
          - {platform: \(platform)}
          - {platform: \(platform), cpu: \(full)}
      build:
        argv: [\(build.joined(separator: ", "))]
        artifacts: {\(name): "${cell.out}/\(name)"}
      run:
        - name: count
          argv: ["${artifact:\(name)}"]
      \(expect.isEmpty ? "" : "    expect: \(expect)")
      """, in: folder)
    let cell = platform.replacingOccurrences(of: "/", with: "-") + "-gnu"
    let dump = try await Command.run(objdump, ["-d", folder + "/out/\(cell)/\(name)"])
    return (Dictionary(uniqueKeysWithValues: records.map { ($0.runner.cpuModel ?? "none", $0) }), dump.stdout)
  }

  /// ARMv8.1's LSE atomics (`-march=armv8.1-a`, without gcc's outlined atomics) run under qemu's
  /// `max`, not on a Cortex-A72 (Raspberry Pi 4): an arm64 cell without `cpu:` runs the ARMv8.0
  /// baseline, where the program dies of SIGILL; `cpu: max` asks for everything. objdump confirms
  /// the program holds an LSE instruction.
  @Test func lseAtomicsDieOnTheArm64BaselineAndRunUnderMax() async throws {
    let (byModel, dump) = try await Self.builtAndRunOnTwoCPUs(
      "lse",
      source: """
        #include <stdio.h>
        int main(int argc, char **argv) {
          static long counter;
          long before = __atomic_fetch_add(&counter, argc, __ATOMIC_SEQ_CST);
          printf("%ld\\n", before + counter);
          return 0;
        }

        """, platform: "linux/arm64", full: "max",
      compiler: ["aarch64-linux-gnu-gcc", "-O2", "-march=armv8.1-a", "-mno-outline-atomics"],
      objdump: "aarch64-linux-gnu-objdump")
    #expect(dump.contains("ldaddal") || dump.contains("ldadd"), "an LSE instruction is there")
    #expect(Set(byModel.keys) == ["cortex-a53", "max"], "\(byModel.keys)")
    let baseline = try #require(byModel["cortex-a53"]?.findings.first { $0.kind == .exit })
    #expect(baseline.verdict == .failed && baseline.message.hasPrefix("killed by SIGILL"), "\(baseline.message)")
    #expect(byModel["max"]?.findings.first { $0.kind == .exit }?.verdict == .passed)
  }

  /// Zbb code (`-march=rv64gc_zbb`: `cpop`, `ctz`) runs under qemu 7.2's default `rv64`, not on an
  /// RV64GC board (Debian's baseline): a riscv64 cell without `cpu:` runs RV64GC and the program
  /// dies of SIGILL; `cpu: rv64` asks for qemu's default again. objdump confirms the instructions.
  @Test func bitManipulationDiesOnTheRiscv64BaselineAndRunsUnderRv64() async throws {
    let (byModel, dump) = try await Self.builtAndRunOnTwoCPUs(
      "zbb",
      source: """
        #include <stdio.h>
        #include <stdlib.h>
        int main(int argc, char **argv) {
          unsigned long x = strtoul(argc > 1 ? argv[1] : "12345", 0, 10);
          printf("%d %d\\n", __builtin_popcountl(x), __builtin_ctzl(x));
          return 0;
        }

        """, platform: "linux/riscv64", full: "rv64", compiler: ["riscv64-linux-gnu-gcc", "-O2", "-march=rv64gc_zbb"],
      objdump: "riscv64-linux-gnu-objdump", expect: "{stdout: \"6 0\\n\"}")
    #expect(dump.contains("\tcpop\t"), "a Zbb instruction is there")
    #expect(Set(byModel.keys) == [CPULevel.riscv64Baseline, "rv64"], "\(byModel.keys)")
    let baseline = try #require(byModel[CPULevel.riscv64Baseline]?.findings.first { $0.kind == .exit })
    #expect(baseline.verdict == .failed && baseline.message.hasPrefix("killed by SIGILL"), "\(baseline.message)")
    #expect(byModel["rv64"]?.verdict == .passed, "\(byModel["rv64"]?.findings.map(\.message) ?? [])")
  }
}
