import Foundation

/// The checks against the release of the target's OS (`os_version:`, `--os-version`, else the OS's
/// default): the macOS a Mach-O slice requires, and the oldest OS the Go that built a file supports.
extension ArtifactVerifier {
  /// Each Mach-O slice whose `minos` is newer than `minos_max`, else than the target's macOS.
  static func minos(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    guard let max = policy.minosCeiling else { return [] }
    let target = policy.minosMax.map { "the target allows at most \($0)" } ?? "the target is macOS \(max)"
    return (facts.slices ?? []).compactMap { slice in
      guard let text = slice.minos, let minos = DottedVersion(text), minos > max else { return nil }
      return Violation(
        check: .minos, expected: "at most \(max)", found: text,
        message: "the \(slice.arch) slice requires macOS \(text) but \(target);"
          + " build it for the oldest macOS it must run on (-mmacosx-version-min, MACOSX_DEPLOYMENT_TARGET)")
    }
  }

  /// A Go binary whose Go release no longer supports the target's OS release (``GoOSFloors``): its
  /// runtime may refuse to start there, however sound the file looks.
  static func toolchainFloor(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    guard let release = policy.osRelease else { return [] }
    let builds = [facts.goBuild].compactMap { $0 } + (facts.slices ?? []).compactMap(\.goBuild)
    guard let go = builds.first,
      let floor = GoOSFloors.floor(goVersion: go.version, os: release.os), release.isOlder(than: floor.version)
    else { return [] }
    return [
      Violation(
        check: .osVersion, expected: "at most \(release.version)", found: "\(go.version): \(floor.version)",
        message: "is built by \(go.version), which supports \(floor.displayName) and later, but the target is"
          + " \(release.displayName): build it with an older Go, or target a newer release (--os-version)")
    ]
  }

  /// An ELF whose GNU ABI tag names a newer kernel than the target's: glibc's loader refuses such a
  /// program ("FATAL: kernel too old") and, before 2.36, passes over such a library as if it were
  /// not there (`elf/dl-load.c`, the `osversion` check).
  static func kernelFloor(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    guard facts.format == .elf, policy.platform.os == "linux", let release = policy.osRelease,
      let text = facts.kernelFloor, let floor = DottedVersion(text), release.isOlder(than: floor)
    else { return [] }
    return [
      Violation(
        check: .osVersion, expected: "at most \(release.version)", found: text,
        message: "its ABI tag note asks for Linux \(text) or later, but the target's kernel is \(release.version)"
          + " (--os-version): glibc's loader refuses it there (\"kernel too old\"). Build against a C library"
          + " configured for an older kernel (glibc's --enable-kernel), or target a newer one")
    ]
  }
}

extension ArtifactPolicy {
  /// The newest macOS a Mach-O slice may require: `minos_max`, else the target's macOS release.
  var minosCeiling: DottedVersion? {
    if let minosMax { return minosMax }
    guard platform.os == "darwin" else { return nil }
    return osRelease?.version
  }
}
