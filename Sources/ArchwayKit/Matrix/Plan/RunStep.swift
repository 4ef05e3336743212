/// A run step of a cell: its identity, what it runs, what it must end with and print, and how
/// often it may run again.
package struct RunStep: Sendable, Hashable {
  /// `.run(NAME)`: unique in the cell, never `build` or `rebuild-N`.
  package var id: StepID
  /// What it runs.
  package var command: StepCommand
  /// What it must end with and print (`expect:`, `tests:`).
  package var expect: StepExpectation
  /// How many times a step that did not end with its expected exit runs again (`retries:`); a step
  /// that then does is `flaky`, never simply passed. Nil for none.
  package var retries: Int?
  /// Whether an earlier run's outcome of this step may stand for it (`reuse: false` for a step that
  /// reads the clock or the network): a cell with a step that may not is always run.
  package var reuse = true

  /// The most retries a step may have.
  package static let mostRetries = 10

  /// A run step from its parts.
  package init(id: StepID, command: StepCommand, expect: StepExpectation = StepExpectation(), retries: Int? = nil) {
    self.id = id
    self.command = command
    self.expect = expect
    self.retries = retries
  }

  /// The step's name.
  package var name: String { id.name }
}
