import Foundation

/// Facts about the machine Archway runs on.
public enum HostProbe {
  /// The host's platform from `uname`: `linux/amd64` here. Falls back to `linux/amd64` for a
  /// machine name Archway does not know.
  public static func platform() -> Platform {
    var info = utsname()
    uname(&info)
    let machine = withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let system = withUnsafeBytes(of: &info.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let os = system == "Darwin" ? "darwin" : "linux"
    let arch = machine.hasPrefix("armv7") ? "armv7" : machine
    return (try? Platform.parse("\(os)/\(arch)")) ?? Platform(os: "linux", arch: "amd64")
  }
}
