import Foundation

/// What a release artifact must be to run on a target: the release gate's expectations.
public struct ArtifactPolicy: Sendable, Hashable {
  /// The target platform.
  package var platform: Platform
  /// The libc the artifact must use.
  package var libc: LibcRequirement
  /// The newest glibc the artifact may need: `--glibc-max`, else the libc's (`gnu-2.31`).
  package var glibcMax: DottedVersion?
  /// Library names or shell patterns (`libc.so.*`) the artifact may need; nil allows any.
  package var allowedNeeded: [String]?
  /// The newest macOS a Mach-O artifact may require (its slices' `minos`); nil allows any.
  package var minosMax: DottedVersion?
  /// The CPU level the artifact must run on (`cpu:`, `--cpu`): a binary that says it needs a higher
  /// one fails; nil (or a qemu model, which has no rank) checks nothing.
  package var cpu: CPULevel?
  /// The release of the target's OS the artifact must start on (`os_version:`, `--os-version`); nil
  /// for the OS's default (``OSVersion/defaultVersion(for:)``, see ``osRelease``).
  package var osVersion: OSVersion?
  /// The largest page size the artifact must load on: `--page-size`, else the arch's largest
  /// (``PageSize/largest(for:)``).
  package var pageSize: Int
  /// Whether every PE must carry an Authenticode signature and every Mach-O slice one made with a
  /// certificate (`signed: true`, `--signed`): what a release for download needs, beyond what the
  /// loader demands. Archway does not judge the certificate.
  package var signed = false
  /// Whether arm64e Mach-O slices are allowed (`allow_arm64e: true`, `--allow-arm64e`): for Macs
  /// booted with `-arm64e_preview_abi`, or code Apple signs.
  package var allowArm64e = false

  /// Creates a value from its parts.
  public init(
    platform: Platform, libc: LibcRequirement = .any, glibcMax: DottedVersion? = nil, allowedNeeded: [String]? = nil,
    minosMax: DottedVersion? = nil, cpu: CPULevel? = nil, pageSize: Int? = nil, osVersion: OSVersion? = nil,
    signed: Bool = false, allowArm64e: Bool = false
  ) {
    self.platform = platform
    self.libc = libc
    self.glibcMax = glibcMax ?? libc.glibcCeiling
    self.allowedNeeded = allowedNeeded
    self.minosMax = minosMax
    self.cpu = cpu
    self.pageSize = pageSize ?? PageSize.largest(for: platform)
    self.osVersion = osVersion
    self.signed = signed
    self.allowArm64e = allowArm64e
  }

  /// The CPU level the `cpu` check holds a binary to: `cpu:`, else for arm/v7 `armv7`, Debian
  /// armhf's baseline (VFPv3-D16, no NEON: Debian, "ArmHardFloatPort"), so that code built for
  /// NEON fails where no one asked for it; nil where only a stated `cpu:` is checked.
  package var cpuCeiling: CPULevel? {
    cpu ?? (platform.arch == "arm" && platform.variant == "v7" ? CPULevel.known("armv7") : nil)
  }

  /// The release checked against: `os_version`, else the OS's default; nil for an OS Archway knows
  /// no releases of.
  package var osRelease: OSVersion? {
    osVersion ?? OSVersion.defaultVersion(for: platform.os, arch: platform.arch)
  }

  /// Builds a policy from command-line words: `--target`, `--libc`, `--glibc-max`, `--allow-needed`
  /// (comma-separated), `--cpu`, `--page-size`, `--os-version`, `--signed`, `--allow-arm64e`. Throws a ``TargetError`` quoting the first bad
  /// value, with a suggestion where one is close, or naming an impossible combination (`darwin`
  /// with `musl`).
  public init(
    target: String, libc: String, glibcMax: String?, allowNeeded: String?, cpu: String? = nil,
    pageSize: String? = nil, osVersion: String? = nil, signed: Bool = false, allowArm64e: Bool = false
  ) throws(TargetError) {
    let platform = try Platform.parse(target)
    let requirement = try LibcRequirement.parse(libc)
    if let problem = requirement.incompatibility(with: platform) { throw TargetError(problem) }
    var ceiling: DottedVersion?
    if let glibcMax {
      guard let version = DottedVersion(glibcMax), version.components.count >= 2 else {
        throw TargetError("--glibc-max '\(glibcMax)' is not a glibc version; write it as 2.31")
      }
      ceiling = version
    }
    let allowed = allowNeeded.map { list in
      list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    let level = try cpu.map { text throws(TargetError) in try CPULevel.parse(text, arch: platform.arch) }
    if let level, level.rank == nil {
      throw TargetError("--cpu '\(level.name)' is a qemu model, not a level a binary can be checked against")
    }
    let page = try pageSize.map { text throws(TargetError) in
      guard let bytes = PageSize.parse(text) else {
        throw TargetError("--page-size '\(text)' is not a page size; write 4k, 16k or 64k")
      }
      return bytes
    }
    let release = try osVersion.map { text throws(TargetError) in try OSVersion.parse(text, os: platform.os) }
    self.init(
      platform: platform, libc: requirement, glibcMax: ceiling, allowedNeeded: allowed, cpu: level, pageSize: page,
      osVersion: release, signed: signed, allowArm64e: allowArm64e)
  }

  /// The file format the platform's OS loads.
  var expectedFormats: [BinaryFormat] {
    switch platform.os {
    case "darwin": [.macho, .machoFat]
    case "windows": [.pe]
    default: [.elf]
    }
  }

  /// The float ABI an ARM variant requires: hard for armhf (v6, v7), soft for armel (v5).
  var armFloatABI: String? {
    guard platform.arch == "arm", platform.os == "linux" else { return nil }
    return platform.variant == "v5" ? "soft" : "hard"
  }
}
