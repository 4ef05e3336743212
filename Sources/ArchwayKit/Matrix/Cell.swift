/// One cell of a plan: a combination of axis values, the target it builds for, and its resolved steps.
public struct Cell: Sendable, Hashable, Codable {
  /// A stable, readable id made from the values (`linux-arm64-gnu-2.31-opt=O2`), unique in the plan.
  public var id: String
  /// Every value after expansion, reserved and user axes alike, in the file's order.
  public var values: [MatrixEntry]
  /// The target: platform and libc, normalized.
  public var target: CellTarget
  /// The runtime environment (a folder of Containers/), if the cell names one.
  public var env: String?
  /// That environment's recipe, found and read by the planner.
  public var environment: EnvironmentRecipe?
  /// The cell's output folder (`${cell.out}`), absolute.
  public var out: String
  /// The build step, its artifacts and the run steps, decoded and resolved by the planner.
  public var steps: CellSteps
  /// What the verifier checks (`verify:` and the run steps' `expect:`).
  public var verify: VerifySpec
  /// How the cell runs (`runner`, `engine`, `engine_args`, `network`, `seccomp`).
  public var settings: CellSettings

  /// The value of `key`, if the cell has one.
  public subscript(key: String) -> MatrixValue? { values.first { $0.key == key }?.value }

  /// The values that are not reserved axes, in the file's order.
  public var userValues: [MatrixEntry] { values.filter { !Planner.reservedAxes.contains($0.key) } }

  /// The user values that say what the cell is, as its id does: without the settings that say how
  /// it runs (`runner`, `engine`, `engine_args`, `network`, `seccomp`).
  public var identityValues: [MatrixEntry] { userValues.filter { !Planner.settings.contains($0.key) } }

  enum CodingKeys: String, CodingKey {
    case id, values, target, env, environment, out, steps, verify, settings
  }

  /// Creates a cell.
  public init(
    id: String, values: [MatrixEntry], target: CellTarget, env: String?, out: String, steps: CellSteps = CellSteps(),
    verify: VerifySpec = VerifySpec(), settings: CellSettings = CellSettings()
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

  /// Decodes what ``encode(to:)`` writes; values come back in sorted key order.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    values = try c.decode(MatrixValue.self, forKey: .values).entries ?? []
    target = try c.decode(CellTarget.self, forKey: .target)
    env = try c.decodeIfPresent(String.self, forKey: .env)
    environment = try c.decodeIfPresent(EnvironmentRecipe.self, forKey: .environment)
    out = try c.decode(String.self, forKey: .out)
    steps = try c.decode(CellSteps.self, forKey: .steps)
    verify = try c.decode(VerifySpec.self, forKey: .verify)
    settings = try c.decode(CellSettings.self, forKey: .settings)
  }

  /// Encodes `values` as an object, env as null when absent.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id, forKey: .id)
    try c.encode(MatrixValue(.map(values), at: SourceLocation(file: "", line: 0, column: 0)), forKey: .values)
    try c.encode(target, forKey: .target)
    try c.encode(env, forKey: .env)
    try c.encode(environment, forKey: .environment)
    try c.encode(out, forKey: .out)
    try c.encode(steps, forKey: .steps)
    try c.encode(verify, forKey: .verify)
    try c.encode(settings, forKey: .settings)
  }
}

/// A cell's target as the plan reports it.
public struct CellTarget: Sendable, Hashable, Codable {
  /// `os/arch[/variant]`.
  public var platform: String
  /// `linux`, `darwin`, `windows`.
  public var os: String
  /// The OCI architecture.
  public var arch: String
  /// The OCI variant, if any.
  public var variant: String?
  /// `gnu`, `gnu-2.31`, `musl`, `static` or `system`.
  public var libc: String
  /// The CPU the cell's binaries must run on (`cpu:`): a level (`x86-64-v2`, `armv6`) or a qemu
  /// model; nil when the matrix names none.
  public var cpu: String?

  /// The target of `platform` with `libc`, on `cpu`.
  public init(platform: Platform, libc: LibcRequirement, cpu: CPULevel? = nil) {
    self.platform = platform.description
    os = platform.os
    arch = platform.arch
    variant = platform.variant
    self.libc = libc.description
    self.cpu = cpu?.name
  }

  /// The ``cpu`` as a level (ranked, with its qemu model), or nil without one.
  public var cpuLevel: CPULevel? { cpu.flatMap { try? CPULevel.parse($0, arch: arch) } }

  /// The qemu model that runs the cell's binaries when they are emulated: the `cpu:`'s, else for
  /// arm the model of the variant (never qemu's `max`, which runs every instruction).
  public var qemuModel: String? {
    if let level = cpuLevel { return level.qemuModel }
    return CPULevel.defaultModel(arch: arch, variant: variant)
  }

  /// Encodes `variant` as null when absent, so every key is always there.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(platform, forKey: .platform)
    try c.encode(os, forKey: .os)
    try c.encode(arch, forKey: .arch)
    try c.encode(variant, forKey: .variant)
    try c.encode(libc, forKey: .libc)
    try c.encode(cpu, forKey: .cpu)
  }
}
