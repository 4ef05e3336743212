/// A run step of a cell: its identity, what it runs, what it must end with and print, and how
/// often it may run again.
public struct RunStep: Sendable, Hashable {
  /// `.run(NAME)`: unique in the cell, never `build` or `rebuild-N`.
  public var id: StepID
  /// What it runs.
  public var command: StepCommand
  /// What it must end with and print (`expect:`, `tests:`).
  public var expect: StepExpectation
  /// How many times a step that did not end with its expected exit runs again (`retries:`); a step
  /// that then does is `flaky`, never simply passed. Nil for none.
  public var retries: Int?

  /// The most retries a step may have.
  public static let mostRetries = 10

  /// A run step from its parts.
  public init(id: StepID, command: StepCommand, expect: StepExpectation = StepExpectation(), retries: Int? = nil) {
    self.id = id
    self.command = command
    self.expect = expect
    self.retries = retries
  }

  /// The step's name.
  public var name: String { id.name }
}
