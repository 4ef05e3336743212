import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// What a clean Windows of the target's release refuses, on real zig and Go binaries and on copies
/// changed with pefile (`Tests/Oracles/pe_edit.py`): each case fails `verify` with a message naming
/// its cause, and every sound binary passes. The sources for what Windows refuses are in
/// `ArtifactVerifier+Windows.swift` and `WindowsDLLs.swift`.
@Suite struct WindowsChecksTests {
  struct Case: Sendable, CustomStringConvertible {
    let fixture: String
    var edits: [String] = []
    var os: String? = nil
    /// Copied alone into a folder of its own, away from the DLLs beside it among the fixtures.
    var alone = false
    var allow: [String]? = nil
    /// Files put beside the copy (`alone`), named as DLLs.
    var beside: [String] = []
    /// `signed: true`: an Authenticode signature is required.
    var signed = false
    /// What each violation's message must contain, in order; empty: the file passes.
    let causes: [String]
    var description: String {
      "\(fixture) \(edits) on \(os ?? "the default")\(alone ? ", alone" : "")\(allow.map { " allowing \($0)" } ?? "")"
        + (signed ? ", signed" : "")
    }
  }

  static let cases: [Case] = [
    Case(fixture: "c-zig-windows-amd64.exe", causes: []),
    Case(fixture: "go-windows-amd64.exe", causes: []),
    Case(fixture: "go1.24-windows-amd64.exe", causes: []),
    Case(fixture: "greet.dll", causes: []),
    // The project's own DLL beside the program is found there first; alone, the program cannot start.
    Case(fixture: "c-zig-windows-greet.exe", causes: []),
    Case(
      fixture: "c-zig-windows-greet.exe", alone: true,
      causes: ["needs greet.dll, which is neither part of a clean Windows nor beside it in its folder"]),
    Case(
      fixture: "c-zig-windows-greet.exe", alone: true, allow: ["greet.dll", "api-ms-win-crt-*", "*32.dll"], causes: []),
    // A delay-loaded DLL is loaded only when one of its functions is first called: alone, the
    // program still starts (zig's lld-link -DELAYLOAD; pefile reads the same delay table).
    Case(fixture: "c-zig-windows-delay.exe", alone: true, causes: []),
    // Runtimes wine ships its own copies of.
    Case(
      fixture: "c-zig-windows-vcruntime.exe",
      causes: ["needs VCRUNTIME140.dll, the Visual C++ runtime, which a clean Windows does not have"]),
    Case(
      fixture: "c-zig-windows-mingwrt.exe",
      causes: ["needs libwinpthread-1.dll, a MinGW runtime DLL, which a clean Windows does not have: link with -static"]
    ),
    // The Universal CRT is part of Windows from 10 on.
    Case(fixture: "c-zig-windows-amd64.exe", os: "10", causes: []),
    Case(
      fixture: "c-zig-windows-amd64.exe", os: "8.1",
      causes: [
        "needs the Universal CRT (api-ms-win-crt-convert-l1-1-0.dll and 7 more of its API sets), part of Windows from 10"
      ]),
    Case(
      fixture: "c-zig-windows-amd64.exe", edits: ["rename-import:KERNEL32.dll=d3d12.dll"], os: "10.0.17763", causes: []),
    Case(
      fixture: "c-zig-windows-amd64.exe", edits: ["rename-import:KERNEL32.dll=d3d12.dll"], os: "7",
      causes: ["needs the Universal CRT", "needs d3d12.dll, which Windows has from 10 on, but the target is Windows 7"]),
    Case(
      fixture: "c-zig-windows-amd64.exe", edits: ["rename-import:KERNEL32.dll=nosuch32.dll"],
      causes: ["needs nosuch32.dll, which is neither part of a clean Windows nor beside it"]),
    // Header versions: Windows refuses a newer subsystem (or OS) version than its own.
    Case(
      fixture: "c-zig-windows-amd64.exe", edits: ["subsystem:11.0"],
      causes: ["its header asks for subsystem version 11.0, newer than Windows Server 2016 (10.0.14393)"]),
    Case(
      fixture: "c-zig-windows-amd64.exe", edits: ["os:10.1"],
      causes: ["its header asks for OS version 10.1, newer than Windows Server 2016"]),
    // A release for download must carry Authenticode (osslsigncode signed the fixture).
    Case(
      fixture: "c-zig-windows-amd64.exe", signed: true,
      causes: ["has no Authenticode signature, and the release must be signed (signed: true)"]),
    Case(fixture: "c-zig-windows-signed.exe", signed: true, causes: []),
    Case(fixture: "c-zig-windows-signed.exe", causes: []),
    // Functions newer than the target's Windows: wine stubs them, Windows refuses to start the program.
    Case(
      fixture: "c-zig-windows-newapi.exe",
      causes: [
        "imports GetTempPath2W from KERNEL32.dll, which Windows exports from Windows Server 2022 (10.0.20348)"
          + " on, but the target is Windows Server 2016 (10.0.14393)"
      ]),
    Case(fixture: "c-zig-windows-newapi.exe", os: "server-2022", causes: []),
    // kernel32 is a Known DLL: Windows loads it from System32 whatever lies beside the program
    // (Microsoft, "Dynamic-link library search order", known DLLs), so a copy there hides nothing.
    Case(
      fixture: "c-zig-windows-newapi.exe", alone: true, beside: ["KERNEL32.dll"],
      causes: ["imports GetTempPath2W from KERNEL32.dll, which Windows exports from Windows Server 2022"]),
    Case(fixture: "c-zig-windows-newapi.exe", os: "11", causes: []),
    Case(
      fixture: "c-zig-windows-newapi.exe", os: "10.0.20347",
      causes: ["imports GetTempPath2W from KERNEL32.dll, which Windows exports from Windows Server 2022"]),
    Case(
      fixture: "c-zig-windows-newapi.exe", os: "7",
      causes: [
        "needs the Universal CRT",
        "imports 2 functions newer than the target: GetTempPath2W (KERNEL32.dll, from Windows Server 2022"
          + " (10.0.20348)), GetSystemTimePreciseAsFileTime (KERNEL32.dll, from Windows 8 (6.2)); but the target is"
          + " Windows 7 (6.1.7600)",
      ]),
    // Go 1.21 and later support Windows 10 and Server 2016 only; Go 1.19 writes 6.1 (Windows 7).
    Case(fixture: "go-windows-amd64.exe", os: "7", causes: []),
    Case(
      fixture: "go1.24-windows-amd64.exe", os: "8.1",
      causes: ["which supports Windows 10 (10.0.10240) and later, but the target is Windows 8.1"]),
    Case(
      fixture: "go-windows-amd64.exe", os: "vista",
      causes: [
        "asks for subsystem version 6.1, newer than Windows Vista", "asks for OS version 6.1",
        "is built by go1.19",
      ]),
  ]

  @Test(arguments: cases)
  func eachRefusalFailsWithItsCause(_ test: Case) async throws {
    let source = Fixtures.named(test.fixture).path
    let folder = Fixtures.scratch("windows-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var path = source
    if !test.edits.isEmpty || test.alone {
      path = folder + "/" + test.fixture
      if test.edits.isEmpty {
        try FileManager.default.copyItem(atPath: source, toPath: path)
      } else {
        let result = try await Command.run(
          "python3", [Fixtures.root + "/Tests/Oracles/pe_edit.py", source, path] + test.edits)
        #expect(result.status == 0, "\(result.stderr)")
      }
    }
    for name in test.beside { try Data("MZ".utf8).write(to: URL(fileURLWithPath: folder + "/" + name)) }
    let policy = try ArtifactPolicy(
      target: "windows/amd64", libc: "any", glibcMax: nil, allowNeeded: test.allow?.joined(separator: ","),
      osVersion: test.os, signed: test.signed)
    let verdict = try #require(
      ArtifactVerifier.verify(
        [(InspectTarget(path: path, named: true), try BinaryInspector.inspectFile(atPath: path))], against: policy
      ).first)
    #expect(verdict.violations.count == test.causes.count, "\(verdict.violations.map(\.message))")
    for (violation, cause) in zip(verdict.violations, test.causes) {
      #expect(violation.message.contains(cause), "\(violation.message)")
    }
  }

  /// The table's floors are each a release Archway can parse, in the order releases came.
  @Test func releasesAreOrderedAndEveryFloorIsOne() throws {
    let versions = try OSVersion.windowsReleases.map { try OSVersion.parse($0.name, os: "windows").version }
    #expect(versions == versions.sorted())
    for (dll, release) in WindowsDLLs.firstRelease {
      #expect(OSVersion.windowsReleases.contains { $0.name == release }, "\(dll): \(release)")
    }
  }

  /// The wine cell of a matrix that copies `fixture` into the cell as its artifact and starts it.
  static func wineCell(_ fixture: String, folder: String, verify: String = "") async throws -> VerifiedCell {
    let records = try await FalseVerdictTests.verified(
      """
      matrix:
        platform: [windows/amd64]
      build:
        argv: [cp, "\(Fixtures.named(fixture).path)", "${cell.out}/app.exe"]
        artifacts: {app: "${cell.out}/app.exe"}
      run:
        - name: start
          argv: ["${artifact:app}"]
      \(verify)
      """, in: folder)
    let record = try #require(records.first)
    #expect(record.runner.kind == .wine, "setup-host installs wine: \(record.runner.reason)")
    return record
  }

  /// A wine cell runs what a clean Windows cannot start: wine has its own VCRUNTIME140.dll, so the
  /// run passes, and the static check fails the cell with the cause.
  @Test func aWineCellFailsWhatOnlyWineStarts() async throws {
    let folder = Fixtures.scratch("wine-vcruntime")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let record = try await Self.wineCell("c-zig-windows-vcruntime.exe", folder: folder)
    let ran = try #require(record.findings.first { $0.kind == .exit })
    #expect(ran.verdict == .passed, "wine has its own VCRUNTIME140.dll: \(ran.message) \(ran.details ?? "")")
    let dlls = try #require(record.findings.first { $0.kind == .dlls })
    #expect(dlls.verdict == .failed && dlls.message.contains("needs VCRUNTIME140.dll, the Visual C++ runtime"))
    #expect(record.steps.last?.stdoutHead.hasPrefix("started") == true)
    #expect(record.verdict == .failed)
  }

  /// wine stubs the functions it lacks (GetTempPath2W) and runs the program; Windows Server 2016
  /// refuses to start it, and the static check says so in the same cell.
  @Test func aWineCellFailsFunctionsItsWindowsLacks() async throws {
    let folder = Fixtures.scratch("wine-newapi")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let record = try await Self.wineCell("c-zig-windows-newapi.exe", folder: folder)
    let ran = try #require(record.findings.first { $0.kind == .exit })
    #expect(ran.verdict == .passed, "\(ran.message) \(ran.details ?? "")")
    let release = try #require(record.findings.first { $0.kind == .osVersion })
    #expect(release.verdict == .failed && release.message.contains("imports GetTempPath2W from KERNEL32.dll"))
    #expect(record.verdict == .failed)
  }

  /// `verify: {signed: true}` holds a cell's PE artifacts to Authenticode; the run proves nothing of it.
  @Test(arguments: [("c-zig-windows-amd64.exe", false), ("c-zig-windows-signed.exe", true)])
  func signedTrueAsksForAuthenticode(_ fixture: String, _ signed: Bool) async throws {
    let folder = Fixtures.scratch("wine-signed-\(signed)")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let record = try await Self.wineCell(fixture, folder: folder, verify: "verify: {signed: true}")
    let signature = try #require(record.findings.first { $0.kind == .signature })
    #expect(signature.verdict == (signed ? .passed : .failed), "\(signature.message)")
    #expect(record.verdict == (signed ? .passed : .failed))
  }

  /// A program wine cannot load ends before `main` with exit 53 and no word; the finding names the
  /// DLL, which wine's loader says when the step runs again with its error channel on.
  @Test func aSilentWineFailureNamesTheMissingDLL() async throws {
    let folder = Fixtures.scratch("wine-mingwrt")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let record = try await Self.wineCell("c-zig-windows-mingwrt.exe", folder: folder)
    let ended = try #require(record.findings.first { $0.kind == .exit })
    #expect(ended.verdict == .failed)
    #expect(
      ended.message.hasPrefix(
        "exit 53, expected 0; wine's loader says: Library libwinpthread-1.dll (which is needed by")
        && ended.message.contains(") not found"), "\(ended.message)")
  }
}
