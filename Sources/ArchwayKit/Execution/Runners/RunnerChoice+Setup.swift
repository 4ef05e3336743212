extension HostSetup {
  /// Every need of `cells` on `host` (whose CPU is `hostCPULevel`): what their runners need
  /// (``RunnerChoice/hostNeeds(of:host:hostCPULevel:)``) and what their steps name.
  package static func needs(for cells: [Cell], host: Platform, hostCPULevel: String?) -> [HostNeed] {
    needs(for: cells, host: host) { RunnerChoice.hostNeeds(of: $0, host: host, hostCPULevel: hostCPULevel) }
  }
}

extension RunnerChoice {
  /// What running `cell`'s programs needs of the host, whichever runner the host then allows: qemu
  /// (and binfmt_misc when a host program starts the target's), the cross sysroot, wine; for an
  /// `env:` cell, its environment's builder and runner. A cell that runs nothing (`runner: none`, a
  /// darwin cell) needs nothing.
  static func hostNeeds(of cell: Cell, host: Platform, hostCPULevel: String?) -> [HostSetup.Need] {
    let target = cell.target
    if let remote = cell.settings.host, cell.settings.runner == .ssh {
      return [(.package, "openssh-client", ["ssh"], "reaches the machine \(remote.label)")]
    }
    guard cell.settings.runner != RunnerKind.none, let spec = TargetCatalog.spec(for: target.platform) else {
      return []
    }
    var needs: [HostSetup.Need] = []
    let emulatesCPU = target.cpu.map { $0.rank == nil || $0.name != hostCPULevel } ?? false
    let sameArch = target.arch == host.arch || (target.arch == "386" && host.arch == "amd64")
    let emulated = target.os == "linux" && (!sameArch || emulatesCPU)
    let qemu = spec.qemu ?? "qemu"
    if emulated {
      needs.append((.package, "qemu-user-static", ["\(qemu)-static", qemu], "runs \(target.platform) under \(qemu)"))
    }
    if target.os == "windows" {
      needs.append((.package, "wine", ["wine"], "runs \(target.platform) under wine"))
      needs.append((.package, "wine64", ["wine64", "/usr/lib/wine/wine64"], "runs \(target.platform) under wine"))
    }
    guard target.os == "linux" else { return needs }
    if let env = cell.env {
      return needs + environmentNeeds(of: cell, env: env, binfmt: emulated ? qemu : nil)
    }
    if emulated, target.libc.isGNU, !sameArch, let arch = spec.debianArch, let sysroot = spec.crossSysroot {
      needs.append((.package, "libc6-\(arch)-cross", [sysroot + "/lib"], "the \(target.platform) sysroot for qemu"))
    }
    if target.arch == "386", host.arch == "amd64", !emulated, target.libc.isGNU {
      needs.append((.package, "libc6-i386", ["/lib/ld-linux.so.2"], "runs \(target.platform) natively"))
    }
    // A step that is not one of the artifacts is a host program (a shell, make, ctest): what it
    // starts reaches qemu through binfmt_misc.
    let artifacts = Set(cell.steps.artifacts.values)
    if emulated, cell.steps.run.contains(where: { !artifacts.contains($0.command.argv.first ?? "") }) {
      needs += binfmtNeeds(qemu, "a host program starts \(target.platform) programs")
    }
    return needs
  }

  /// An `env:` cell's: debootstrap for its recipe, its container engine (`runner: container` or an
  /// `engine:`) or else bubblewrap, and binfmt_misc's `binfmt` when the environment's arch is emulated.
  private static func environmentNeeds(of cell: Cell, env: String, binfmt: String?) -> [HostSetup.Need] {
    let place = "\(env)/\(cell.target.platform)"
    var needs: [HostSetup.Need] = []
    if cell.environment != nil {
      needs.append((.package, "debootstrap", ["debootstrap"], "builds the environment \(place)"))
    }
    if cell.settings.runner == .container || cell.settings.engine != nil {
      if cell.settings.engine == .docker {
        needs.append((.package, "docker.io", ["docker"], "runs \(place) in a docker container"))
      } else {
        needs.append((.package, "podman", ["podman"], "runs \(place) in a podman container"))
        needs.append((.package, "runc", ["runc"], "the OCI runtime podman falls back to where crun cannot run"))
      }
    } else {
      needs.append((.package, "bubblewrap", ["bwrap"], "enters the root filesystem of \(place)"))
    }
    if let binfmt { needs += binfmtNeeds(binfmt, "runs \(place)'s programs through binfmt_misc") }
    return needs
  }

  /// binfmt_misc mounted, `qemu` registered, and the tool that registers it.
  private static func binfmtNeeds(_ qemu: String, _ why: String) -> [HostSetup.Need] {
    [
      (.binfmtMount, "binfmt_misc", ["/proc/sys/fs/binfmt_misc/status"], why), (.binfmtRegister, qemu, [], why),
      (.package, "binfmt-support", ["update-binfmts"], why),
    ]
  }
}
