/// The runner chosen for one cell on this host, each case with its backend's setup and nothing
/// else. Chosen once per cell, after the environments are provisioned (``choose(for:on:engineArguments:)``),
/// then made into its backend (``runner(context:)``); the report keeps its ``record``. A new runner
/// is a case here and a file of its own (its setup and its ``StepRunner``).
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
  /// A real machine runs them, over ssh.
  case ssh(SshSetup)
  /// Nothing here runs them.
  case unavailable(UnavailableSetup)

  /// The chosen runner's setup.
  var setup: any RunnerSetup {
    switch self {
    case .native(let setup): setup
    case .qemu(let setup): setup
    case .rootfs(let setup): setup
    case .container(let setup): setup
    case .wine(let setup): setup
    case .ssh(let setup): setup
    case .unavailable(let setup): setup
    }
  }

  /// What the report says of this choice.
  package var record: RunnerRecord { setup.record }

  /// The backend that runs a cell's steps this way.
  package func runner(context: RunnerContext) -> any StepRunner { setup.runner(context: context) }

  /// The container engine (and its arguments) a container cell needs its image imported with: what
  /// `run` provisions, and what it sweeps a killed run's containers with.
  package var containerEngine: (path: String, arguments: [String])? {
    guard case .container(let setup) = self else { return nil }
    return (setup.engine, setup.engineArguments)
  }

  /// `doctor`'s check of each machine these choices send steps to over ssh, once each.
  package static func machineChecks(_ choices: [RunnerChoice]) async -> [HostCheck] {
    var setups: [SshSetup] = []
    for case .ssh(let setup) in choices where !setups.contains(where: { $0.host == setup.host }) {
      setups.append(setup)
    }
    var checks: [HostCheck] = []
    for setup in setups { checks.append(await setup.check()) }
    return checks
  }

  static func none(_ reason: String, hostLacksIt: Bool = false) -> RunnerChoice {
    .unavailable(UnavailableSetup(basis: RunnerBasis(reason: reason), hostLacksIt: hostLacksIt))
  }

  /// This choice with its basis changed by `change`: its reason, time scale or CPU model.
  func with(_ change: (inout RunnerBasis) -> Void) -> RunnerChoice {
    switch self {
    case .native(var setup): change(&setup.basis); return .native(setup)
    case .qemu(var setup): change(&setup.basis); return .qemu(setup)
    case .rootfs(var setup): change(&setup.basis); return .rootfs(setup)
    case .container(var setup): change(&setup.basis); return .container(setup)
    case .wine(var setup): change(&setup.basis); return .wine(setup)
    case .ssh(var setup): change(&setup.basis); return .ssh(setup)
    case .unavailable(var setup): change(&setup.basis); return .unavailable(setup)
    }
  }

  /// This choice with its run steps' time limits multiplied as the cell's `timeout_scale:` says,
  /// else by the runner's default (emulation is slower: 5 under qemu, 8 for a foreign arch in a
  /// root filesystem or container, 2 under wine, else 1), and the cell's CPU model and kernel
  /// release for whatever emulates the target (qemu's `-cpu` and `-r`, `QEMU_CPU` and `QEMU_UNAME`
  /// for what binfmt_misc hands to qemu).
  func adjusted(for cell: Cell, foreign: Bool) -> RunnerChoice {
    let kind = record.kind
    let defaults: [RunnerKind: Double] = [.qemu: 5, .rootfs: foreign ? 8 : 1, .container: foreign ? 8 : 1, .wine: 2]
    let emulates = kind == .qemu || (foreign && [.rootfs, .container].contains(kind))
    return with { basis in
      basis.timeoutScale = cell.settings.timeoutScale(for: kind) ?? defaults[kind] ?? 1
      if emulates {
        basis.cpuModel = cell.target.qemuModel
        if let release = cell.target.osVersion, release.os == "linux" {
          let parts = release.version.components
          basis.unameRelease = (parts + [0, 0, 0]).prefix(3).map(String.init).joined(separator: ".")
        }
      }
    }
  }
}

/// What every runner's setup says: why it was chosen, what its run steps' time limits are
/// multiplied by, and the CPU model it emulates, where it emulates one.
package struct RunnerBasis: Sendable, Hashable {
  /// Why.
  package var reason: String
  /// What run steps' time limits are multiplied by.
  package var timeoutScale: Double = 1
  /// The qemu CPU model the target's programs run on, where they are emulated.
  package var cpuModel: String?
  /// The kernel release uname reports to the target's programs, where they are emulated: the
  /// cell's linux `os_version:` (`3.10` → `3.10.0`, qemu's `-r`).
  package var unameRelease: String?

  /// What the emulator reads from the environment of the programs binfmt_misc hands it: the CPU
  /// model (`QEMU_CPU`) and the kernel release (`QEMU_UNAME`).
  var emulatorEnvironment: [String: String] {
    var variables: [String: String] = [:]
    variables["QEMU_CPU"] = cpuModel
    variables["QEMU_UNAME"] = unameRelease
    return variables
  }

  /// The report's record of a runner of `kind` with this basis, and what `fill` adds of its setup.
  func record(_ kind: RunnerKind, _ fill: (inout RunnerRecord) -> Void = { _ in }) -> RunnerRecord {
    var record = RunnerRecord(kind: kind, reason: reason)
    (record.timeoutScale, record.cpuModel, record.unameRelease) = (timeoutScale, cpuModel, unameRelease)
    fill(&record)
    return record
  }
}

/// A runner's setup: what the choice found on the host for it, the record the report keeps of it,
/// and the backend that runs a cell's steps with it.
protocol RunnerSetup: Sendable, Hashable {
  /// Why it was chosen, its time scale, its CPU model.
  var basis: RunnerBasis { get set }
  /// What the report says of it.
  var record: RunnerRecord { get }
  /// The backend, for the cell `context` describes.
  func runner(context: RunnerContext) -> any StepRunner
}

/// A backend made from its setup: what the report says of it is what its setup says.
protocol SetupBacked {
  associatedtype Setup: RunnerSetup
  /// The setup the backend runs with.
  var setup: Setup { get }
}

extension StepRunner where Self: SetupBacked {
  var record: RunnerRecord { setup.record }
}
