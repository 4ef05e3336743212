import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Mach-O and PE facts of Go-built binaries against how they were built, macholib, pefile and file(1).
@Suite struct MachOAndPEReaderTests {
  static let darwin = Fixtures.binaries.filter { $0.os == "darwin" }
  static let windows = Fixtures.binaries.filter { $0.os == "windows" }

  @Test(arguments: darwin)
  func thinMachOMatchesHowItWasBuiltAndMacholib(_ fixture: Fixture) async throws {
    let f = try BinaryInspector.inspectFile(atPath: fixture.path)
    let platform = try Platform.parse(fixture.platform!)
    #expect(f.format == .macho && f.error == nil)
    #expect(f.arch == platform.arch && f.type == fixture.type && f.libc == .system && f.bits == 64)
    let o = try #require(try await Oracle.facts([fixture.path])[fixture.path])
    let expected = try #require((o["slices"] as? [[String: Any]])?.first)
    let slice = try #require(f.slices?.first)
    Self.compare(slice, expected)
    #expect(f.needed == slice.dylibs + slice.weakDylibs)
    let said = try await Oracle.file(fixture.path)
    let kind = slice.type == "shared-library" ? "dynamically linked shared library" : "executable"
    #expect(said.hasPrefix("Mach-O 64-bit \(slice.cpu) \(kind)"), "\(said)")
    #expect(said.contains("PIE") == (slice.type == "pie"), "\(said)")
  }

  static func compare(_ slice: MachOSlice, _ expected: [String: Any]) {
    let cpuNames = ["ARM64": "arm64", "x86_64": "x86_64", "i386": "i386"]
    #expect(cpuNames[expected["cputype"] as? String ?? ""] == slice.cpu)
    #expect(slice.dylibs == expected["dylibs"] as? [String])
    #expect(slice.weakDylibs == expected["weak_dylibs"] as? [String])
    #expect(slice.rpaths == expected["rpaths"] as? [String])
    #expect(slice.uuid == expected["uuid"] as? String)
    #expect(slice.minos == expected["minos"] as? String)
    #expect(slice.sdk == expected["sdk"] as? String)
    #expect(slice.signed == expected["signed"] as? Bool)
    #expect(slice.platform == (expected["platform"] as? Int == 1 ? "macos" : nil))
    #expect(slice.offset == expected["offset"] as? Int)
    #expect(slice.size == expected["size"] as? Int)
  }

  @Test(arguments: [false, true])
  func fatMachOReportsEverySlice(wide: Bool) async throws {
    let parts = [Fixtures.named("go-darwin-amd64"), Fixtures.named("go-darwin-arm64")]
    let path = try MachOFiles.fat(parts.map(\.path), wide: wide)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let f = try BinaryInspector.inspectFile(atPath: path)
    #expect(f.format == .machoFat && f.error == nil)
    #expect(f.arch == nil)
    let slices = try #require(f.slices)
    #expect(slices.map(\.arch) == ["amd64", "arm64"])
    let o = try #require(try await Oracle.facts([path])[path])
    let expected = try #require(o["slices"] as? [[String: Any]])
    #expect(expected.count == 2)
    for (slice, oracle) in zip(slices, expected) { Self.compare(slice, oracle) }
    if !wide {  // file(1) 5.44 does not know fat64 headers.
      let said = try await Oracle.file(path)
      #expect(said.contains("Mach-O universal binary with 2 architectures: [x86_64"), "\(said)")
      #expect(said.contains("arm64"), "\(said)")
    }
  }

  @Test(arguments: windows)
  func peMatchesHowItWasBuiltAndPefile(_ fixture: Fixture) async throws {
    let f = try BinaryInspector.inspectFile(atPath: fixture.path)
    let platform = try Platform.parse(fixture.platform!)
    #expect(f.format == .pe && f.error == nil && f.warnings.isEmpty)
    #expect(f.arch == platform.arch && f.type == fixture.type && f.libc == .system)
    let o = try #require(try await Oracle.facts([fixture.path])[fixture.path])
    let spec = try #require(TargetCatalog.spec(for: platform))
    let machines = [
      "IMAGE_FILE_MACHINE_AMD64": 0x8664, "IMAGE_FILE_MACHINE_ARM64": 0xAA64, "IMAGE_FILE_MACHINE_I386": 0x14C,
    ]
    #expect(machines[spec.machineName] == o["machine"] as? Int)
    #expect(f.peFormat == (o["magic"] as? Int == 0x20B ? "PE32+" : "PE32"))
    #expect(f.bits == (o["magic"] as? Int == 0x20B ? 64 : 32))
    #expect(f.subsystem == [2: "windows-gui", 3: "windows-cui"][o["subsystem"] as? Int ?? 0])
    #expect(f.subsystemVersion == o["subsystem_version"] as? String)
    #expect(f.peOSVersion == o["os_version"] as? String)
    #expect(f.dlls == o["dlls"] as? [String])
    #expect((f.delayDLLs ?? []) == o["delay_dlls"] as? [String])
    #expect(f.imports == o["imports"] as? [String: [String]])
    #expect(f.imports?.values.joined().isEmpty == false)
    #expect(f.authenticode == o["authenticode"] as? Bool)
    #expect(f.needed == f.dlls)
    #expect((f.type == "shared-library") == (o["is_dll"] as? Bool))
    let said = try await Oracle.file(fixture.path)
    let kind = (f.type == "shared-library" ? "(DLL) " : "") + (f.subsystem == "windows-gui" ? "(GUI)" : "(console)")
    #expect(said.hasPrefix("\(f.peFormat!) executable \(kind)"), "\(said)")
  }

  @Test func javaClassFilesAreNotFatMachO() {
    // A class file starts cafebabe too; its next word is the class version (here 52, Java 8).
    let bytes: [UInt8] = [0xCA, 0xFE, 0xBA, 0xBE, 0x00, 0x00, 0x00, 0x34] + [UInt8](repeating: 0, count: 64)
    #expect(bytes.withUnsafeBytes(BinaryInspector.detectFormat) == .unknown)
  }
}
