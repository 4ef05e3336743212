/// A cell's build step, the artifacts it must leave, its run steps and the rebuilds of the
/// reproducibility check, as the planner made them.
package struct CellSteps: Sendable, Hashable {
  /// The build step's command, if the cell has one (its id is ``StepID/build``; it must exit 0).
  package var build: StepCommand?
  /// Artifact name → absolute path inside the cell's folder (for a member of an archive, where
  /// Archway unpacks it: ``ArtifactMember/extracted(name:member:out:)``).
  package var artifacts: [String: String]
  /// Artifact name → the archive and member it is, for artifacts written `ARCHIVE!MEMBER`.
  package var members: [String: ArtifactMember] = [:]
  /// The run steps, in order, with unique names.
  package var run: [RunStep]
  /// The further builds `verify: reproducible:` asks for, made from ``build``.
  package var rebuilds: [RebuildStep]
  /// The cell's own `ulimit:` (each step may add to it).
  package var limits: [String: Int]
  /// Where the build runs (`build: {in: target}`): on the host (nil), or through the cell's runner,
  /// inside its environment's root filesystem or container, with the target's own compiler.
  package var buildIn: BuildPlace?
  /// What the build reads (`build: {inputs: [...]}`): absolute paths of files and folders. When
  /// given, an earlier run's build whose inputs (and all else its key holds) were the same is taken
  /// instead of building again (`run --reuse`, docs/reuse.md); nil: the build always runs.
  package var buildInputs: [String]?

  /// Where a build step runs.
  package enum BuildPlace: String, Sendable, Hashable, Codable, CaseIterable {
    case host, target
  }

  /// No steps at all.
  package init() {
    build = nil
    artifacts = [:]
    run = []
    rebuilds = []
    limits = [:]
    buildIn = nil
    buildInputs = nil
  }

  /// The run step `id`, if the cell has it.
  package func run(_ id: StepID) -> RunStep? { run.first { $0.id == id } }
}

extension CellSteps: Codable {
  enum CodingKeys: String, CodingKey {
    case build, artifacts, members, run, limits, buildIn, buildInputs = "build_inputs"
  }

  /// A step as the plan and report write it: its command, name, expected exit and retries, flat.
  struct StepJSON: Codable {
    var name: String
    var argv: [String]
    var environment: [String: String]
    var workingDirectory: String?
    var stdin: String?
    var timeout: Double?
    var expectedExit: Int32
    var limits: [String: Int]
    var retries: Int?
    /// `false` for a step whose earlier outcome may not stand for it; absent otherwise.
    var reuse: Bool?

    enum CodingKeys: String, CodingKey {
      case name, argv, environment = "env", workingDirectory = "workdir", stdin, timeout
      case expectedExit = "expected_exit", limits, retries, reuse
    }

    init(name: String, command: StepCommand, exit: Int32, retries: Int?, reuse: Bool = true) {
      self.name = name
      argv = command.argv
      environment = command.environment
      workingDirectory = command.workingDirectory
      stdin = command.stdin
      timeout = command.timeout
      expectedExit = exit
      limits = command.limits
      self.retries = retries
      self.reuse = reuse ? nil : false
    }

    var command: StepCommand {
      StepCommand(
        argv: argv, environment: environment, workingDirectory: workingDirectory, stdin: stdin, timeout: timeout,
        limits: limits)
    }
  }

  /// Decodes what ``encode(to:)`` writes: the run steps' outputs and the rebuilds are the cell's to
  /// add (``Cell/init(from:)``), from its `verify` block.
  package init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    build = try c.decodeIfPresent(StepJSON.self, forKey: .build)?.command
    artifacts = try c.decode([String: String].self, forKey: .artifacts)
    members = try c.decodeIfPresent([String: ArtifactMember].self, forKey: .members) ?? [:]
    run = try c.decode([StepJSON].self, forKey: .run).map { step in
      var run = RunStep(
        id: .run(step.name), command: step.command, expect: StepExpectation(exit: step.expectedExit),
        retries: step.retries)
      run.reuse = step.reuse ?? true
      return run
    }
    rebuilds = []
    limits = try c.decode([String: Int].self, forKey: .limits)
    buildIn = try c.decodeIfPresent(BuildPlace.self, forKey: .buildIn)
    buildInputs = try c.decodeIfPresent([String].self, forKey: .buildInputs)
  }

  /// The build and run steps as ``StepJSON``, the artifacts, limits, build place and inputs.
  package func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(build.map { StepJSON(name: "build", command: $0, exit: 0, retries: nil) }, forKey: .build)
    try c.encode(artifacts, forKey: .artifacts)
    if !members.isEmpty { try c.encode(members, forKey: .members) }
    let steps = run.map { step in
      StepJSON(name: step.name, command: step.command, exit: step.expect.exit, retries: step.retries, reuse: step.reuse)
    }
    try c.encode(steps, forKey: .run)
    try c.encode(limits, forKey: .limits)
    try c.encodeIfPresent(buildIn, forKey: .buildIn)
    try c.encodeIfPresent(buildInputs, forKey: .buildInputs)
  }
}
