import Foundation

/// What the runner choice asks of the host, gathered once (and made up in tests).
package struct HostFacts: Sendable {
  /// The host's platform.
  package var platform: Platform
  /// Finds a program on the PATH.
  package var locate: @Sendable (String) -> String?
  /// Whether a path exists.
  package var exists: @Sendable (String) -> Bool
  /// Whether Archway runs as root (the rootfs runner's private mount namespace and overlay need it).
  package var isRoot: Bool
  /// The qemu emulators binfmt_misc runs with the F flag (`qemu-aarch64`): a chroot can run those
  /// arches' programs without the emulator inside the root filesystem.
  package var binfmtFixed: Set<String>
  /// The qemu emulators binfmt_misc runs at all (any flags): the host's own programs (a shell,
  /// make) can start the target's, which a qemu cell's multi-program steps need.
  package var binfmtEnabled: Set<String>
  /// The environment cache (`archway env`'s).
  package var environments: String
  /// The folder Archway runs in (the user's project), which root filesystems and containers see
  /// read-only at its own path; nil to show them none.
  package var project: String?
  /// The host CPU's level (``CPULevel``, e.g. `x86-64-v4`), where Archway can tell; nil otherwise.
  package var cpuLevel: String?

  /// Facts made up by the caller.
  package init(
    platform: Platform, locate: @escaping @Sendable (String) -> String?,
    exists: @escaping @Sendable (String) -> Bool, isRoot: Bool, binfmtFixed: Set<String>, environments: String,
    binfmtEnabled: Set<String>? = nil, project: String? = nil, cpuLevel: String? = nil
  ) {
    self.project = project
    self.cpuLevel = cpuLevel
    self.platform = platform
    self.locate = locate
    self.exists = exists
    self.isRoot = isRoot
    self.binfmtFixed = binfmtFixed
    self.binfmtEnabled = binfmtEnabled ?? binfmtFixed
    self.environments = environments
  }

  /// This machine's facts: programs looked up on `path`, the cache from `environment`.
  package static func probe(platform: Platform, path: String?, environment: [String: String]) -> HostFacts {
    let binfmt = binfmtEmulators()
    return HostFacts(
      platform: platform, locate: { ProcessSupervisor.locate($0, path: path) },
      exists: { FileManager.default.fileExists(atPath: $0) }, isRoot: getuid() == 0, binfmtFixed: binfmt.fixed,
      environments: CacheFolder.environments(environment: environment), binfmtEnabled: binfmt.enabled,
      project: URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path,
      cpuLevel: platform.arch == "amd64" ? x86Level(flags: cpuFlags()) : nil)
  }

  /// The flags of the first processor in `/proc/cpuinfo`.
  static func cpuFlags(file: String = "/proc/cpuinfo") -> Set<String> {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
      let colon = line.firstIndex(of: ":")
    else { return [] }
    return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
  }

  /// The highest x86-64 level whose features (as the x86-64 psABI lists them) are all in `flags`.
  static func x86Level(flags: Set<String>) -> String? {
    let levels: [(String, Set<String>)] = [
      ("x86-64", ["cmov", "cx8", "fpu", "fxsr", "mmx", "sse", "sse2"]),
      ("x86-64-v2", ["cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"]),
      ("x86-64-v3", ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"]),
      ("x86-64-v4", ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]),
    ]
    var reached: String?
    for (name, needs) in levels {
      guard needs.isSubset(of: flags) else { break }
      reached = name
    }
    return reached
  }

  /// The enabled `qemu-*` registrations of binfmt_misc, and those of them whose flags hold F.
  static func binfmtEmulators(
    folder: String = BinfmtEntry.folder
  ) -> (enabled: Set<String>, fixed: Set<String>) {
    var enabled = Set<String>()
    var fixed = Set<String>()
    for name in BinfmtEntry.qemuNames(folder: folder) {
      guard let entry = BinfmtEntry.read(name, folder: folder), entry.enabled else { continue }
      enabled.insert(name)
      if entry.flags?.contains("F") == true { fixed.insert(name) }
    }
    return (enabled, fixed)
  }
}
