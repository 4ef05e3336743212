/// A step's identity in its cell: its role and its name. Unique in the cell, it joins a step of the
/// plan to its outcome, its findings and its testcases, and names its log files.
public struct StepID: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// What a step is for.
  public enum Role: String, Sendable, Hashable, Codable {
    /// The build step (`build:`).
    case build
    /// A run step (`run:`); its name is unique among the cell's run steps.
    case run
    /// A further build for the reproducibility check (`rebuild-N`).
    case rebuild
    /// Something Archway ran for the runner (starting a container, making a wine prefix).
    case setup
  }

  /// What the step is for.
  public let role: Role
  /// The step's name: `build`, a run step's name, `rebuild-N`, `container-start`…
  public let name: String

  /// A step of `role` named `name`.
  package init(role: Role, name: String) {
    self.role = role
    self.name = name
  }

  /// The cell's build step.
  package static let build = StepID(role: .build, name: "build")
  /// The run step named `name`.
  package static func run(_ name: String) -> StepID { StepID(role: .run, name: name) }
  /// The further build `number` (2 for the second build) of the reproducibility check.
  package static func rebuild(_ number: Int) -> StepID { StepID(role: .rebuild, name: "rebuild-\(number)") }
  /// A step Archway runs for the cell's runner.
  package static func setup(_ name: String) -> StepID { StepID(role: .setup, name: name) }

  /// The name.
  public var description: String { name }

  /// Orders by role, then name, for stable output.
  public static func < (lhs: StepID, rhs: StepID) -> Bool {
    (lhs.role.rawValue, lhs.name) < (rhs.role.rawValue, rhs.name)
  }
}
