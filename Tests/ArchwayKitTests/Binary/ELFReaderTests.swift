import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// Archway's ELF facts against what each fixture was built to be (the manifest), pyelftools and file(1).
@Suite struct ELFReaderTests {
  static let fixtures = Fixtures.binaries.filter { $0.os == "linux" && !$0.name.hasSuffix("-noshdr") }
  /// pyelftools' facts for every fixture, read once, in one run of the oracle.
  static let oracleRun = Task { (try? await Oracle.facts(fixtures.map(\.path))) ?? [:] }

  static func facts(_ fixture: Fixture) throws -> BinaryFacts {
    try BinaryInspector.inspectFile(atPath: fixture.path)
  }

  @Test func everyKnownLinuxArchitectureIsAmongTheFixtures() {
    let built = Set(Self.fixtures.compactMap(\.platform))
    for spec in TargetCatalog.architectures where spec.platform.os == "linux" {
      #expect(built.contains(spec.platform.description), "no fixture for \(spec.platform)")
    }
  }

  @Test(arguments: fixtures)
  func matchesHowItWasBuilt(_ fixture: Fixture) throws {
    let f = try Self.facts(fixture)
    #expect(f.format == .elf)
    #expect(f.error == nil)
    #expect(f.warnings.isEmpty, "\(f.warnings)")
    let platform = try Platform.parse(try #require(fixture.platform))
    #expect(f.arch == platform.arch)
    // Go writes no ARM attributes: its variant is read from the GOARM of its build info.
    #expect(f.variant == platform.variant)
    #expect(f.type == fixture.type)
    #expect(f.linkage?.rawValue == fixture.linkage)
    #expect(f.libc.rawValue == fixture.libc)
  }

  @Test(arguments: fixtures)
  func agreesWithPyelftools(_ fixture: Fixture) async throws {
    let f = try Self.facts(fixture)
    let o = try #require(await Self.oracleRun.value[fixture.path], "pyelftools gave nothing")
    let spec = try #require(TargetCatalog.spec(for: try Platform.parse(fixture.platform!)))
    #expect(o["e_machine"] as? String == spec.machineName)
    #expect(f.bits == o["elf_class"] as? Int)
    #expect(f.endian == ((o["little_endian"] as? Bool) == true ? .little : .big))
    #expect(f.interpreter == o["interpreter"] as? String)
    #expect(f.needed == o["needed"] as? [String])
    #expect(f.soname == o["soname"] as? String)
    #expect(f.rpath == o["rpath"] as? String)
    #expect(f.runpath == o["runpath"] as? String)
    #expect(f.buildID == o["build_id"] as? String)
    // Archway sorts version names numerically, the oracle as strings: the sets must agree.
    #expect(
      f.versionRequirements.mapValues(Set.init)
        == (o["version_requirements"] as? [String: [String]] ?? [:]).mapValues(Set.init))
    #expect(f.versionedSymbols == (o["versioned_imports"] as? [String: [String]] ?? [:]))
    #expect(f.glibcFloor == o["glibc_floor"] as? String)
    if let floor = f.glibcFloor {
      #expect(f.floorSymbols == (o["versioned_imports"] as? [String: [String]])?["GLIBC_\(floor)"])
    }
    if o["flags_1_pie"] as? Bool == true { #expect(f.type == "pie") }
    let osABI = ["ELFOSABI_SYSV": "sysv", "ELFOSABI_LINUX": "gnu"][o["osabi"] as? String ?? ""]
    #expect(f.osABI == osABI)
  }

  @Test(arguments: fixtures)
  func agreesWithFile(_ fixture: Fixture) async throws {
    let f = try Self.facts(fixture)
    let said = try await Oracle.file(fixture.path)
    #expect(said.hasPrefix("ELF \(f.bits!)-bit \(f.endian == .little ? "LSB" : "MSB")"), "\(said)")
    let typeWords = [
      "pie": "pie executable", "executable": "LSB executable", "shared-library": "shared object",
      "relocatable": "relocatable",
    ]
    if f.type == "executable" {
      #expect(said.contains("LSB executable") || said.contains("MSB executable"), "\(said)")
    } else {
      #expect(said.contains(try #require(typeWords[f.type ?? ""])), "\(said)")
    }
    let linkageWords: [Linkage: String] = [
      .static: "statically linked", .dynamic: "dynamically linked",
      .staticPIE: "static-pie linked",
    ]
    if let linkage = f.linkage { #expect(said.contains(linkageWords[linkage]!), "\(said)") }
    if let interpreter = f.interpreter { #expect(said.contains("interpreter \(interpreter)"), "\(said)") }
    if let id = f.buildID { #expect(said.contains("BuildID[sha1]=\(id)"), "\(said)") }
  }

  @Test func cxxFloorsAreReadForEveryVersionFamily() async throws {
    let f = try Self.facts(Fixtures.named("cxx-gxx-amd64"))
    let o = try #require(await Self.oracleRun.value[Fixtures.named("cxx-gxx-amd64").path])
    let names = (o["version_requirements"] as? [String: [String]] ?? [:]).values.flatMap { $0 }
    for family in ["GLIBC", "GLIBCXX", "CXXABI"] {
      let versions = names.filter { $0.hasPrefix(family + "_") }.compactMap {
        DottedVersion($0.dropFirst(family.count + 1))
      }
      #expect(f.floors[family] == versions.max()?.description, "\(family)")
    }
  }

  /// The Advanced SIMD extension an ARM file's attributes name, against `readelf -A`, on every
  /// 32-bit ARM fixture; NEON makes an ARMv7 file's level `armv7+neon`.
  @Test func armSIMDIsWhatReadelfReads() async throws {
    let arm = Fixtures.binaries.filter { $0.platform?.hasPrefix("linux/arm/") == true }
    #expect(arm.contains { $0.name == "c-gcc-linux-arm-v7-neon" })
    for fixture in arm {
      let facts = try BinaryInspector.inspectFile(atPath: fixture.path)
      let readelf = try await Command.run("readelf", ["-A", fixture.path]).stdout
      let line = readelf.split(separator: "\n").first { $0.contains("Tag_Advanced_SIMD_arch:") }
      let theirs = line.map { String($0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)) }
      #expect(facts.armSIMD == theirs, "\(fixture.name)")
      #expect((facts.cpuLevel == "armv7+neon") == (theirs != nil && facts.variant == "v7"), "\(fixture.name)")
    }
  }

  @Test func armFloatABIAndRiscVABIComeFromTheFlags() async throws {
    let armhf = try Self.facts(Fixtures.named("c-gcc-linux-arm-v7"))
    let armel = try Self.facts(Fixtures.named("c-gcc-linux-arm-v5"))
    #expect(armhf.floatABI == "hard" && armhf.abi == "eabi5")
    #expect(armel.floatABI == "soft" && armel.abi == "eabi5")
    let riscv = try Self.facts(Fixtures.named("c-gcc-linux-riscv64"))
    #expect(riscv.abi == "lp64d" && riscv.floatABI == "double")
    await #expect(try Oracle.file(Fixtures.named("c-gcc-linux-riscv64").path).contains("double-float ABI"))
    let ppc = try Self.facts(Fixtures.named("c-gcc-linux-ppc64le"))
    #expect(ppc.abi == "elfv2")
    await #expect(try Oracle.file(Fixtures.named("c-gcc-linux-ppc64le").path).contains("ELF V2 ABI"))
    #expect(try Self.facts(Fixtures.named("c-gcc-linux-mips64le")).abi == "n64")
  }

  /// sstrip leaves no section headers: every fact must then come from program headers and DT_* alone.
  @Test(arguments: Fixtures.binaries.filter { $0.name.hasSuffix("-noshdr") })
  func withoutSectionHeadersTheFactsAreTheSame(_ fixture: Fixture) async throws {
    let stripped = try BinaryInspector.inspectFile(atPath: fixture.path)
    let original = try BinaryInspector.inspectFile(atPath: String(fixture.path.dropLast("-noshdr".count)))
    #expect(try await Command.run("readelf", ["-S", "-W", fixture.path]).stdout.contains("no sections"))
    var expected = original
    expected.path = stripped.path
    #expect(stripped == expected)
    #expect(stripped.glibcFloor == "2.34")
  }

  /// What a library provides (`.gnu.version_d`) against `readelf -V`, for glibc, libstdc++ and libgcc
  /// on three byte orders and word sizes.
  @Test(arguments: [
    "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
    "/lib/x86_64-linux-gnu/libgcc_s.so.1",
    "/usr/aarch64-linux-gnu/lib/libc.so.6", "/usr/s390x-linux-gnu/lib/libc.so.6",
    "/usr/arm-linux-gnueabihf/lib/libc.so.6",
  ])
  func versionDefinitionsAgreeWithReadelf(_ library: String) async throws {
    let listing = try await Command.run("readelf", ["-V", "-W", library]).stdout
    let section =
      listing.components(separatedBy: "'.gnu.version_d'").dropFirst().first?
      .components(separatedBy: "section '").first ?? ""
    let names = section.split(separator: "\n").filter { $0.contains("Rev:") && !$0.contains("Flags: BASE") }
      .compactMap { line in line.components(separatedBy: "Name: ").last }
    #expect(names.count > 3, "\(listing.prefix(400))")
    let facts = try BinaryInspector.inspectFile(atPath: library)
    #expect(Set(facts.versionDefinitions) == Set(names))
    #expect(facts.warnings.isEmpty, "\(facts.warnings)")
  }

  /// lld ends a build-id note of a length not a multiple of 4 (`--build-id=0x00`, `0xabcdef`) with
  /// its last byte, the padding that would follow left out of the note segment (readelf warns).
  /// The ID is read as pyelftools reads it, and the file is not damaged: such a program runs, and
  /// verify failed it as damaged. A descriptor that itself runs past the segment still is damage.
  @Test func aLastNoteWithoutItsPaddingIsReadAsPyelftoolsReadsIt() async throws {
    let folder = Fixtures.scratch("note-unpadded")
    try "void _start(void) { for (;;) {} }\n".write(toFile: folder + "/s.c", atomically: true, encoding: .utf8)
    var paths: [String] = []
    for id in ["0x00", "0xabcdef", "0x0011223344556677"] {
      let path = folder + "/bid-" + id
      let built = try await Command.run(
        "python3",
        ["-m", "ziglang", "cc", "-target", "x86_64-linux-none", "-nostdlib", "-static", "-Wl,--build-id=" + id]
          + ["-o", path, folder + "/s.c"])
      #expect(built.status == 0, "\(built.stderr)")
      paths.append(path)
    }
    let oracle = try await Oracle.facts(paths)
    for path in paths {
      let facts = try BinaryInspector.inspectFile(atPath: path)
      #expect(facts.warnings.isEmpty, "\(path): \(facts.warnings)")
      let said = try #require(oracle[path]?["build_id"] as? String, "pyelftools read no build ID in \(path)")
      #expect(facts.buildID == said, "\(path)")
    }
    // The 1-byte ID said to be 2 bytes long: its descriptor runs past the 17-byte segment.
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: paths[0])))
    let header: [UInt8] = [4, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0x47, 0x4E, 0x55, 0]
    let at = try #require((0...(bytes.count - header.count)).first { Array(bytes[$0..<($0 + 16)]) == header })
    bytes[at + 4] = 2
    try Data(bytes).write(to: URL(fileURLWithPath: folder + "/overlong"))
    let damaged = try BinaryInspector.inspectFile(atPath: folder + "/overlong")
    #expect(damaged.warnings.contains { $0.contains("note runs past its segment") }, "\(damaged.warnings)")
  }

  /// `inspect` without `--symbols` reads no `versioned_symbols`, and only that is left out: the
  /// floor's imports are still named, as pyelftools names them.
  @Test(arguments: fixtures)
  func withoutVersionedSymbolsOnlyTheirListIsLeftOut(_ fixture: Fixture) async throws {
    let bytes = Fixtures.bytes(fixture)
    var full = bytes.withUnsafeBytes { BinaryInspector.inspect($0, path: fixture.path) }
    let lean = bytes.withUnsafeBytes { BinaryInspector.inspect($0, path: fixture.path, versionedSymbols: false) }
    #expect(lean.versionedSymbols.isEmpty)
    full.versionedSymbols = [:]
    #expect(lean == full)
    let o = try #require(await Self.oracleRun.value[fixture.path], "pyelftools gave nothing")
    if let floor = lean.glibcFloor {
      #expect(lean.floorSymbols == (o["versioned_imports"] as? [String: [String]])?["GLIBC_\(floor)"])
    }
  }

  /// An import that is not the floor's, its name pointing past the string table: damage either
  /// way, though without `versioned_symbols` its name is never made.
  @Test func aBrokenNameOutsideTheFloorIsDamageWithOrWithoutVersionedSymbols() async throws {
    let fixture = Fixtures.named("c-gcc-linux-amd64")
    // Where .dynsym lies, and an import bound to a version older than the floor, as readelf says.
    let sections = try await Command.run("readelf", ["-S", "-W", fixture.path]).stdout
    let row = try #require(sections.split(separator: "\n").first { $0.contains(" .dynsym ") })
    let fields = row.split(separator: " ").map(String.init)
    let offset = try #require(fields.firstIndex(of: ".dynsym").flatMap { Int(fields[$0 + 3], radix: 16) })
    let symbols = try await Command.run("readelf", ["--dyn-syms", "-W", fixture.path]).stdout
    let facts = try BinaryInspector.inspectFile(atPath: fixture.path)
    let floor = try #require(facts.glibcFloor)
    let older = try #require(
      symbols.split(separator: "\n").first {
        $0.contains(" UND ") && $0.contains("@GLIBC_") && !$0.contains("@GLIBC_\(floor)")
      })
    let index = try #require(Int(older.split(separator: ":")[0].trimmingCharacters(in: .whitespaces)))
    var bytes = Fixtures.bytes(fixture)
    MalformedInputTests.put(UInt32(0xF0F0_F0F0), at: offset + index * 24, in: &bytes)  // st_name
    let full = bytes.withUnsafeBytes { BinaryInspector.inspect($0) }
    let lean = bytes.withUnsafeBytes { BinaryInspector.inspect($0, versionedSymbols: false) }
    #expect(full.warnings.contains { $0.hasPrefix("versioned symbols:") }, "\(full.warnings)")
    #expect(lean.warnings == full.warnings && lean.damage == full.damage && lean.damage != nil)
  }

  /// Version names of one number (`GLIBC_2`, `GLIBC_2.0`) are ordered by name. They come from a
  /// Set, so ordered by number alone they kept its order, which its hashing makes: two reads of one
  /// file listed them differently (found by `fuzz.sh elf`, which reads each input twice).
  @Test func versionsOfOneNumberAreOrderedByName() {
    let names = ["GLIBC_2.34", "GLIBC_2.0", "GLIBC_2"]
    for first in names.indices {
      for second in names.indices where second != first {
        let order = [names[first], names[second], names[3 - first - second]]
        #expect(ELFFile.sortedVersions(order) == ["GLIBC_2", "GLIBC_2.0", "GLIBC_2.34"], "\(order)")
      }
    }
  }
}
