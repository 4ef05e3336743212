import Foundation

/// The runner chosen for one cell on this host, each case with what its backend needs and nothing
/// else. Chosen once per cell, after the environments are provisioned (``choose(for:on:engineArguments:)``),
/// then made into its backend (``runner(context:)``); the report keeps its ``record``.
package enum RunnerChoice: Sendable, Hashable {
  /// The host runs the target's programs itself.
  case native(NativeSetup)
  /// qemu-user runs them, with a sysroot (a cross toolchain's or an environment's).
  case qemu(QemuSetup)
  /// They run inside an environment's root filesystem.
  case rootfs(RootfsSetup)
  /// They run in a container of an environment's image.
  case container(ContainerSetup)
  /// wine runs them.
  case wine(WineSetup)
  /// Nothing here runs them.
  case unavailable(UnavailableSetup)

  /// ``native(_:)``'s setup.
  package struct NativeSetup: Sendable, Hashable {
    /// Why.
    package var reason: String
    /// What run steps' time limits are multiplied by.
    package var timeoutScale: Double = 1
  }

  /// ``qemu(_:)``'s setup.
  package struct QemuSetup: Sendable, Hashable {
    /// Why.
    package var reason: String
    /// The emulator, as found on the PATH.
    package var emulator: String
    /// qemu's `-L`; nil for static programs, and the host's own arch on another CPU.
    package var sysroot: String?
    /// The CPU model (`-cpu`).
    package var cpuModel: String?
    /// What run steps' time limits are multiplied by.
    package var timeoutScale: Double = 1
  }

  /// ``rootfs(_:)``'s setup.
  package struct RootfsSetup: Sendable, Hashable {
    /// Why.
    package var reason: String
    /// The environment's root filesystem.
    package var rootfs: String
    /// bwrap, without root; nil as root.
    package var bwrap: String?
    /// The cell's folder, bound at its own path.
    package var folder: String
    /// The project, shown read-only.
    package var project: String?
    /// The CPU model binfmt_misc's qemu emulates, for a foreign arch.
    package var cpuModel: String?
    /// What run steps' time limits are multiplied by.
    package var timeoutScale: Double = 1
  }

  /// ``container(_:)``'s setup.
  package struct ContainerSetup: Sendable, Hashable {
    /// Why.
    package var reason: String
    /// The engine, as found on the PATH.
    package var engine: String
    /// `archway/ENV:DEBIAN-ARCH`.
    package var image: String
    /// The `--platform`.
    package var platform: String
    /// The engine's extra arguments.
    package var engineArguments: [String]
    /// The seccomp profile.
    package var seccomp: String?
    /// Whether the container gets a network.
    package var network: Bool
    /// The project, shown read-only.
    package var project: String?
    /// The CPU model binfmt_misc's qemu emulates, for a foreign arch.
    package var cpuModel: String?
    /// What run steps' time limits are multiplied by.
    package var timeoutScale: Double = 1
  }

  /// ``wine(_:)``'s setup.
  package struct WineSetup: Sendable, Hashable {
    /// Why.
    package var reason: String
    /// wine, as found on the PATH.
    package var wine: String
    /// The cell's prefix.
    package var prefix: String
    /// What run steps' time limits are multiplied by.
    package var timeoutScale: Double = 1
  }

  /// ``unavailable(_:)``'s setup.
  package struct UnavailableSetup: Sendable, Hashable {
    /// Why nothing runs the target.
    package var reason: String
    /// Whether the host lacks something it could have (an emulator, a sysroot): an infrastructure
    /// problem rather than a target that is only built and checked statically.
    package var hostLacksIt: Bool
    /// What run steps' time limits are multiplied by.
    package var timeoutScale: Double = 1
  }

  static func none(_ reason: String, hostLacksIt: Bool = false) -> RunnerChoice {
    .unavailable(UnavailableSetup(reason: reason, hostLacksIt: hostLacksIt))
  }

  /// What the report says of this choice.
  package var record: RunnerRecord {
    switch self {
    case .native(let setup):
      var record = RunnerRecord(kind: .native, reason: setup.reason)
      record.timeoutScale = setup.timeoutScale
      return record
    case .qemu(let setup):
      var record = RunnerRecord(kind: .qemu, reason: setup.reason)
      (record.launcher, record.sysroot, record.cpuModel) = (setup.emulator, setup.sysroot, setup.cpuModel)
      record.timeoutScale = setup.timeoutScale
      return record
    case .rootfs(let setup):
      var record = RunnerRecord(kind: .rootfs, reason: setup.reason)
      (record.launcher, record.sysroot, record.cpuModel) = (setup.bwrap, setup.rootfs, setup.cpuModel)
      (record.boundFolder, record.projectFolder) = (setup.folder, setup.project)
      record.timeoutScale = setup.timeoutScale
      return record
    case .container(let setup):
      var record = RunnerRecord(kind: .container, reason: setup.reason)
      (record.launcher, record.image, record.containerPlatform) = (setup.engine, setup.image, setup.platform)
      (record.engineArguments, record.seccomp) = (setup.engineArguments, setup.seccomp)
      (record.projectFolder, record.cpuModel) = (setup.project, setup.cpuModel)
      record.timeoutScale = setup.timeoutScale
      return record
    case .wine(let setup):
      var record = RunnerRecord(kind: .wine, reason: setup.reason)
      (record.launcher, record.sysroot) = (setup.wine, setup.prefix)
      record.timeoutScale = setup.timeoutScale
      return record
    case .unavailable(let setup):
      var record = RunnerRecord.none(setup.reason)
      record.hostLacksIt = setup.hostLacksIt
      record.timeoutScale = setup.timeoutScale
      return record
    }
  }

  /// The backend that runs a cell's steps this way.
  package func runner(context: RunnerContext) -> any StepRunner {
    let record = record
    switch self {
    case .native(let setup): return NativeRunner(reason: setup.reason, timeoutScale: setup.timeoutScale)
    case .qemu(let setup):
      return QemuRunner(
        record: record, emulator: setup.emulator, sysroot: setup.sysroot, cpuModel: setup.cpuModel, context: context)
    case .rootfs(let setup):
      return RootfsRunner(
        record: record, rootfs: setup.rootfs, bwrap: setup.bwrap, folder: setup.folder, project: setup.project,
        cpuModel: setup.cpuModel)
    case .container(let setup):
      return ContainerRunner(
        record: record, engine: setup.engine, image: setup.image, platform: setup.platform,
        engineArguments: setup.engineArguments, seccomp: setup.seccomp, network: setup.network,
        project: setup.project, cpuModel: setup.cpuModel, context: context)
    case .wine(let setup): return WineRunner(record: record, wine: setup.wine, prefix: setup.prefix, context: context)
    case .unavailable(let setup):
      return UnavailableRunner(
        reason: setup.reason, hostLacksIt: setup.hostLacksIt, timeoutScale: setup.timeoutScale,
        platform: context.target.platform)
    }
  }

  /// The container engine (and its arguments) a container cell needs its image imported with: what
  /// `run` provisions, and what it sweeps a killed run's containers with.
  package var containerEngine: (path: String, arguments: [String])? {
    guard case .container(let setup) = self else { return nil }
    return (setup.engine, setup.engineArguments)
  }

  /// This choice with its run steps' time limits multiplied by `scale` (the cell's `timeout_scale:`,
  /// else the runner's default: 1 natively, 5 under qemu, 8 for a foreign arch in a root filesystem
  /// or container, 2 under wine), and the cell's CPU model for whatever emulates the target.
  func adjusted(for cell: Cell, foreign: Bool) -> RunnerChoice {
    let requested = { (kind: RunnerKind, otherwise: Double) in cell.settings.timeoutScale(for: kind) ?? otherwise }
    let model = cell.target.qemuModel
    switch self {
    case .native(var setup):
      setup.timeoutScale = requested(.native, 1)
      return .native(setup)
    case .qemu(var setup):
      setup.timeoutScale = requested(.qemu, 5)
      setup.cpuModel = model
      return .qemu(setup)
    case .rootfs(var setup):
      setup.timeoutScale = requested(.rootfs, foreign ? 8 : 1)
      if foreign { setup.cpuModel = model }
      return .rootfs(setup)
    case .container(var setup):
      setup.timeoutScale = requested(.container, foreign ? 8 : 1)
      if foreign { setup.cpuModel = model }
      return .container(setup)
    case .wine(var setup):
      setup.timeoutScale = requested(.wine, 2)
      return .wine(setup)
    case .unavailable(var setup):
      setup.timeoutScale = requested(.none, 1)
      return .unavailable(setup)
    }
  }
}
