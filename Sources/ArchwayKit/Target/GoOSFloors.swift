/// The oldest release of each OS that a Go release supports: a Go binary's runtime may refuse to
/// start, or crash, on an older one, however sound the file looks.
///
/// From the Go release notes (go.dev/doc/go1.N, "Ports"): "Go 1.21 requires at least Windows 10 or
/// Windows Server 2016" and "macOS 10.15 Catalina or later"; "Go 1.23 requires macOS 11 Big Sur or
/// later"; "Go 1.25 requires macOS 12 Monterey or later"; "Go 1.27 will require macOS 13 Ventura"
/// (go1.26); "Go 1.24 requires Linux kernel version 3.2 or later". Before: Go 1.17 to 1.20 need
/// macOS 10.13 High Sierra (go1.17); the kernel floor was 2.6.23 to Go 1.18 and 2.6.32 from Go 1.19
/// (the Go wiki's Linux page).
package enum GoOSFloors {
  /// Rows of (first Go minor version, windows release, macOS, Linux kernel), oldest first; each
  /// holds until the next row's Go.
  private static let rows: [(go: Int, windows: String, macOS: String, kernel: String)] = [
    (17, "7", "10.13", "2.6.23"),
    (19, "7", "10.13", "2.6.32"),
    (21, "10", "10.15", "2.6.32"),
    (23, "10", "11.0", "2.6.32"),
    (24, "10", "11.0", "3.2"),
    (25, "10", "12.0", "3.2"),
    (27, "10", "13.0", "3.2"),
  ]

  /// The oldest release of `os` that the Go of `version` (`go1.24.3`, `go1.21rc2`) supports, as
  /// an ``OSVersion``; nil for a Go before 1.17, a version that cannot be read, or an OS without a
  /// row.
  package static func floor(goVersion version: String, os: String) -> OSVersion? {
    guard version.hasPrefix("go1.") else { return nil }
    let minor = Int(version.dropFirst(4).prefix { $0.isNumber }) ?? 0
    guard let row = rows.last(where: { $0.go <= minor }) else { return nil }
    switch os {
    case "windows": return try? OSVersion.parse(row.windows, os: os)
    case "darwin": return try? OSVersion.parse(row.macOS, os: os)
    case "linux": return try? OSVersion.parse(row.kernel, os: os)
    default: return nil
    }
  }
}
