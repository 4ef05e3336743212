import Foundation

/// What a cell's environment says of itself, taken inside its runner: the machine, the libc and
/// its version, the kernel, and the limits a program meets (`ulimit -n -s -u`).
public struct Fingerprint: Sendable, Hashable, Codable {
  /// `uname -m` (nil under qemu-user with a cross toolchain's sysroot, which has no program that
  /// would say it; an environment's root filesystem has `uname`).
  public var machine: String?
  /// `glibc 2.36`, or nil when no glibc answered (static cells under qemu).
  public var libc: String?
  /// `uname -r`.
  public var kernel: String?
  /// The soft limits on open files, stack size (KiB) and processes, with the cell's `ulimit:` applied
  /// (`ulimit -n`, `-s`, `-u`); `unlimited` when there is none.
  public var nofile: String?
  /// See ``nofile``.
  public var stack: String?
  /// See ``nofile``.
  public var nproc: String?

  /// The shell probe for what every runner shares with the host process (kernel and limits):
  /// `/proc/self/limits` rather than `ulimit`, whose `-u` not every `sh` has.
  static let limitsProbe = "uname -m; uname -r; getconf GNU_LIBC_VERSION 2>/dev/null || echo; cat /proc/self/limits"

  /// The soft limit of a `/proc/self/limits` row (`Max open files  1024  1048576  files`), divided by `scale`.
  static func limit(_ row: String, in lines: [String], scale: Int = 1) -> String? {
    guard let line = lines.first(where: { $0.hasPrefix(row) }) else { return nil }
    guard let soft = line.dropFirst(row.count).split(separator: " ").first.map(String.init) else { return nil }
    return Int(soft).map { String($0 / scale) } ?? soft
  }

  /// Takes the fingerprint through `runner` with the cell's limits (`prlimit` options), logging to `folder`.
  /// Returns nil for a runner that runs nothing.
  static func take(
    runner: Runner, session: ContainerSession? = nil, limits: [String], folder: String, environment: [String: String]
  ) async -> Fingerprint? {
    func probe(_ name: String, _ argv: [String]) async -> [String] {
      let entered = runner.kind == .rootfs ? runner.wrap(argv) ?? argv : argv
      let wrapped =
        session.map { $0.exec(argv, environment: [:], workdir: nil, limits: limits, stdin: false) }
        ?? ResourceLimit.wrap(entered, options: limits)
      let outcome = await ProcessSupervisor.run(
        ProcessLaunch(
          argv: wrapped, environment: environment, timeout: .seconds(30), logs: "\(folder)/\(name)"))
      guard outcome.status.succeeded else { return [] }
      return outcome.stdoutHead.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
    guard [.native, .container, .qemu, .rootfs].contains(runner.kind) else { return nil }
    // Under qemu-user the shell is the host's, but the kernel and the limits are the ones the emulated
    // program meets too; the machine and the libc are asked of the sysroot's programs.
    let lines = await probe("fingerprint", ["sh", "-c", limitsProbe])
    guard lines.count >= 3 else { return nil }
    var fingerprint = Fingerprint(
      machine: lines[0], libc: lines[2].isEmpty ? nil : lines[2], kernel: lines[1],
      nofile: limit("Max open files", in: lines), stack: limit("Max stack size", in: lines, scale: 1024),
      nproc: limit("Max processes", in: lines))
    if runner.kind == .qemu {
      // The target's own programs, when the sysroot is a whole root filesystem (an `env:` cell's).
      func target(_ program: String, _ arguments: [String]) async -> String? {
        guard let sysroot = runner.sysroot, FileManager.default.fileExists(atPath: sysroot + program),
          let argv = runner.wrap([sysroot + program] + arguments)
        else { return nil }
        return await probe("fingerprint" + program.replacingOccurrences(of: "/", with: "-"), argv).first
      }
      fingerprint.machine = await target("/usr/bin/uname", ["-m"])
      fingerprint.libc = await target("/usr/bin/getconf", ["GNU_LIBC_VERSION"])
      if fingerprint.libc == nil, let sysroot = runner.sysroot, let argv = runner.wrap(["\(sysroot)/lib/libc.so.6"]) {
        let banner = await probe("fingerprint-libc", argv).first ?? ""
        fingerprint.libc = banner.range(of: "release version ").map {
          "glibc " + banner[$0.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: ". "))
        }
      }
    }
    return fingerprint
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
      var runner: Runner
      var limits: [String]
    }

    /// ``Fingerprint/take(runner:session:limits:folder:environment:)``, or what it gave before.
    func take(
      runner: Runner, session: ContainerSession?, limits: [String], folder: String, environment: [String: String]
    ) async -> Fingerprint? {
      let key = Key(runner: runner, limits: limits)
      if session == nil, let known = taken[key] { return known }
      let fingerprint = await Fingerprint.take(
        runner: runner, session: session, limits: limits, folder: folder, environment: environment)
      if session == nil { taken[key] = fingerprint }
      return fingerprint
    }
  }

  /// The fields that are known, as name → value, in a stable order.
  public var properties: [(String, String)] {
    [("machine", machine), ("libc", libc), ("kernel", kernel), ("nofile", nofile), ("stack", stack), ("nproc", nproc)]
      .compactMap { name, value in value.map { (name, $0) } }
  }
}
