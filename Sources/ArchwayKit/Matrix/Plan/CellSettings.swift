/// How a cell runs, from its `runner`, `engine`, `engine_args`, `network` and `seccomp` values:
/// decoded and checked by the planner, so a typo is a plan error at its line and column rather than
/// a cell that quietly runs nothing.
package struct CellSettings: Sendable, Hashable, Codable {
  /// A container engine (`engine:`).
  package enum Engine: String, Sendable, Hashable, Codable, CaseIterable {
    case podman, docker
  }

  /// The runner the cell insists on (`runner:`); the cheapest that fits is chosen when nil.
  package var runner: RunnerKind?
  /// The engine asked for, if any (podman, then docker, when nil).
  package var engine: Engine?
  /// `engine_args:`, the flags a host's engine needs; `$ARCHWAY_ENGINE_ARGS` when nil.
  package var engineArguments: [String]?
  /// Whether a container cell gets a network (`network: true`); none by default.
  package var network = false
  /// The seccomp profile a container cell runs under (`seccomp: FILE`), absolute.
  package var seccomp: String?
  /// `timeout_scale:`: what run steps' time limits are multiplied by, one factor for the cell or
  /// one per runner (`{qemu: 10}`); each runner's default where none is given.
  package var timeoutScale: [String: Double]?
  /// The machine its run steps go to over ssh: the cell's `host:` (with `runner: ssh`), or the host
  /// of `hosts:` whose platform is the cell's, taken with `runner: ssh` or when nothing on the local
  /// machine runs the target (a darwin cell beside a Mac).
  package var host: RemoteHost?

  enum CodingKeys: String, CodingKey {
    case runner, engine, engineArguments = "engine_args", network, seccomp, timeoutScale = "timeout_scale", host
  }

  /// The factor run steps' time limits get under a runner of `kind`, as the cell's `timeout_scale:`
  /// says (its `*` for every runner); nil when it says nothing, for the runner's own default.
  package func timeoutScale(for kind: RunnerKind) -> Double? {
    timeoutScale?[kind.rawValue] ?? timeoutScale?["*"]
  }

  /// Nothing asked for.
  package init() {}
}
