import Foundation

/// A step as the plan holds it: decoded once by the planner, with every placeholder resolved
/// (`${artifact:NAME}` included), so no later stage reads YAML or parses a placeholder.
public struct StepSpec: Sendable, Hashable, Codable {
  /// The step's identity in its cell: `build`, or the run step's name (unique in the cell, never
  /// `build`); logs, checks and JUnit testcases are named after it.
  public var name: String
  /// What to run (`shell:` + `script:` become the shell's argv, e.g. `[bash, --noprofile, --norc, -eo,
  /// pipefail, -c, script]`).
  public var argv: [String]
  /// Variables added to the clean environment.
  public var environment: [String: String]
  /// The working directory, absolute; where Archway runs when nil (the cell's folder in a root filesystem).
  public var workingDirectory: String?
  /// Bytes for standard input.
  public var stdin: String?
  /// The step's time limit in seconds; the run's `--timeout` when nil.
  public var timeout: Double?
  /// The longest time limit a step may have: a week, in seconds.
  public static let longestTimeout: Double = 7 * 24 * 3600

  /// Whether `seconds` is a time limit a step may have: above zero, at most ``longestTimeout``.
  public static func isTimeLimit(_ seconds: Double) -> Bool { seconds > 0 && seconds <= longestTimeout }
  /// The exit code a run step is expected to end with (default 0).
  public var expectedExit: Int32
  /// Resource limits (`nofile`, `stack` in KiB, `nproc`, …): the cell's `ulimit:`, then the step's.
  public var limits: [String: Int] = [:]
  /// How many times a run step that did not end with ``expectedExit`` runs again (`retries:`); a
  /// step that then does is `flaky`, never simply passed. Nil for none.
  public var retries: Int?
  /// The most retries a step may have.
  public static let mostRetries = 10

  enum CodingKeys: String, CodingKey {
    case name, argv, environment = "env", workingDirectory = "workdir", stdin, timeout
    case expectedExit = "expected_exit", limits, retries
  }

  /// The `prlimit` options that apply ``limits``.
  public var prlimitOptions: [String] { ResourceLimit.prlimitOptions(limits) }

  /// The argv that runs `script` the way GitHub Actions runs a `run:` script: bash with
  /// `--noprofile --norc -eo pipefail`, sh (and dash, ash, busybox sh) with `-e`, so a failing command
  /// in the middle fails the step; any other shell as `SHELL -c SCRIPT`.
  public static func scriptArgv(shell: String, script: String) -> [String] {
    switch URL(fileURLWithPath: shell).lastPathComponent {
    case "bash": [shell, "--noprofile", "--norc", "-eo", "pipefail", "-c", script]
    case "sh", "dash", "ash": [shell, "-e", "-c", script]
    default: [shell, "-c", script]
    }
  }
}

/// A cell's build step, the artifacts it must leave, and its run steps, as the planner decoded them.
public struct CellSteps: Sendable, Hashable, Codable {
  /// The build step, if the cell has one.
  public var build: StepSpec?
  /// Artifact name → absolute path inside the cell's folder.
  public var artifacts: [String: String]
  /// The run steps, in order, with unique names.
  public var run: [StepSpec]
  /// The cell's own `ulimit:` (each step may add to it).
  public var limits: [String: Int]
  /// Where the build runs (`build: {in: target}`): on the host (nil), or through the cell's runner,
  /// inside its environment's root filesystem or container, with the target's own compiler.
  public var buildIn: BuildPlace?

  /// Where a build step runs.
  public enum BuildPlace: String, Sendable, Hashable, Codable, CaseIterable {
    case host, target
  }

  static let buildKeys = ["argv", "shell", "script", "env", "workdir", "timeout", "ulimit", "artifacts", "in"]
  static let runKeys = [
    "name", "argv", "shell", "script", "stdin", "env", "workdir", "timeout", "ulimit", "expect", "tests", "retries",
  ]

  /// No steps at all.
  public init() {
    build = nil
    artifacts = [:]
    run = []
    limits = [:]
    buildIn = nil
  }

  /// The build step and its artifacts from a resolved `build:` block; relative paths are taken from
  /// `directory` (where Archway runs). Throws a ``MatrixError`` at the first unknown key, ill-typed
  /// value, or artifact outside `out`.
  mutating func decodeBuild(_ block: MatrixValue?, out: String, directory: String) throws(MatrixError) {
    guard let block else { return }
    guard let entries = block.entries else {
      throw MatrixError("'build' must be a map (argv or shell and script, env, artifacts…)", at: block.location)
    }
    build = try Self.step(
      named: "build", entries, at: block.location, allowed: Self.buildKeys, limits: limits, directory: directory)
    if let place = block["in"] {
      guard let word = place.scalarText, let chosen = BuildPlace(rawValue: word) else {
        throw MatrixError(
          "'in' must be 'host' or 'target', not '\(place)'"
            + Suggestion.phrase(for: place.description, among: BuildPlace.allCases.map(\.rawValue)), at: place.location)
      }
      buildIn = chosen == .host ? nil : chosen
    }
    for entry in block["artifacts"]?.entries ?? [] {
      guard let path = entry.value.scalarText else {
        throw MatrixError("artifact '\(entry.key)' must be a path", at: entry.value.location)
      }
      let absolute = Self.absolute(path, from: directory)
      guard Self.isInside(absolute, folder: out) else {
        throw MatrixError(
          "artifact '\(entry.key)' at '\(path)' lies outside the cell's folder \(out)", at: entry.value.location)
      }
      artifacts[entry.key] = absolute
    }
  }

  /// The run steps of a resolved `run:` block, the one walk of it: the steps, what each step's
  /// `expect:` asks of its outputs (by step name), and each `expect.reference` with where it was
  /// written (for the planner's check that it names a cell). Throws a ``MatrixError`` at the first malformed
  /// step, and at a step whose name is `build`, `rebuild-N`, holds a `/`, or repeats an earlier step's.
  mutating func decodeRun(
    _ block: MatrixValue?, directory: String
  ) throws(MatrixError) -> (expectations: [String: OutputExpectation], references: [(String, SourceLocation)]) {
    var expectations: [String: OutputExpectation] = [:]
    var references: [(String, SourceLocation)] = []
    var seen: [String: SourceLocation] = [:]
    for (name, location, value) in Self.namedRunSteps(block) {
      guard let entries = value.entries else {
        throw MatrixError(
          "a run step must be a map (name, argv, stdin, expect…), not \(value.shapeName)", at: value.location)
      }
      if let first = seen[name] {
        throw MatrixError(
          "a second run step named '\(name)' (the first is at line \(first.line)); step names must be unique in a"
            + " cell, as they name its logs and checks", at: location)
      }
      if name == "build" || (name.hasPrefix("rebuild-") && Int(name.dropFirst(8)) != nil) {
        throw MatrixError("'\(name)' names Archway's own build step; give the run step another name", at: location)
      }
      if name.isEmpty || name.contains("/") || name.hasPrefix(".") {
        throw MatrixError("the step name '\(name)' cannot name a log file; use letters, digits, '-', '_'", at: location)
      }
      seen[name] = location
      run.append(
        try Self.step(
          named: name, entries, at: value.location, allowed: Self.runKeys, limits: limits, directory: directory))
      if let expect = value["expect"] {
        expectations[name] = try OutputExpectation(expect)
        if let reference = expect["reference"], let id = reference.scalarText {
          references.append((id, reference.location))
        }
      }
      if let tests = value["tests"] {
        expectations[name, default: OutputExpectation()].tests = try TestResultsSpec(
          tests, directory: run.last?.workingDirectory ?? directory)
      }
    }
    return (expectations, references)
  }

  /// A `run:` block's steps with their names and where each name was written: a list's items by
  /// `name` (else `run-N`), a map's by key.
  static func namedRunSteps(_ block: MatrixValue?) -> [(String, SourceLocation, MatrixValue)] {
    if let items = block?.items {
      return items.enumerated().map { index, item in
        let name = item["name"]
        return (name?.scalarText ?? "run-\(index + 1)", name?.location ?? item.location, item)
      }
    }
    return block?.entries?.map { ($0.key, $0.keyLocation ?? $0.value.location, $0.value) } ?? []
  }

  private static func step(
    named name: String, _ entries: [MatrixEntry], at location: SourceLocation, allowed: [String],
    limits: [String: Int], directory: String
  ) throws(MatrixError) -> StepSpec {
    for entry in entries where !allowed.contains(entry.key) {
      throw MatrixFile.unknownKey(entry, among: allowed, in: "a step")
    }
    let map = MatrixValue(.map(entries), at: location)
    var argv: [String]
    if let list = map["argv"] {
      guard let items = list.items, !items.isEmpty, items.allSatisfy({ $0.scalarText != nil }) else {
        throw MatrixError("'argv' must be a non-empty list of words", at: list.location)
      }
      argv = items.compactMap(\.scalarText)
    } else if let script = map["script"] {
      guard let text = script.scalarText else { throw MatrixError("'script' must be text", at: script.location) }
      argv = StepSpec.scriptArgv(shell: map["shell"]?.scalarText ?? "sh", script: text)
    } else {
      throw MatrixError("step '\(name)' needs 'argv' (a list) or 'script' (with 'shell: bash')", at: location)
    }
    if map["argv"] != nil, map["script"] != nil {
      throw MatrixError("step '\(name)' has both 'argv' and 'script'; give one", at: location)
    }
    var environment: [String: String] = [:]
    for entry in map["env"]?.entries ?? [] { environment[entry.key] = entry.value.description }
    var timeout: Double?
    if let value = map["timeout"] {
      guard let seconds = Double(value.description), StepSpec.isTimeLimit(seconds) else {
        throw MatrixError(
          "'timeout' must be a number of seconds above 0 and at most 604800 (a week), not '\(value)'",
          at: value.location)
      }
      timeout = seconds
    }
    var expectedExit: Int32 = 0
    if let value = map["expect"]?["exit"] {
      guard case .int(let code) = value.kind, let exit = Int32(exactly: code) else {
        throw MatrixError("'expect.exit' must be an exit code, not '\(value)'", at: value.location)
      }
      expectedExit = exit
    }
    var retries: Int?
    if let value = map["retries"] {
      guard case .int(let count) = value.kind, (0...StepSpec.mostRetries).contains(count) else {
        throw MatrixError(
          "'retries' must be a whole number from 0 to \(StepSpec.mostRetries), not '\(value)'", at: value.location)
      }
      retries = count == 0 ? nil : count
    }
    var workdir: String?
    if let value = map["workdir"] {
      guard let text = value.scalarText, !text.isEmpty else {
        throw MatrixError("'workdir' must be a folder, not \(value.shapeName)", at: value.location)
      }
      workdir = absolute(text, from: directory)
    }
    var step = StepSpec(
      name: name, argv: argv, environment: environment, workingDirectory: workdir,
      stdin: map["stdin"]?.scalarText, timeout: timeout, expectedExit: expectedExit,
      limits: limits.merging(try ResourceLimit.parse(map["ulimit"])) { _, step in step })
    step.retries = retries
    return step
  }

  /// `path` made absolute from `directory`, with `.` and `..` resolved (symbolic links are not).
  static func absolute(_ path: String, from directory: String) -> String {
    let joined = path.hasPrefix("/") ? path : directory + "/" + path
    return URL(fileURLWithPath: joined).standardizedFileURL.path
  }

  /// Whether `path`, once `.` and `..` are resolved, lies in `folder`.
  static func isInside(_ path: String, folder: String) -> Bool {
    func normalized(_ p: String) -> [Substring] {
      var parts: [Substring] = []
      for piece in p.split(separator: "/") where piece != "." {
        if piece == ".." {
          if parts.popLast() == nil { return [".."] }
        } else {
          parts.append(piece)
        }
      }
      return parts
    }
    let inner = normalized(path)
    let outer = normalized(folder)
    return path.hasPrefix("/") == folder.hasPrefix("/") && inner.count > outer.count
      && Array(inner.prefix(outer.count)) == outer
  }
}
