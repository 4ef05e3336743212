import Foundation
import Subprocess
import SystemPackage

/// One thing a matrix needs of its host, as `archway setup` installs it: a Debian package, a PyPI
/// package, or a binfmt_misc action, with why the cells need it.
package struct HostNeed: Sendable, Hashable, Codable {
  /// How it is installed.
  package enum Kind: String, Sendable, Hashable, Codable {
    /// A Debian package (`apt-get install`).
    case package
    /// A PyPI package (`python3 -m pip install`).
    case pip
    /// binfmt_misc mounted at /proc/sys/fs/binfmt_misc.
    case binfmtMount = "binfmt-mount"
    /// qemu's binfmt_misc registrations (`update-binfmts --enable`).
    case binfmtRegister = "binfmt-register"
  }

  /// How it is installed.
  package var kind: Kind
  /// The package's name (`gcc-aarch64-linux-gnu`), or what the action does (`qemu-aarch64`).
  package var name: String
  /// Programs on PATH or paths that, when any is there, show the need met without the package (a Go
  /// from go.dev, a qemu built by hand): `go`, `/usr/aarch64-linux-gnu/lib`.
  package var witnesses: [String]
  /// Why: the first cell's reason (`runs linux/arm64 under qemu-aarch64`).
  package var reason: String
  /// The cells that need it.
  package var cells: [String]
  /// Whether the host has it (filled in by ``HostSetup/check(_:on:)``).
  package var present = false

  enum CodingKeys: String, CodingKey { case kind, name, witnesses, reason, cells, present }
}

/// `archway setup`: what a matrix's cells need of the host (emulators, sysroots, compilers their
/// steps name, the environments' builders and engines, wine), what of it is missing, and the commands
/// that install it on Debian or Ubuntu, idempotently.
package enum HostSetup {
  /// One need, as a runner says it: how it is installed, its name, its witnesses, and why.
  package typealias Need = (kind: HostNeed.Kind, name: String, witnesses: [String], reason: String)

  /// Every need of `cells` on `host`, in a stable order: binfmt_misc first, then Debian packages,
  /// then PyPI packages; `runNeeds` says what running a cell's programs needs (its runners'). A
  /// cell's build `in: target` needs no compiler on the host.
  package static func needs(for cells: [Cell], host: Platform, runNeeds: (Cell) -> [Need]) -> [HostNeed] {
    var found: [String: HostNeed] = [:]
    var order: [String] = []
    func need(_ kind: HostNeed.Kind, _ name: String, witnesses: [String] = [], _ reason: String, cell: String) {
      let key = "\(kind.rawValue) \(name)"
      if found[key] == nil {
        found[key] = HostNeed(kind: kind, name: name, witnesses: witnesses, reason: reason, cells: [])
        order.append(key)
      }
      if found[key]!.cells.last != cell { found[key]!.cells.append(cell) }
    }
    for cell in cells {
      for (kind, name, witnesses, reason) in runNeeds(cell) {
        need(kind, name, witnesses: witnesses, reason, cell: cell.id)
      }
      var stepArgvs = cell.steps.run.map(\.command.argv)
      if let build = cell.steps.build, cell.steps.buildIn != .target { stepArgvs.insert(build.argv, at: 0) }
      for argv in stepArgvs {
        for (kind, name, witness, program) in toolNeeds(in: argv, host: host) {
          need(kind, name, witnesses: [witness], "a step runs \(program)", cell: cell.id)
        }
      }
    }
    let rank: [HostNeed.Kind: Int] = [.binfmtMount: 0, .binfmtRegister: 1, .package: 2, .pip: 3]
    return order.enumerated().map { ($0.offset, found[$0.element]!) }
      .sorted { (rank[$0.1.kind]!, $0.0) < (rank[$1.1.kind]!, $1.0) }.map(\.1)
  }

  /// The Debian (or PyPI) packages that give the programs `argv` names: compilers (the cross gcc with
  /// its libc headers), Go, Zig, Cargo, CMake, Meson, make, ninja, musl-gcc, autoreconf (autoconf,
  /// automake and libtool). Each with what shows it
  /// is there (a program, or a header for the libc's development files) and the program named.
  static func toolNeeds(in argv: [String], host: Platform) -> [(HostNeed.Kind, String, String, String)] {
    var needs: [(HostNeed.Kind, String, String, String)] = []
    func program(_ kind: HostNeed.Kind, _ package: String, _ name: String) { needs.append((kind, package, name, name)) }
    let headers = (HostNeed.Kind.package, "libc6-dev", "/usr/include/stdio.h")
    for compiler in Toolchains.named(in: argv) {
      let name = URL(fileURLWithPath: compiler).lastPathComponent
      if compiler.hasSuffix("-m ziglang") {
        needs.append((.pip, "ziglang", "python3 -m ziglang", compiler))
        continue
      }
      switch name {
      case "zig": program(.pip, "ziglang", "zig")
      case "go": program(.package, "golang-go", "go")
      case "cargo", "rustc", "cmake", "meson": program(.package, name, name)
      case "clang", "clang++": program(.package, "clang", name)
      case "musl-gcc": program(.package, "musl-tools", name)
      case "gcc", "cc":
        program(.package, "gcc", name)
        needs.append((headers.0, headers.1, headers.2, name))
      case "g++", "c++": program(.package, "g++", name)
      default:
        guard let (prefix, arch, debian) = crossPrefixes.first(where: { name.hasPrefix($0.0) }),
          let tool = name.dropFirst(prefix.count).split(separator: "-").first.map(String.init),
          ["gcc", "g++"].contains(tool)
        else { continue }
        if arch == host.arch {
          needs.append((.package, tool, name, name))
          needs.append((headers.0, headers.1, headers.2, name))
        } else {
          needs.append((.package, "\(tool)-\(prefix.dropLast())", name, name))
          if let debian {
            needs.append((.package, "libc6-dev-\(debian)-cross", "/usr/\(prefix.dropLast())/include/stdio.h", name))
          }
        }
      }
    }
    for word in Toolchains.words(in: argv) {
      switch URL(fileURLWithPath: word).lastPathComponent {
      case "make": program(.package, "make", "make")
      case "ninja", "meson": program(.package, "ninja-build", "ninja")
      case "ctest": program(.package, "cmake", "ctest")
      case "autoreconf":
        // autoreconf -fi runs all three: a libtool project needs libtoolize.
        program(.package, "autoconf", "autoreconf")
        needs += [(.package, "automake", "automake", "autoreconf"), (.package, "libtool", "libtoolize", "autoreconf")]
      default: break
      }
    }
    return needs
  }

  /// The Debian cross gccs' prefixes (`aarch64-linux-gnu-`), the arch each builds for and its Debian
  /// name (for the `libc6-dev-ARCH-cross` headers), longest first.
  static let crossPrefixes: [(String, String, String?)] = {
    var prefixes: [(String, String, String?)] = []
    for spec in TargetCatalog.architectures where spec.platform.os == "linux" {
      if let prefix = TargetNames(spec: spec, libc: .gnu(nil)).gccPrefix, !prefixes.contains(where: { $0.0 == prefix })
      {
        prefixes.append((prefix, spec.platform.arch, spec.debianArch))
      }
    }
    return prefixes.sorted { $0.0.count > $1.0.count }
  }()

  /// What `check` asks of the host, gathered by ``probe(path:)`` (and made up in tests).
  package struct HostState: Sendable {
    /// Finds a program on the PATH.
    package var locate: @Sendable (String) -> String?
    /// Whether a path exists.
    package var exists: @Sendable (String) -> Bool
    /// The Debian packages installed, or nil where there is no dpkg (not Debian or Ubuntu).
    package var installedPackages: Set<String>?
    /// The PyPI packages `python3 -m pip` has, or nil without pip.
    package var pipPackages: Set<String>?
    /// binfmt_misc's enabled qemu registrations (`qemu-aarch64`).
    package var binfmtEnabled: Set<String>
    /// Whether Archway runs as root.
    package var isRoot: Bool
    /// Whether `python3` refuses `pip install` of its own (PEP 668's EXTERNALLY-MANAGED, Debian's own Python).
    package var pipExternallyManaged: Bool

    /// A state made up by the caller.
    package init(
      locate: @escaping @Sendable (String) -> String?, exists: @escaping @Sendable (String) -> Bool,
      installedPackages: Set<String>?, pipPackages: Set<String>?, binfmtEnabled: Set<String>, isRoot: Bool,
      pipExternallyManaged: Bool = false
    ) {
      self.locate = locate
      self.exists = exists
      self.installedPackages = installedPackages
      self.pipPackages = pipPackages
      self.binfmtEnabled = binfmtEnabled
      self.isRoot = isRoot
      self.pipExternallyManaged = pipExternallyManaged
    }
  }

  /// This machine's state for `needs`: dpkg's installed packages (`dpkg-query`, which honours
  /// `$DPKG_ADMINDIR`), pip's packages, binfmt_misc's registrations, programs on `path`.
  package static func probe(path: String?, needs: [HostNeed]) async -> HostState {
    let packages = needs.filter { $0.kind == .package }.map(\.name)
    var installed: Set<String>?
    if ProcessSupervisor.locate("dpkg-query", path: path) != nil {
      // One call for all; a package dpkg has never heard of is reported on stderr and left out.
      let listing = await HostReport.output(
        of: ["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\\n"] + packages, acceptFailure: true)
      installed = Set(
        (listing ?? "").split(separator: "\n").compactMap { line in
          let fields = line.split(separator: " ")
          return fields.count == 2 && fields[1] == "installed" ? String(fields[0]) : nil
        })
    }
    var pip: Set<String>?
    var managed = false
    if needs.contains(where: { $0.kind == .pip }), ProcessSupervisor.locate("python3", path: path) != nil {
      let listing = await HostReport.output(of: ["python3", "-m", "pip", "list", "--format=freeze"])
      pip = listing.map { Set($0.split(separator: "\n").compactMap { $0.split(separator: "=").first?.lowercased() }) }
      let stdlib = await HostReport.output(
        of: ["python3", "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"])
      if let folder = stdlib?.trimmingCharacters(in: .whitespacesAndNewlines) {
        managed = FileManager.default.fileExists(atPath: folder + "/EXTERNALLY-MANAGED")
      }
    }
    return HostState(
      locate: { ProcessSupervisor.locate($0, path: path) }, exists: { FileManager.default.fileExists(atPath: $0) },
      installedPackages: installed, pipPackages: pip,
      binfmtEnabled: HostFacts.binfmtEmulators().enabled, isRoot: getuid() == 0,
      pipExternallyManaged: managed)
  }

  /// `needs` with ``HostNeed/present`` set: a package installed (or one of its witnesses there), a
  /// PyPI package pip has (or its program answering on PATH), binfmt_misc mounted, its registration enabled.
  package static func check(_ needs: [HostNeed], on state: HostState) -> [HostNeed] {
    needs.map { need in
      var need = need
      // A witness with a blank (`python3 -m ziglang`) is the PyPI package's own: pip is asked.
      let witnessed = need.witnesses.contains {
        $0.hasPrefix("/") ? state.exists($0) : !$0.contains(" ") && state.locate($0) != nil
      }
      switch need.kind {
      case .package: need.present = witnessed || state.installedPackages?.contains(need.name) == true
      case .pip: need.present = witnessed || state.pipPackages?.contains(need.name.lowercased()) == true
      case .binfmtMount: need.present = witnessed
      case .binfmtRegister: need.present = state.binfmtEnabled.contains(need.name)
      }
      return need
    }
  }

  /// The commands that install what of `needs` is missing, in order: mount binfmt_misc (before
  /// qemu-user-static, whose installation registers the emulators in it), `apt-get update` and one
  /// `apt-get install`, `update-binfmts --enable` for registrations still missing, `pip install`.
  /// Without root each privileged command starts with `sudo`. Empty when nothing is missing.
  package static func commands(for needs: [HostNeed], on state: HostState) -> [[String]] {
    let missing = needs.filter { !$0.present }
    let sudo = state.isRoot ? [] : ["sudo"]
    var commands: [[String]] = []
    if missing.contains(where: { $0.kind == .binfmtMount }) {
      commands.append(sudo + ["mount", "-t", "binfmt_misc", "binfmt_misc", "/proc/sys/fs/binfmt_misc"])
    }
    var packages = missing.filter { $0.kind == .package }.map(\.name)
    let pip = missing.filter { $0.kind == .pip }.map(\.name)
    // Without pip, Debian's: its Python is then the distribution's, which takes packages only with
    // --break-system-packages (PEP 668).
    let debianPip = !pip.isEmpty && state.pipPackages == nil
    if debianPip { packages.append("python3-pip") }
    if !packages.isEmpty {
      commands.append(sudo + ["apt-get", "update"])
      commands.append(
        sudo + ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "--no-install-recommends"]
          + packages)
    }
    if missing.contains(where: { $0.kind == .binfmtRegister }) {
      commands.append(sudo + ["update-binfmts", "--enable"])
    }
    if !pip.isEmpty {
      commands.append(
        ["python3", "-m", "pip", "install", "--disable-pip-version-check"]
          + (state.pipExternallyManaged || debianPip ? ["--break-system-packages"] : []) + pip)
    }
    return commands
  }

  /// `command` as one line a shell would run.
  package static func shellLine(_ command: [String]) -> String { command.map(\.shellWord).joined(separator: " ") }

  /// Runs `command`, its output on standard error (standard output stays the report's, JSON with
  /// `--json`); its exit status. `apt-get update` may fail on one index while a mirror syncs: its
  /// failure is the caller's to pass over.
  package static func run(_ command: [String]) async -> Int32 {
    let executable: Executable = command[0].contains("/") ? .path(FilePath(command[0])) : .name(command[0])
    guard
      let result = try? await Subprocess.run(
        executable, arguments: Arguments(Array(command.dropFirst())),
        output: .fileDescriptor(.standardError, closeAfterSpawningProcess: false),
        error: .currentStandardError)
    else { return 127 }
    if case .exited(let code) = result.terminationStatus { return code }
    return 128
  }
}
