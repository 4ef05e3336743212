/// qemu-user builds known to break runs that should pass: a crash of the emulator looks like a crash
/// of the program (`qemu: uncaught target signal 11`), so a cell run under one fails or flakes for
/// no fault of the project. `archway doctor` warns about each; every row names its sources.
package enum EmulatorAdvisories {
  /// A range of qemu releases (both ends included) and what goes wrong under them.
  struct Advisory {
    var from: DottedVersion
    var through: DottedVersion
    var problem: String
  }

  /// Releases with reports of their own.
  static let table: [Advisory] = [
    Advisory(
      from: DottedVersion("9.2.0")!, through: DottedVersion("9.2.2")!,
      problem: "qemu 9.2.0 to 9.2.2 segfault at random running arm64 programs (dpkg's libc-bin trigger,"
        + " compilers) on amd64 hosts: docker/setup-qemu-action#198 and #201, tonistiigi/binfmt#245 (\"qemu v9"
        + " regression\"); projects pinned tonistiigi/binfmt:qemu-v7.0.0-28 (pganalyze/collector#681)")
  ]

  /// What is known to go wrong under the qemu of `versionLine` (`qemu-aarch64 version 7.2.22 (…)`)
  /// with `linkage` (its file's: `static` is a static build without PIE).
  package static func problems(versionLine: String, linkage: Linkage?) -> [String] {
    var found: [String] = []
    if linkage == .static {
      // qemu's maintainers: do not build qemu-user with --disable-pie (gitlab.com/qemu-project/qemu
      // issue 1763); tonistiigi/binfmt's images were, and crashed once GitHub's Ubuntu 24.04 kernels
      // randomized more of the address space (tonistiigi/binfmt#215, Debian bug 1087822).
      found.append(
        "a static build without PIE: such a qemu crashes at random on kernels that randomize the address space"
          + " more (qemu's maintainers advise against --disable-pie, gitlab.com/qemu-project/qemu/-/issues/1763;"
          + " tonistiigi/binfmt#215, Debian bug 1087822); use a static-pie build such as Debian's qemu-user-static")
    }
    if let version = version(in: versionLine) {
      found += table.filter { $0.from <= version && version <= $0.through }.map(\.problem)
    }
    return found
  }

  /// `7.2.22` from `qemu-aarch64 version 7.2.22 (Debian …)`.
  static func version(in line: String) -> DottedVersion? {
    guard let range = line.range(of: "version ") else { return nil }
    return DottedVersion(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
  }
}
