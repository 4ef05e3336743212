import Foundation

/// Facts about the machine Archway runs on.
package enum HostProbe {
  /// The host's platform from `uname`: `linux/amd64` here. Falls back to `linux/amd64` for a
  /// machine name Archway does not know.
  package static func platform() -> Platform {
    let (system, machine, _) = uname()
    let os = system == "Darwin" ? "darwin" : "linux"
    let arch = machine.hasPrefix("armv7") ? "armv7" : machine
    return (try? Platform.parse("\(os)/\(arch)")) ?? Platform(os: "linux", arch: "amd64")
  }

  /// What a report records of this host: its platform, kernel, binfmt_misc registrations, and the
  /// version of every tool in `tools` (the emulators, engines and wine the cells' runners use),
  /// asked all at once through the run's `versions`, where the runners' keys find them.
  static func info(tools launchers: Set<String>, versions: Toolchains.VersionCache) async -> HostInfo {
    let tools = await withTaskGroup(of: (String, String).self) { group in
      for launcher in launchers {
        group.addTask { (launcher, await versions.firstLine(of: [launcher, "--version"]) ?? "version unknown") }
      }
      return await group.reduce(into: [String: String]()) { $0[$1.0] = $1.1 }
    }
    return HostInfo(
      platform: platform().description, kernel: uname().release, tools: tools, binfmt: HostReport.binfmtCheck().detail)
  }

  /// The kernel's name, machine and release.
  package static func uname() -> (system: String, machine: String, release: String) {
    var info = utsname()
    #if canImport(Glibc)
      _ = Glibc.uname(&info)
    #else
      _ = Darwin.uname(&info)
    #endif
    func text<T>(_ field: inout T) -> String {
      withUnsafeBytes(of: &field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
    return (text(&info.sysname), text(&info.machine), text(&info.release))
  }
}

extension HostInfo {
  /// The same description with the tools in `used` only: those the cells used, of the ones asked.
  func limited(to used: Set<String>) -> HostInfo {
    var info = self
    info.tools = tools.filter { used.contains($0.key) }
    return info
  }
}
