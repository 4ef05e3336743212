import Foundation

/// What a cell's environment says of itself, taken inside its runner: the machine, the libc and
/// its version, the kernel, and the limits a program meets (`ulimit -n -s -u`).
package struct Fingerprint: Sendable, Hashable, Codable {
  /// `uname -m` (nil under qemu-user with a cross toolchain's sysroot, which has no program that
  /// would say it; an environment's root filesystem has `uname`).
  package var machine: String?
  /// `glibc 2.36`, or nil when no glibc answered (static cells under qemu).
  package var libc: String?
  /// `uname -r`.
  package var kernel: String?
  /// The soft limits on open files, stack size (KiB) and processes, with the cell's `ulimit:` applied
  /// (`ulimit -n`, `-s`, `-u`); `unlimited` when there is none.
  package var nofile: String?
  /// See ``nofile``.
  package var stack: String?
  /// See ``nofile``.
  package var nproc: String?
  /// The emulator that ran the target's programs, as it names itself (`qemu-aarch64 version 7.2.22
  /// (Debian 1:7.2+dfsg-7+deb12u18+b3)`), and how it is built (`static-pie`): a new qemu changes
  /// what a run proves as a new compiler changes what a build makes. nil without an emulator.
  package var emulator: String?
  /// The binfmt_misc registration through which the host's programs (a shell, make) start the
  /// target's: its interpreter and flags (`/usr/libexec/qemu-binfmt/aarch64-binfmt-P, flags PF`),
  /// or `none`; nil without an emulator.
  package var binfmt: String?
  /// The page size of the machine's kernel in bytes (`getconf PAGESIZE`), taken on a real machine
  /// (`runner: ssh`), where a 16 KiB- or 64 KiB-page kernel is met; nil elsewhere.
  package var pageSize: String?

  enum CodingKeys: String, CodingKey {
    case machine, libc, kernel, nofile, stack, nproc, emulator, binfmt, pageSize = "page_size"
  }

  /// The shell probe for what every runner shares with the host process (kernel and limits):
  /// `/proc/self/limits` rather than `ulimit`, whose `-u` not every `sh` has.
  static let limitsProbe = "uname -m; uname -r; getconf GNU_LIBC_VERSION 2>/dev/null || echo; cat /proc/self/limits"

  /// The soft limit of a `/proc/self/limits` row (`Max open files  1024  1048576  files`), divided by `scale`.
  static func limit(_ row: String, in lines: [String], scale: Int = 1) -> String? {
    guard let line = lines.first(where: { $0.hasPrefix(row) }) else { return nil }
    guard let soft = line.dropFirst(row.count).split(separator: " ").first.map(String.init) else { return nil }
    return Int(soft).map { String($0 / scale) } ?? soft
  }

}

extension Fingerprint {
  /// How a runner asks its environment: runs the argv under the name (for its logs) and returns the
  /// lines of its standard output, none when it failed.
  package typealias Asker = @Sendable (_ name: String, _ argv: [String]) async -> [String]

  /// A fingerprint from the lines of ``limitsProbe``: the machine, the kernel, glibc's version and
  /// the limits; nil when the probe said too little.
  init?(limitsProbe lines: [String]) {
    guard lines.count >= 3 else { return nil }
    self.init(
      machine: lines[0], libc: lines[2].isEmpty ? nil : lines[2], kernel: lines[1],
      nofile: Self.limit("Max open files", in: lines), stack: Self.limit("Max stack size", in: lines, scale: 1024),
      nproc: Self.limit("Max processes", in: lines))
  }

  /// `glibc 2.36` from what glibc's `libc.so.6` prints when run (`… release version 2.36.`).
  static func glibc(banner: String) -> String? {
    banner.range(of: "release version ").map {
      "glibc " + banner[$0.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: ". "))
    }
  }
}

extension Fingerprint {
  /// The fingerprints taken in one run, one per runner and limits: every cell of a runner meets
  /// the same environment (its emulator, sysroot, CPU model, root filesystem and limits), so it is
  /// asked once, not once a cell (a qemu cell asks it of up to three emulated programs). A container
  /// cell's is its own container's and is not kept. Two cells that ask at once may both take it.
  actor Cache {
    private var taken: [Key: Fingerprint?] = [:]

    private struct Key: Hashable {
      var runner: RunnerRecord
      var limits: [String]
    }

    private var throughBinfmt: [String: (emulator: String, binfmt: String)] = [:]

    /// The emulator and binfmt entry of binfmt_misc's `registration` (`qemu-aarch64`), through which
    /// a root filesystem or container of a foreign arch runs: its interpreter asked once a run,
    /// through the run's `versions`.
    func emulated(registration: String, versions: Toolchains.VersionCache) async -> (emulator: String, binfmt: String) {
      if let known = throughBinfmt[registration] { return known }
      let entry = BinfmtEntry.read(registration)
      var emulator = "none: binfmt_misc has no \(registration)"
      if entry?.enabled == true, let interpreter = entry?.interpreter, interpreter.hasPrefix("/") {
        // Debian's `aarch64-binfmt-P` is a link to qemu-aarch64-static that reads its first argument
        // as the program to run: the file it links to is asked for its version.
        let emulatorPath = URL(fileURLWithPath: interpreter).resolvingSymlinksInPath().path
        emulator = Fingerprint.emulator(
          emulatorPath, version: await versions.firstLine(of: [emulatorPath, "--version"]))
      }
      let found = (emulator, Fingerprint.binfmt(entry))
      throughBinfmt[registration] = found
      return found
    }

    /// `runner`'s fingerprint with `limits`, asked through `ask`, or what it gave before.
    func take(runner: any StepRunner, limits: [String], ask: Fingerprint.Asker) async -> Fingerprint? {
      let key = Key(runner: runner.record, limits: limits)
      if runner.sharesFingerprint, let known = taken[key] { return known }
      let fingerprint = await runner.fingerprint(limits: limits, ask: ask)
      if runner.sharesFingerprint { taken[key] = fingerprint }
      return fingerprint
    }
  }

  /// The fields that are known, as name → value, in a stable order.
  package var properties: [(String, String)] {
    [
      ("machine", machine), ("libc", libc), ("kernel", kernel), ("nofile", nofile), ("stack", stack), ("nproc", nproc),
      ("emulator", emulator), ("binfmt", binfmt), ("page_size", pageSize),
    ]
    .compactMap { name, value in value.map { (name, $0) } }
  }

  /// `emulator`: the first line `emulator --version` printed and the file's linkage (`static-pie`,
  /// `static`: a static qemu built without PIE crashes under some kernels' address randomization,
  /// ``EmulatorAdvisories``).
  static func emulator(_ path: String, version: String?) -> String {
    let linkage = (try? BinaryInspector.inspectFile(atPath: path))?.linkage?.rawValue
    return (version ?? "\(path): version unknown") + (linkage.map { ", \($0)" } ?? "")
  }

  /// `binfmt`: the interpreter and flags of a binfmt_misc registration (``BinfmtEntry/read(_:folder:)``),
  /// `none` when there is none, `disabled` when the kernel does not use it.
  static func binfmt(_ entry: BinfmtEntry?) -> String {
    guard let entry else { return "none" }
    guard entry.enabled else { return "disabled" }
    return "\(entry.interpreter ?? "?"), flags \(entry.flags ?? "")"
  }
}
