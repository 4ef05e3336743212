import Foundation

/// Turns a matrix file into cells: expansion with GitHub Actions semantics, defaults, targets,
/// stable ids, and `build:`/`run:`/`verify:` with their placeholders resolved. Runs nothing.
public struct Planner: Sendable {
  /// The axes that give a cell its target and environment; every other key is a user axis.
  package static let reservedAxes: Set<String> = [
    "platform", "os", "arch", "variant", "libc", "cpu", "os_version", "env",
  ]
  /// Values that say how a cell runs, not what it is: left out of cell ids.
  package static let settings: Set<String> = [
    "runner", "engine", "engine_args", "network", "seccomp", "timeout_scale", "same_as", "host",
  ]

  /// The platform of cells that name none (and have no default): the host's.
  package var host: Platform
  /// Where cells' output folders go, absolute: `${cell.out}` is `OUT/ID`.
  package var outputRoot: String
  /// Where Archway runs: relative artifact paths, `workdir:` and `seccomp:` are taken from here.
  package var directory: String
  /// Folders of environment recipes (`--containers`), looked in after the matrix file's own
  /// `Containers` folder and before Archway's shipped recipes.
  package var recipeFolders: [String] = []
  /// The most cells a matrix may make (`--max-cells`): a typo such as ten 10-value axes must be an
  /// error, not 10^10 cells in memory.
  package var maximumCells = Planner.defaultMaximumCells
  /// ``maximumCells`` unless raised: far above any CI's job limit (GitHub allows 256 per matrix).
  package static let defaultMaximumCells = 10_000
  /// Values from the command line (`--set KEY=VALUE`, ``setting(_:)``): defaults that win over the
  /// file's `defaults:`, never over a cell's own value; a key may not be an axis.
  package var set: [MatrixEntry] = []

  /// A planner for `host`, with output under `outputRoot` (relative to `directory`, by default the
  /// current folder).
  public init(
    host: Platform, outputRoot: String = "archway-out",
    directory: String = FileManager.default.currentDirectoryPath
  ) {
    self.host = host
    self.directory = directory
    self.outputRoot = PathText.absolute(outputRoot, from: directory)
  }

  /// Every cell of `file`, in GitHub Actions' order. Throws a ``MatrixError`` at the first value
  /// that names no target, a duplicate cell, a matrix that expands to nothing, or an unknown placeholder.
  public func plan(_ file: MatrixFile) throws(MatrixError) -> [Cell] {
    // `${cell.out}` goes into shell scripts as text, where a `$(…)` in a folder's name would run.
    if let bad = outputRoot.first(where: { "$`\"\\\n".contains($0) }) {
      throw MatrixError(
        "the output folder \(outputRoot.jsonQuoted) holds \(String(bad).jsonQuoted), which a shell step would read as"
          + " shell syntax through ${cell.out}; choose an --out (and a working folder) without $ ` \" \\ or newlines",
        at: nil)
    }
    for entry in set where file.axes.contains(where: { $0.key == entry.key }) {
      throw MatrixError(
        "'\(entry.key)' is an axis of this matrix; choose its cells with --filter \(entry.key)=VALUE",
        at: entry.keyLocation)
    }
    let combinations = try MatrixExpansion.expand(file, limit: maximumCells)
    guard !combinations.isEmpty else {
      throw MatrixError("the matrix expands to no cells: every combination is excluded", at: file.matrixLocation)
    }
    var cells: [Cell] = []
    var origins: [SourceLocation] = []
    var idCounts: [String: Int] = [:]
    var meanings: [String: Int] = [:]  // What a cell is (target, environment, values as text) → its index.
    var links = Links()
    var recipes = Recipes(search: recipeSearch(for: file))
    let hosts =
      try file.hosts.map { value throws(MatrixError) in try RemoteHost.parse(value, directory: directory) } ?? []
    for var combination in combinations {
      // A default is every cell's that lacks the value, not a cell's own: it stays out of ids.
      let own = combination.values
      for entry in set + file.defaults where combination[entry.key] == nil { combination.values.append(entry) }
      let (target, env) = try target(of: combination, axes: file.axes.map(\.key))
      let meaning = Planner.meaning(target: target, env: env, values: combination.values)
      if let index = meanings[meaning] {
        throw Planner.duplicate(combination, of: cells[index], from: origins[index])
      }
      meanings[meaning] = cells.count
      var id = Planner.cellID(target: target, env: env, values: own)
      idCounts[id, default: 0] += 1
      // `~` is never in a made id, so `a_b~2` cannot be another cell's own id (`a_b-2` could).
      if let count = idCounts[id], count > 1 { id += "~\(count)" }
      var cell = Cell(
        id: id, values: combination.values, target: target, env: env, out: "\(outputRoot)/\(id)")
      try resolveSteps(of: &cell, from: file, links: &links)
      try settle(&cell, from: file, combination: combination, hosts: hosts, recipes: &recipes, links: &links)
      cells.append(cell)
      origins.append(combination.origin)
    }
    try links.check(among: Set(cells.map(\.id)))
    return cells
  }

  /// Where the recipes of a matrix's environments are looked for: its own folder's `Containers`,
  /// the `--containers` folders, then Archway's shipped ones.
  private func recipeSearch(for file: MatrixFile) -> [String] {
    let matrixFolder = PathText.absolute(
      URL(fileURLWithPath: file.path).deletingLastPathComponent().path, from: directory)
    return [matrixFolder + "/Containers"] + recipeFolders.map { PathText.absolute($0, from: directory) }
      + EnvironmentRecipe.shippedFolders
  }

  /// `cell`'s `build:`, `run:` and `verify:` blocks, each decoded here, once (no later stage reads
  /// YAML), their placeholders resolved: run steps see the artifacts. Each `expect.reference` is
  /// noted in `links`.
  private func resolveSteps(of cell: inout Cell, from file: MatrixFile, links: inout Links) throws(MatrixError) {
    let target = cell.target
    var placeholders = Placeholders(
      cell: cell, names: TargetNames(spec: TargetCatalog.spec(for: target.platform)!, libc: target.libc),
      cpu: target.cpu)
    cell.steps.limits = try ResourceLimit.parse(cell["ulimit"])
    try cell.steps.decodeBuild(
      try file.build.map { value throws(MatrixError) in try placeholders.resolve(value) }, out: cell.out,
      directory: directory)
    if cell.steps.buildIn == .target, cell.env == nil, let place = file.build?["in"] {
      throw MatrixError(
        "'in: target' builds inside the cell's environment, with its own compiler; this cell has no 'env:'"
          + " (give one whose recipe installs the compiler, e.g. packages: [gcc, libc6-dev])", at: place.location)
    }
    placeholders.artifacts = cell.steps.artifacts
    links.references += try cell.steps.decodeRun(
      try file.run.map { value throws(MatrixError) in try placeholders.resolve(value) }, directory: directory
    ).map { ($0.0, $0.1, cell.id) }
    cell.verify = try VerifyPolicy(
      verify: try file.verify.map { value throws(MatrixError) in try placeholders.resolve(value) }, libc: target.libc)
    if cell.steps.buildIn == .target, cell.verify.reproducible != nil, let place = file.build?["in"] {
      throw MatrixError(
        "'in: target' with 'reproducible:' is not supported: the rebuilds would run on the host, with another"
          + " compiler; compare two cells with 'same_as:' instead", at: place.location)
    }
  }

  /// What else the cell's values say: the cell it must equal (`same_as:`), how it runs (its
  /// settings), its environment's recipe; then, its policy known, the rebuilds it needs.
  private func settle(
    _ cell: inout Cell, from file: MatrixFile, combination: Combination, hosts: [RemoteHost], recipes: inout Recipes,
    links: inout Links
  ) throws(MatrixError) {
    // `same_as:` as a cell's value (in an `include:` entry): one cell compared, without it in the id.
    if let value = combination["same_as"] {
      guard let id = value.scalarText, !id.isEmpty else {
        throw MatrixError("'same_as' must name a cell, not \(value.shapeName)", at: value.location)
      }
      cell.verify.sameAs = id
      links.comparisons.append((id, value.location, cell.id))
    } else if let id = cell.verify.sameAs, let value = file.verify?["same_as"] {
      links.comparisons.append((id, value["cell"]?.location ?? value.location, cell.id))
    }
    cell.settings = try CellSettings(combination.values, directory: directory)
    try cell.settings.pickHost(among: hosts, for: cell.target.platform, values: combination.values)
    if let env = cell.env, let location = combination["env"]?.location {
      try attach(try recipes.find(env, at: location), to: &cell, at: location)
    }
    if let build = cell.steps.build, let reproducible = cell.verify.reproducible {
      cell.steps.rebuilds = RebuildStep.plan(
        build, artifacts: cell.steps.artifacts, members: cell.steps.members, out: cell.out,
        reproducible: reproducible)
    }
  }

  /// The cells that cells name (`expect.reference`, `same_as`), with where each was written and the
  /// cell that names it.
  private struct Links {
    var references: [(id: String, location: SourceLocation, from: String)] = []
    var comparisons: [(id: String, location: SourceLocation, from: String)] = []

    /// Throws a ``MatrixError`` at the first name that is not one of `ids`, and at one that compares
    /// a cell with itself, which always matches: a `same_as` naming its own cell, or a `reference`
    /// that names, in every cell it applies to, that cell (the reference cell of a top-level
    /// `reference:` names itself and goes uncompared, while the others compare with it).
    func check(among ids: Set<String>) throws(MatrixError) {
      if let unknown = comparisons.first(where: { !ids.contains($0.id) }) {
        throw MatrixError(
          "'same_as' names no cell of the plan: '\(unknown.id)'"
            + Suggestion.phrase(for: unknown.id, among: ids.sorted()), at: unknown.location)
      }
      if let unknown = references.first(where: { !ids.contains($0.id) }) {
        throw MatrixError(
          "'reference' names no cell of the plan: '\(unknown.id)'"
            + Suggestion.phrase(for: unknown.id, among: ids.sorted()), at: unknown.location)
      }
      if let own = comparisons.first(where: { $0.id == $0.from }) {
        throw MatrixError(
          "'same_as' names the cell itself ('\(own.id)'): its artifacts would be compared with themselves; name"
            + " another cell", at: own.location)
      }
      let places = Dictionary(grouping: references, by: \.location)
      if let own = references.first(where: { places[$0.location]!.allSatisfy { $0.id == $0.from } }) {
        throw MatrixError(
          "'reference' names the cell itself ('\(own.id)'): its output would be compared with itself; name"
            + " another cell", at: own.location)
      }
    }
  }

  /// The environments' recipes, each read once a plan.
  private struct Recipes {
    var search: [String]
    var found: [String: EnvironmentRecipe] = [:]

    mutating func find(_ env: String, at location: SourceLocation) throws(MatrixError) -> EnvironmentRecipe {
      if let recipe = found[env] { return recipe }
      let recipe = try EnvironmentRecipe.find(env, in: search, at: location)
      found[env] = recipe
      return recipe
    }
  }

  /// Gives `cell` its environment's recipe, whose glibc is a ceiling too: what runs in debian-11
  /// must need at most 2.31. Throws a ``MatrixError`` at the `env:` value when the recipe does not
  /// list the cell's arch.
  private func attach(
    _ recipe: EnvironmentRecipe, to cell: inout Cell, at location: SourceLocation
  ) throws(MatrixError) {
    do {
      _ = try recipe.debianArch(for: cell.target.platform)
    } catch {
      throw MatrixError(error.message, at: location)
    }
    cell.environment = recipe
    if recipe.libcFamily == "glibc" {
      cell.verify.glibcMax = cell.verify.glibcMax.map { min($0, recipe.libcVersion) } ?? recipe.libcVersion
    }
  }

  /// What a cell is, whatever spelling made it: its target, environment, and every other value as
  /// the text its placeholders become (`amd64` and `linux/amd64`, `true` and `"true"` are one).
  static func meaning(target: CellTarget, env: String?, values: [MatrixEntry]) -> String {
    let parts = [
      target.platform.description, target.libc.description, target.cpu?.name ?? "", target.osVersion?.name ?? "",
      env ?? "",
    ]
    let own = values.filter { !reservedAxes.contains($0.key) }.map { "\($0.key)=\($0.value)" }.sorted()
    return (parts + own).joined(separator: "\u{0}")
  }

  /// The error for `combination`, which makes the cell `earlier` (from `origin`) again: the same
  /// values, or the first value written differently, quoted with its kind when only that differs.
  static func duplicate(_ combination: Combination, of earlier: Cell, from origin: SourceLocation) -> MatrixError {
    if Set(combination.values) == Set(earlier.values) {
      return MatrixError(
        "duplicate cell '\(earlier.id)': the same values as the cell from line \(origin.line)", at: combination.origin)
    }
    let before = Dictionary(earlier.values.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    func quoted(_ value: MatrixValue) -> String {
      if case .string(let text) = value.kind { return "'\"\(text)\"'" }
      return "'\(value)'"
    }
    guard
      let entry = combination.values.first(where: { entry in before[entry.key].map { $0 != entry.value } ?? false }),
      let old = before[entry.key]
    else {
      return MatrixError(
        "duplicate cell '\(earlier.id)': the same target and values as the cell from line \(origin.line), written"
          + " differently; write each cell once", at: combination.origin)
    }
    let same = entry.value.description == old.description
    let here = same ? "\(quoted(entry.value)) (\(entry.value.shapeName))" : "'\(entry.value)'"
    let there = same ? "\(quoted(old)) (\(old.shapeName), line \(origin.line))" : "'\(old)' (line \(origin.line))"
    return MatrixError(
      "duplicate cell '\(earlier.id)': \(entry.key) \(here) names the same cell as \(there); write each cell once",
      at: entry.value.location)
  }

  /// `linux-arm64-gnu-2.31-debian-11-opt=O2`: the platform, the libc, the CPU, the OS release
  /// (`macos13.0`, `windows7`, `linux5.10`), the environment, then each user value as `key=value`;
  /// characters outside `[A-Za-z0-9._=+-]` become `_`. An id longer than ``longestID`` bytes (a
  /// 5,000-character value) is cut and ends in `~` and 12 hex digits of its whole's SHA-256: it names
  /// the cell's folder, and a file name has at most 255 bytes.
  static func cellID(target: CellTarget, env: String?, values: [MatrixEntry]) -> String {
    let whole = fullID(target: target, env: env, values: values)
    guard whole.utf8.count > longestID else { return whole }
    let digest = Digest.hash(.sha256, Data(whole.utf8)).hexString().prefix(12)
    return String(whole.prefix(longestID - 13)) + "~" + digest
  }

  /// The longest cell id, in bytes (its characters are ASCII).
  static let longestID = 200

  private static func fullID(target: CellTarget, env: String?, values: [MatrixEntry]) -> String {
    var parts = [target.platform.description.replacingOccurrences(of: "/", with: "-"), target.libc.description]
    if let cpu = target.cpu { parts.append(cpu.name) }
    if let release = target.osVersion { parts.append((release.os == "darwin" ? "macos" : release.os) + release.name) }
    if let env { parts.append(env) }
    for entry in values where !reservedAxes.contains(entry.key) && !settings.contains(entry.key) {
      parts.append("\(entry.key)=\(entry.value)")
    }
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._=+-")
    return String(parts.joined(separator: "-").map { allowed.contains($0) ? $0 : "_" })
  }

  /// The target a combination's reserved values name: its platform (the host's when it names
  /// none), libc (the platform's default), CPU, OS release and environment. Throws a
  /// ``MatrixError`` at the value that names none, or a libc, CPU or release the platform cannot have.
  private func target(
    of combination: Combination, axes: [String]
  ) throws(MatrixError) -> (CellTarget, String?) {
    let platform = try self.platform(of: combination, axes: axes)
    var libc = TargetNames.defaultLibc(for: platform)
    if let (text, location) = try combination.word("libc") {
      do {
        libc = try LibcRequirement.parse(text)
      } catch {
        throw MatrixError(error.description, at: location)
      }
      if libc == .any {
        throw MatrixError("libc 'any' is only for 'archway verify'; a cell needs a libc", at: location)
      }
      if let problem = libc.incompatibility(with: platform) {
        throw MatrixError("\(platform) with libc '\(text)': \(problem)", at: location)
      }
    }
    var cpu: CPULevel?
    if let (text, location) = try combination.word("cpu") {
      do {
        cpu = try CPULevel.parse(text, arch: platform.arch)
      } catch {
        throw MatrixError(error.description, at: location)
      }
      if platform.os != "linux" {
        throw MatrixError(
          "cpu '\(text)': a CPU is chosen for linux cells, which run under qemu; \(platform) is not", at: location)
      }
    }
    var release: OSVersion?
    if let (text, location) = try combination.word("os_version") {
      do {
        release = try OSVersion.parse(text, os: platform.os)
      } catch {
        throw MatrixError(error.description, at: location)
      }
    }
    let target = CellTarget(platform: platform, libc: libc, cpu: cpu, osVersion: release)
    return (target, try combination.word("env")?.0)
  }

  /// The platform of `platform:`, or of `os:`, `arch:` and `variant:`; the host's when the cell
  /// names none, unless an axis looks like a misspelt reserved one.
  private func platform(of combination: Combination, axes: [String]) throws(MatrixError) -> Platform {
    if let (text, location) = try combination.word("platform") {
      if let extra = ["os", "arch", "variant"].first(where: { combination[$0] != nil }) {
        throw MatrixError(
          "a cell has both 'platform' and '\(extra)'; give one or the other", at: combination[extra]!.location)
      }
      return try parsePlatform(text, at: location)
    }
    if let (arch, location) = try combination.word("arch") {
      let os = try combination.word("os")?.0 ?? "linux"
      let variant = try combination.word("variant")?.0
      return try parsePlatform([os, arch, variant].compactMap { $0 }.joined(separator: "/"), at: location)
    }
    if let (os, location) = try combination.word("os") {
      throw MatrixError("os '\(os)' needs an 'arch' (or write 'platform: \(os)/amd64')", at: location)
    }
    for axis in axes where !Planner.reservedAxes.contains(axis) {
      if let near = Suggestion.closest(to: axis, among: ["platform", "arch", "variant", "libc"]) {
        let location = combination.values.first { $0.key == axis }?.keyLocation ?? combination.origin
        throw MatrixError("unknown axis '\(axis)' and no platform; did you mean '\(near)'?", at: location)
      }
    }
    return host
  }

  private func parsePlatform(_ text: String, at location: SourceLocation) throws(MatrixError) -> Platform {
    do {
      return try Platform.parse(text)
    } catch {
      throw MatrixError(error.description, at: location)
    }
  }

  static let example = [
    "platform": "'linux/arm64'", "os": "'linux'", "arch": "'arm64'", "variant": "'v7'", "libc": "'gnu-2.31'",
    "env": "'debian-11'", "cpu": "'x86-64-v2'", "os_version": "'13.0'",
  ]
}

extension Combination {
  /// The word a reserved value is (a number as written), with where it was written; nil when the
  /// combination has no such value. Throws a ``MatrixError`` for a list or a map.
  fileprivate func word(_ key: String) throws(MatrixError) -> (String, SourceLocation)? {
    guard let value = self[key] else { return nil }
    guard case .string(let text) = value.kind else {
      if case .int = value.kind { return (value.description, value.location) }
      throw MatrixError(
        "'\(key)' must be a word like \(Planner.example[key] ?? "'x'"), not \(value.shapeName)", at: value.location)
    }
    return (text, value.location)
  }
}

extension Planner {
  /// A `--set KEY=VALUE` as a matrix value: KEY a name as an axis has, VALUE read as YAML reads a
  /// value in the file (`1.20` stays as written, `[a, b]` is a list, nothing is the empty text).
  /// Its errors name the argument as written.
  package static func setting(_ argument: String) throws(MatrixError) -> MatrixEntry {
    let label = "--set \(argument)"
    let here = SourceLocation(file: label, line: 0, column: 0)
    let name = /[A-Za-z_][A-Za-z0-9_.-]*/
    guard let equals = argument.firstIndex(of: "="), (try? name.wholeMatch(in: argument[..<equals])) != nil else {
      throw MatrixError("is not KEY=VALUE (KEY letters, digits, '_', '.', '-'; e.g. --set version=1.2)", at: here)
    }
    let text = String(argument[argument.index(after: equals)...])
    let value = try MatrixValue.parse(yaml: text, file: label) ?? MatrixValue(.string(text), at: here)
    return MatrixEntry(key: String(argument[..<equals]), keyLocation: here, value: value)
  }
}
