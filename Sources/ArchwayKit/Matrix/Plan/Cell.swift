/// One cell of a plan: a combination of axis values, the target it builds for, and its resolved steps.
public struct Cell: Sendable, Hashable, Codable {
  /// A stable, readable id made from the values (`linux-arm64-gnu-2.31-opt=O2`), unique in the plan.
  public var id: String
  /// Every value after expansion, reserved and user axes alike, in the file's order.
  package var values: [MatrixEntry]
  /// The target: platform and libc, normalized.
  public var target: CellTarget
  /// The runtime environment (a folder of Containers/), if the cell names one.
  public var env: String?
  /// That environment's recipe, found and read by the planner.
  package var environment: EnvironmentRecipe?
  /// The cell's output folder (`${cell.out}`), absolute.
  public var out: String
  /// The build step, its artifacts, the run steps (each with what it must print) and the rebuilds.
  package var steps: CellSteps
  /// What the verifier checks of the artifacts (`verify:`).
  package var verify: VerifyPolicy
  /// How the cell runs (`runner`, `engine`, `engine_args`, `network`, `seccomp`).
  package var settings: CellSettings

  /// The value of `key`, if the cell has one.
  package subscript(key: String) -> MatrixValue? { values.first { $0.key == key }?.value }

  /// The values that are not reserved axes, in the file's order.
  package var userValues: [MatrixEntry] { values.filter { !Planner.reservedAxes.contains($0.key) } }

  /// The user values that say what the cell is, as its id does: without the settings that say how
  /// it runs (`runner`, `engine`, `engine_args`, `network`, `seccomp`).
  package var identityValues: [MatrixEntry] { userValues.filter { !Planner.settings.contains($0.key) } }

  enum CodingKeys: String, CodingKey {
    case id, values, target, env, environment, out, steps, verify, settings
  }

  /// The run steps' outputs, as the `verify` block writes them: by step name.
  private enum VerifyKeys: String, CodingKey { case expectations }

  /// Creates a cell.
  package init(
    id: String, values: [MatrixEntry], target: CellTarget, env: String?, out: String, steps: CellSteps = CellSteps(),
    verify: VerifyPolicy = VerifyPolicy(), settings: CellSettings = CellSettings()
  ) {
    self.id = id
    self.values = values
    self.target = target
    self.env = env
    self.out = out
    self.steps = steps
    self.verify = verify
    self.settings = settings
  }

  /// Decodes what ``encode(to:)`` writes; values come back in sorted key order. The run steps'
  /// outputs come from the `verify` block's `expectations`, the rebuilds from its `reproducible`.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    values = try c.decode(MatrixValue.self, forKey: .values).entries ?? []
    target = try c.decode(CellTarget.self, forKey: .target)
    env = try c.decodeIfPresent(String.self, forKey: .env)
    environment = try c.decodeIfPresent(EnvironmentRecipe.self, forKey: .environment)
    out = try c.decode(String.self, forKey: .out)
    steps = try c.decode(CellSteps.self, forKey: .steps)
    verify = try c.decode(VerifyPolicy.self, forKey: .verify)
    settings = try c.decode(CellSettings.self, forKey: .settings)
    let outputs =
      try c.nestedContainer(keyedBy: VerifyKeys.self, forKey: .verify)
      .decodeIfPresent([String: OutputExpectation].self, forKey: .expectations) ?? [:]
    for index in steps.run.indices { steps.run[index].expect.outputs = outputs[steps.run[index].name] }
    if let build = steps.build, let reproducible = verify.reproducible {
      steps.rebuilds = RebuildStep.plan(
        build, artifacts: steps.artifacts, members: steps.members, out: out, reproducible: reproducible)
    }
  }

  /// Encodes `values` as an object, env as null when absent, and the run steps' outputs in the
  /// `verify` block (`expectations`, by step name), as the report's readers know them.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id, forKey: .id)
    try c.encode(MatrixValue(.map(values), at: SourceLocation(file: "", line: 0, column: 0)), forKey: .values)
    try c.encode(target, forKey: .target)
    try c.encode(env, forKey: .env)
    try c.encode(environment, forKey: .environment)
    try c.encode(out, forKey: .out)
    try c.encode(steps, forKey: .steps)
    try c.encode(VerifyBlock(policy: verify, steps: steps.run), forKey: .verify)
    try c.encode(settings, forKey: .settings)
  }

  /// The `verify` block as written: the policy's keys and the run steps' outputs in one object.
  private struct VerifyBlock: Encodable {
    var policy: VerifyPolicy
    var steps: [RunStep]

    func encode(to encoder: any Encoder) throws {
      try policy.encode(to: encoder)
      var outputs: [String: OutputExpectation] = [:]
      for step in steps { outputs[step.name] = step.expect.outputs }
      var c = encoder.container(keyedBy: VerifyKeys.self)
      try c.encode(outputs, forKey: .expectations)
    }
  }
}
