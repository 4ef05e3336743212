/// The release of the operating system a target runs: the macOS version for darwin (`13.0`), the
/// Windows version for windows (`10`, or a build such as `10.0.17763`), the kernel version for
/// linux (`5.10`). A binary that needs a newer one does not start there.
///
/// Each OS has a default, the oldest release its vendor still supports (``defaultVersion(for:)``),
/// so that a binary refusing a supported release fails without anyone asking.
public struct OSVersion: Sendable, Hashable, CustomStringConvertible {
  /// `darwin`, `windows` or `linux`.
  public let os: String
  /// The version compared: macOS `13.0`, Windows NT `10.0.14393` (7 is `6.1`), kernel `5.10`.
  public let version: DottedVersion
  /// As the user wrote it (or the default's name): `13.0`, `10`, `server-2016`, `5.10`.
  public let name: String

  /// `os_version` as written: the name when it is set.
  public var description: String { name }

  /// `macOS 13.0`, `Windows 10 (10.0.10240)`, `Linux 5.10`.
  public var displayName: String {
    switch os {
    case "darwin": "macOS \(version)"
    case "windows":
      name == version.description ? "Windows \(version)" : "Windows \(Self.windowsTitle(name)) (\(version))"
    default: "Linux \(version)"
    }
  }

  /// Creates a value from its parts.
  package init(os: String, version: DottedVersion, name: String) {
    (self.os, self.version, self.name) = (os, version, name)
  }

  /// Windows releases by the names people use, as NT versions with their first build: the loader
  /// compares a file's subsystem and OS version fields with the major and minor numbers, and the
  /// build tells releases of Windows 10 apart.
  package static let windowsReleases: [(name: String, version: String)] = [
    ("vista", "6.0.6000"), ("7", "6.1.7600"), ("8", "6.2.9200"), ("8.1", "6.3.9600"), ("10", "10.0.10240"),
    ("server-2016", "10.0.14393"), ("server-2019", "10.0.17763"), ("server-2022", "10.0.20348"),
    ("11", "10.0.22000"), ("server-2025", "10.0.26100"),
  ]

  /// The default of each OS: the oldest release its vendor still supported when this was written
  /// (December 2026), so that a release that refuses a supported machine fails by default.
  ///
  /// - darwin `14.0`: Apple has patched the newest macOS and the two before it (it states no policy):
  ///   Sonoma 14.8.7 shipped in May 2026 beside Sequoia 15.7.7 (Apple's advisory for CVE-2025-43524),
  ///   and 13 Ventura had its last update when macOS 26 shipped.
  /// - windows `server-2016` (10.0.14393): Windows Server 2016 has extended support until
  ///   2027-01-12 (Microsoft, "Plan for Windows Server 2016 and Windows 10 2016 LTSB end of
  ///   support"); every older Windows has left support (Windows 10 Home and Pro 2025-10-14).
  /// - linux `3.10`: the kernel of Red Hat Enterprise Linux 7, whose extended life-cycle support
  ///   runs to 2028-06-30; the manylinux2014 (`gnu-2.17`) baseline is that system. Ports younger
  ///   than that kernel start at their first: riscv64 at 4.15, loong64 at 5.19 (glibc's minimum
  ///   kernel for each, the ABI tag its programs carry).
  ///
  /// Nil for an OS Archway knows no versions of.
  package static func defaultVersion(for os: String, arch: String? = nil) -> OSVersion? {
    switch os {
    case "darwin": return OSVersion(os: os, version: DottedVersion("14.0")!, name: "14.0")
    case "windows": return OSVersion(os: os, version: DottedVersion("10.0.14393")!, name: "server-2016")
    case "linux":
      let kernel = ["riscv64": "4.15", "loong64": "5.19"][arch ?? ""] ?? "3.10"
      return OSVersion(os: os, version: DottedVersion(kernel)!, name: kernel)
    default: return nil
    }
  }

  /// The forms `parse` accepts for `os`, for messages and `archway targets`.
  package static func acceptedForms(for os: String) -> String {
    switch os {
    case "darwin": "a macOS version such as 13.0, 14 or 10.15"
    case "windows":
      "a Windows release (\(windowsReleases.map(\.name).joined(separator: ", "))) or an NT build such as 10.0.17763"
    case "linux": "a kernel version such as 5.10 or 3.10"
    default: "nothing: Archway knows no versions of \(os)"
    }
  }

  /// Parses `text` as a release of `os`. Throws a ``TargetError`` quoting the value with the
  /// accepted forms.
  package static func parse(_ text: String, os: String) throws(TargetError) -> OSVersion {
    let written = text.trimmingCharacters(in: .whitespaces).lowercased()
    func refuse() -> TargetError {
      TargetError("os version '\(text)' is not a release of \(os); write \(acceptedForms(for: os))")
    }
    switch os {
    case "darwin":
      guard let version = DottedVersion(written), (10...99).contains(version.components[0]),
        version.components.count <= 3
      else { throw refuse() }
      // 10.x releases are named by two numbers, 11 and later by one: `14` is `14.0`.
      guard version.components[0] > 10 || version.components.count >= 2 else { throw refuse() }
      let full = version.components.count == 1 ? DottedVersion("\(written).0")! : version
      return OSVersion(os: os, version: full, name: written)
    case "windows":
      let alias = written.replacingOccurrences(of: "windows-", with: "").replacingOccurrences(of: "windows", with: "")
      if let release = windowsReleases.first(where: { $0.name == alias }) {
        return OSVersion(os: os, version: DottedVersion(release.version)!, name: release.name)
      }
      guard let version = DottedVersion(written), version.components.count == 3,
        [[6, 0], [6, 1], [6, 2], [6, 3], [10, 0]].contains(Array(version.components.prefix(2)))
      else { throw refuse() }
      return OSVersion(os: os, version: version, name: written)
    case "linux":
      guard let version = DottedVersion(written), (2...99).contains(version.components[0]),
        (2...3).contains(version.components.count)
      else { throw refuse() }
      return OSVersion(os: os, version: version, name: written)
    default:
      throw refuse()
    }
  }

  /// Whether `version` is newer than this release's (compared as numbers: Linux `3.10.0` is `3.10`).
  package func isOlder(than version: DottedVersion) -> Bool { self.version < version }

  /// Whether this release is at least Windows `release` (a name of ``windowsReleases``).
  package func isWindows(atLeast release: String) -> Bool {
    guard os == "windows", let floor = Self.windowsReleases.first(where: { $0.name == release }) else { return false }
    return version >= DottedVersion(floor.version)!
  }

  /// A Windows NT version under the name of the release that has it (`6.2` is 8, `10.0.20348`
  /// Server 2022), or under its number when no release of ``windowsReleases`` is that version.
  package static func windows(_ version: DottedVersion) -> OSVersion {
    let parts = version.components
    let release = windowsReleases.first { DottedVersion($0.version)!.components.prefix(parts.count) == parts[...] }
    return OSVersion(os: "windows", version: version, name: release?.name ?? version.description)
  }

  /// `Server 2016`, `10`, `8.1`.
  private static func windowsTitle(_ name: String) -> String {
    name.hasPrefix("server-") ? "Server " + name.dropFirst("server-".count) : name.capitalized
  }
}
