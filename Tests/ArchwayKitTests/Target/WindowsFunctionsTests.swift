import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// The table of Windows functions newer than Vista: regenerated from its source by its script, and
/// held against the "Minimum supported client/server" of Microsoft's API reference.
@Suite struct WindowsFunctionsTests {
  /// `Scripts/build-fixtures.sh` unpacks the mingw-w64 headers of the ziglang release the table
  /// names; the script run over them writes the committed file byte for byte.
  @Test func theCommittedTableIsWhatItsScriptWrites() async throws {
    let release = try #require(WindowsFunctions.source.split(separator: " ").last)
    let source = Fixtures.root + "/.build-tools/mingw-w64-ziglang-\(release)"
    #expect(FileManager.default.fileExists(atPath: source + "/mingw/lib64"), "run Scripts/build-fixtures.sh")
    let result = try await Command.run(
      "python3", [Fixtures.root + "/Scripts/generate-windows-functions.py", source, WindowsFunctions.source])
    #expect(result.status == 0, "\(result.stderr)")
    let committed = try String(
      contentsOfFile: Fixtures.root + "/Sources/ArchwayKit/Target/WindowsFunctionTable.swift", encoding: .utf8)
    #expect(result.stdout == committed)
  }

  /// Each floor as Microsoft's page for the function gives it (learn.microsoft.com, Win32 API
  /// reference, the function's Requirements table), typed from those pages, not from the table.
  @Test(arguments: [
    // Windows 10 build 20348 (fileapi.h, GetTempPath2W).
    ("GetTempPath2W", "KERNEL32.dll", "10.0.20348"),
    // Windows 8 (fileapi.h, CreateFile2; memoryapi.h, PrefetchVirtualMemory; sysinfoapi.h,
    // GetSystemTimePreciseAsFileTime).
    ("CreateFile2", "kernel32.dll", "6.2"),
    ("CreateFile2", "api-ms-win-core-file-l1-2-0.dll", "6.2"),
    ("PrefetchVirtualMemory", "KERNEL32.dll", "6.2"),
    ("GetSystemTimePreciseAsFileTime", "KERNEL32.dll", "6.2"),
    // Windows 7 (sysinfoapi.h, GetLogicalProcessorInformationEx).
    ("GetLogicalProcessorInformationEx", "KERNEL32.dll", "6.1"),
    // Windows 10 1607 (winuser.h, GetDpiForWindow; processthreadsapi.h, SetThreadDescription).
    ("GetDpiForWindow", "USER32.dll", "10.0.14393"),
    ("SetThreadDescription", "KERNEL32.dll", "10.0.14393"),
    // Windows 10 1803 (memoryapi.h, VirtualAlloc2 in api-ms-win-core-memory-l1-1-6).
    ("VirtualAlloc2", "api-ms-win-core-memory-l1-1-6.dll", "10.0.17134"),
    // An API set name the table does not hold takes the function's floor in another DLL.
    ("VirtualAlloc2", "api-ms-win-core-memory-l1-1-7.dll", "10.0.17134"),
  ])
  func floorsAreMicrosofts(_ function: String, _ dll: String, _ first: String) {
    #expect(WindowsFunctions.firstRelease(of: function, in: dll) == DottedVersion(first))
  }

  /// Functions every Windows from Vista on exports, and names that are no Windows function, have
  /// no floor: the check can only fail what the table lists.
  @Test(arguments: [
    ("CreateFileW", "KERNEL32.dll"), ("GetTickCount64", "KERNEL32.dll"), ("greet", "greet.dll"),
    ("GetTempPath2W", "greet.dll"),
  ])
  func olderAndForeignFunctionsHaveNoFloor(_ function: String, _ dll: String) {
    #expect(WindowsFunctions.firstRelease(of: function, in: dll) == nil)
  }
}
