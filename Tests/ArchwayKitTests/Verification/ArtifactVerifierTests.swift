import ArchwayKit
import ArchwayTestSupport
import Testing

/// The release gate on real binaries: each case a fixture, a policy and the check that must (or must not) fire.
@Suite struct ArtifactVerifierTests {
  static func violations(
    _ name: String, _ platform: String, libc: String = "any", glibcMax: String? = nil,
    allowed: [String]? = nil
  ) throws -> [Violation] {
    let facts = try BinaryInspector.inspectFile(atPath: Fixtures.named(name).path)
    let policy = ArtifactPolicy(
      platform: try Platform.parse(platform), libc: try LibcRequirement.parse(libc),
      glibcMax: glibcMax.flatMap(DottedVersion.init), allowedNeeded: allowed)
    return ArtifactVerifier.check(facts, against: policy)
  }

  /// Every fixture for a target Archway knows fits it, except those built not to (`builtToFail`):
  /// the Go 1.19 darwin builds (no `LC_UUID`), the object file, the builds linked for 4 KiB pages,
  /// the Windows programs needing a runtime DLL a clean Windows lacks, the Mac program needing a
  /// Homebrew dylib, the amd64-only Mac program Rosetta cannot run, and the libraries asking for an
  /// executable stack. OperatingSystemTests, PageSizeTests, MacChecksTests, WindowsChecksTests and
  /// ExecStackTests hold the cases of each.
  @Test(arguments: Fixtures.binaries.filter { ["linux", "darwin", "windows"].contains($0.os) })
  func everyFixtureFitsTheTargetItWasBuiltFor(_ fixture: Fixture) throws {
    let libc = fixture.linkage == "static" ? "static" : (fixture.libc == "musl" ? "musl" : "any")
    #expect(try Self.violations(fixture.name, fixture.platform!, libc: libc).map(\.check) == fixture.builtToFail)
  }

  @Test func theGlibcFloorNamesTheSymbolsThatRaiseIt() throws {
    let found = try Self.violations("c-gcc-linux-arm64", "linux/arm64", glibcMax: "2.31")
    #expect(
      found.map(\.message) == [
        "requires GLIBC_2.34 (__libc_start_main@GLIBC_2.34) but the target allows at most 2.31"
      ])
    #expect(try Self.violations("c-gcc-linux-arm64", "linux/arm64", libc: "gnu-2.31").map(\.check) == [.glibcFloor])
    #expect(try Self.violations("c-gcc-linux-arm64", "linux/arm64", glibcMax: "2.34") == [])
    #expect(try Self.violations("c-zig-arm64-gnu2.17", "linux/arm64", libc: "gnu-2.17") == [])
    // x86_64's oldest symbol versions are GLIBC_2.2.5: compared numerically, 2.2.5 < 2.9 < 2.17.
    #expect(try Self.violations("c-zig-amd64-gnu2.17", "linux/amd64", glibcMax: "2.9") == [])
    #expect(try Self.violations("c-zig-amd64-gnu2.17", "linux/amd64", glibcMax: "2.2").map(\.found) == ["2.2.5"])
  }

  /// aarch64's `_mcount` is GLIBC_2.18 in every glibc, and CentOS 7's 2.17 has it: a profiled build
  /// (`gcc -pg`, which calls it) is not held to 2.18 on arm64, on amd64 nothing changes, and the
  /// genuinely new 2.18 symbols still count. readelf confirms what the binary binds.
  @Test func aarch64McountIsNoGlibc218Need() async throws {
    let folder = Fixtures.scratch("mcount")
    try "int main(void) { return 0; }\n".write(toFile: folder + "/p.c", atomically: true, encoding: .utf8)
    let built = try await Command.run("aarch64-linux-gnu-gcc", ["-pg", "-o", folder + "/p", folder + "/p.c"])
    #expect(built.status == 0, "\(built.stderr)")
    let dynamic = try await Command.run("readelf", ["--dyn-syms", "-W", folder + "/p"]).stdout
    #expect(dynamic.contains("_mcount@GLIBC_2.18"), "\(dynamic)")
    let facts = try BinaryInspector.inspectFile(atPath: folder + "/p")
    let found = ArtifactVerifier.check(
      facts, against: ArtifactPolicy(platform: try Platform.parse("linux/arm64"), libc: .gnu(DottedVersion("2.17"))))
    #expect(found.count == 1 && !found[0].message.contains("_mcount"), "\(found.map(\.message))")
    #expect(found.first?.message.contains("__libc_start_main@GLIBC_2.34") == true)
    // Only _mcount above 2.17: no floor rose on arm64; on amd64, and with a new 2.18 symbol, it did.
    var mcountOnly = BinaryFacts(path: "p", format: .elf)
    (mcountOnly.arch, mcountOnly.glibcFloor) = ("arm64", "2.18")
    mcountOnly.versionedSymbols = ["GLIBC_2.18": ["_mcount"], "GLIBC_2.17": ["abort"]]
    let centOS7 = ArtifactPolicy(platform: try Platform.parse("linux/arm64"), libc: .gnu(DottedVersion("2.17")))
    #expect(ArtifactVerifier.check(mcountOnly, against: centOS7).isEmpty)
    var amd64 = mcountOnly
    amd64.arch = "amd64"
    #expect(
      ArtifactVerifier.check(
        amd64, against: ArtifactPolicy(platform: try Platform.parse("linux/amd64"), libc: .gnu(DottedVersion("2.17")))
      ).map(\.check) == [.glibcFloor])
    var newer = mcountOnly
    newer.versionedSymbols["GLIBC_2.18"] = ["_mcount", "__cxa_thread_atexit_impl"]
    #expect(
      ArtifactVerifier.check(newer, against: centOS7).map(\.message) == [
        "requires GLIBC_2.18 (__cxa_thread_atexit_impl@GLIBC_2.18) but the target allows at most 2.17"
      ])
  }

  /// musl's soname is plain `libc.so` (musl-gcc -shared, musllinux wheels): that is musl, and it
  /// fails a glibc target. pyelftools confirms the DT_NEEDED the decision rests on.
  @Test func aMuslSharedLibraryFailsAGlibcGate() async throws {
    let library = Fixtures.named("libhello-musl.so").path
    let oracle = try await Oracle.facts([library])[library]
    #expect(oracle?["needed"] as? [String] == ["libc.so"], "pyelftools reads the same DT_NEEDED")
    #expect(try BinaryInspector.inspectFile(atPath: library).libc == .musl)
    #expect(
      try Self.violations("libhello-musl.so", "linux/amd64", libc: "gnu").map(\.message) == [
        "links musl but the target's libc is glibc"
      ])
    #expect(try Self.violations("libhello-musl.so", "linux/amd64", libc: "musl") == [])
  }

  /// A dynamic binary that needs libraries but shows no libc Archway knows fails a libc gate rather
  /// than passing on no evidence.
  @Test func noSignOfTheLibcIsNoPass() throws {
    var facts = try BinaryInspector.inspectFile(atPath: Fixtures.named("libhello-musl.so").path)
    facts.libc = .unknown
    facts.needed = ["libgcc_s.so.1"]
    let policy = ArtifactPolicy(platform: try Platform.parse("linux/amd64"), libc: .gnu(nil))
    #expect(
      ArtifactVerifier.check(facts, against: policy).map(\.message) == [
        "is dynamically linked but shows no sign of glibc (needs libgcc_s.so.1); the target's libc is glibc"
      ])
    facts.needed = []
    #expect(ArtifactVerifier.check(facts, against: policy) == [], "needing nothing, it loads anywhere")
  }

  @Test func theFloorListsEverySymbolAboveTheCeilingNewestFirst() throws {
    let found = try Self.violations("cxx-gxx-amd64", "linux/amd64", glibcMax: "2.2.5")
    let message = try #require(found.first?.message)
    #expect(message.hasPrefix("requires GLIBC_2.34 (__libc_start_main@GLIBC_2.34, "))
    #expect(message.contains("@GLIBC_2.14"))
  }

  @Test(arguments: [
    (
      "c-gcc-linux-arm64", "linux/amd64",
      "built for arm64 (EM_AARCH64, 64-bit, little-endian) but the target is linux/amd64"
    ),
    (
      "c-gcc-linux-s390x", "linux/ppc64le",
      "built for s390x (EM_S390, 64-bit, big-endian) but the target is linux/ppc64le"
    ),
    (
      "c-gcc-linux-amd64", "linux/386", "built for amd64 (EM_X86_64, 64-bit, little-endian) but the target is linux/386"
    ),
    (
      "go-windows-arm64.exe", "windows/amd64",
      "built for arm64 (IMAGE_FILE_MACHINE_ARM64, 64-bit, little-endian) but the target is windows/amd64"
    ),
    (
      "go-darwin-amd64", "darwin/arm64",
      "built for amd64 (CPU_TYPE_X86_64, 64-bit, little-endian) but the target is darwin/arm64"
    ),
  ])
  func aWrongArchitectureIsNamed(name: String, target: String, message: String) throws {
    #expect(try Self.violations(name, target).map(\.message) == [message])
  }

  @Test func armFloatABIMustMatchTheVariant() throws {
    #expect(
      try Self.violations("c-gcc-linux-arm-v5", "linux/arm/v7").map(\.message) == [
        "uses the soft-float ABI but linux/arm/v7 needs hard-float"
      ])
    #expect(try Self.violations("c-gcc-linux-arm-v7", "armel").map(\.check) == [.arch, .arch])
  }

  @Test func theFormatMustBeWhatTheOSLoads() throws {
    #expect(
      try Self.violations("go-windows-amd64.exe", "linux/amd64").map(\.message) == [
        "is a PE file but linux/amd64 loads ELF"
      ])
    #expect(
      try Self.violations("notes.txt", "linux/amd64").map(\.message) == ["is not a binary but linux/amd64 loads ELF"])
  }

  @Test func libcFamiliesAreChecked() throws {
    #expect(
      try Self.violations("c-musl-dynamic-amd64", "linux/amd64", libc: "gnu").map(\.message) == [
        "links musl (interpreter /lib/ld-musl-x86_64.so.1) but the target's libc is glibc"
      ])
    #expect(try Self.violations("c-gcc-linux-amd64", "linux/amd64", libc: "musl").map(\.check) == [.libc])
    #expect(
      try Self.violations("c-gcc-linux-amd64", "linux/amd64", libc: "static").first?.message
        == "is dynamically linked (interpreter /lib64/ld-linux-x86-64.so.2), needs libc.so.6 but the target requires a static binary"
    )
    #expect(try Self.violations("c-musl-static-amd64", "linux/amd64", libc: "gnu") == [])
    #expect(try Self.violations("c-gcc-static-pie-amd64", "linux/amd64", libc: "static") == [])
  }

  @Test func neededLibrariesMustBeAllowed() throws {
    #expect(
      try Self.violations("cxx-gxx-amd64", "linux/amd64", allowed: ["libc.so.*", "libgcc_s.so.1"]).map(\.found) == [
        "libstdc++.so.6"
      ])
    #expect(try Self.violations("go-windows-amd64.exe", "windows/amd64", allowed: ["KERNEL32.DLL"]) == [])
  }

  @Test func aFatBinaryNeedsTheTargetsSlice() throws {
    let path = try MachOFiles.fat([
      Fixtures.named("c-zig-darwin-amd64").path, Fixtures.named("c-zig-darwin-arm64").path,
    ])
    let facts = try BinaryInspector.inspectFile(atPath: path)
    #expect(ArtifactVerifier.check(facts, against: ArtifactPolicy(platform: try Platform.parse("darwin/arm64"))) == [])
    let missing = ArtifactVerifier.check(facts, against: ArtifactPolicy(platform: Platform(os: "darwin", arch: "386")))
    #expect(missing.map(\.message) == ["has no 386 slice (slices: x86_64, arm64) but the target is darwin/386"])
  }
}
