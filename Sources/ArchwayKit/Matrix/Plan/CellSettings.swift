/// How a cell runs, from its `runner`, `engine`, `engine_args`, `network` and `seccomp` values:
/// decoded and checked by the planner, so a typo is a plan error at its line and column rather than
/// a cell that quietly runs nothing.
public struct CellSettings: Sendable, Hashable, Codable {
  /// A container engine (`engine:`).
  public enum Engine: String, Sendable, Hashable, Codable, CaseIterable {
    case podman, docker
  }

  /// The runner the cell insists on (`runner:`); the cheapest that fits is chosen when nil.
  public var runner: RunnerKind?
  /// The engine asked for, if any (podman, then docker, when nil).
  public var engine: Engine?
  /// `engine_args:`, the flags a host's engine needs; `$ARCHWAY_ENGINE_ARGS` when nil.
  public var engineArguments: [String]?
  /// Whether a container cell gets a network (`network: true`); none by default.
  public var network = false
  /// The seccomp profile a container cell runs under (`seccomp: FILE`), absolute.
  public var seccomp: String?
  /// `timeout_scale:`: what run steps' time limits are multiplied by, one factor for the cell or
  /// one per runner (`{qemu: 10}`); each runner's default (``defaultTimeoutScale``) where none is given.
  public var timeoutScale: [String: Double]?

  enum CodingKeys: String, CodingKey {
    case runner, engine, engineArguments = "engine_args", network, seccomp, timeoutScale = "timeout_scale"
  }

  /// The factor for a runner when the cell names none: 1 natively, 5 under qemu, 8 in a root
  /// filesystem or container of a foreign arch (emulated through binfmt_misc), 2 under wine.
  public static func defaultTimeoutScale(runner: RunnerKind, foreign: Bool) -> Double {
    switch runner {
    case .qemu: 5
    case .rootfs, .container: foreign ? 8 : 1
    case .wine: 2
    case .native, .none: 1
    }
  }

  /// The factor run steps' time limits get with `runner` (the cell's `timeout_scale:`, else the default).
  public func timeoutScale(runner: RunnerKind, foreign: Bool) -> Double {
    timeoutScale?[runner.rawValue] ?? timeoutScale?["*"] ?? Self.defaultTimeoutScale(runner: runner, foreign: foreign)
  }

  /// Nothing asked for.
  public init() {}
}
