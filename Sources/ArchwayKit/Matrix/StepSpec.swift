/// A command as a step writes it: an argv, or a script for a shell the step names.
public struct StepSpec: Sendable, Hashable {
  /// The step's name: `build`, or the run step's name.
  public var name: String
  /// What to run (`shell:` + `script:` become `[shell, -c, script]`).
  public var argv: [String]
  /// Variables added to the clean environment.
  public var environment: [String: String]
  /// The working directory, relative to where Archway runs; that folder when nil.
  public var workingDirectory: String?
  /// Bytes for standard input.
  public var stdin: String?
  /// The step's time limit; the run's `--timeout` when nil.
  public var timeout: Duration?
  /// The exit code a run step is expected to end with (default 0).
  public var expectedExit: Int32
  /// Resource limits (`nofile`, `stack` in KiB, `nproc`, …): the cell's `ulimit:`, then the step's.
  public var limits: [String: Int] = [:]

  /// The `prlimit` options that apply ``limits``.
  public var prlimitOptions: [String] { ResourceLimit.prlimitOptions(limits) }
}

/// The limits a matrix may set with `ulimit:`, with `ulimit`'s units.
public enum ResourceLimit {
  /// Key → (`prlimit` option, multiplier to its unit): `stack` and `as` are KiB as `ulimit` reads them.
  public static let known: [String: (String, Int)] = [
    "nofile": ("nofile", 1), "nproc": ("nproc", 1), "stack": ("stack", 1024), "as": ("as", 1024),
    "core": ("core", 1024), "cpu": ("cpu", 1), "fsize": ("fsize", 1024),
  ]

  /// The `prlimit` options that apply `limits` (soft and hard alike), in a stable order.
  public static func prlimitOptions(_ limits: [String: Int]) -> [String] {
    limits.keys.sorted().compactMap { key in
      guard let (option, scale) = known[key], let value = limits[key] else { return nil }
      return "--\(option)=\(value * scale):\(value * scale)"
    }
  }

  /// `argv` run under `prlimit` with `options` (from ``prlimitOptions(_:)``); `argv` itself without any.
  public static func wrap(_ argv: [String], options: [String]) -> [String] {
    options.isEmpty ? argv : ["prlimit"] + options + ["--"] + argv
  }

  /// The limits of a `ulimit:` map. Throws a ``MatrixError`` at an unknown key or a value that is
  /// not a whole number.
  static func parse(_ value: MatrixValue?) throws(MatrixError) -> [String: Int] {
    guard let value else { return [:] }
    guard let entries = value.entries else {
      throw MatrixError("'ulimit' must be a map like {nofile: 1024, stack: 8192}", at: value.location)
    }
    var limits: [String: Int] = [:]
    for entry in entries {
      guard known[entry.key] != nil else {
        throw MatrixFile.unknownKey(entry, among: known.keys.sorted(), in: "ulimit")
      }
      guard case .int(let number) = entry.value.kind, number >= 0 else {
        throw MatrixError(
          "ulimit '\(entry.key)' must be a whole number, not '\(entry.value)'", at: entry.value.location)
      }
      limits[entry.key] = number
    }
    return limits
  }
}

/// A cell's build step, the artifacts it must leave, and its run steps, decoded from the resolved
/// `build:` and `run:` blocks.
public struct CellSteps: Sendable, Hashable {
  /// The build step, if the cell has one.
  public var build: StepSpec?
  /// Artifact name → path (inside the cell's folder).
  public var artifacts: [String: String]
  /// The run steps, in order.
  public var run: [StepSpec]
  /// The cell's own `ulimit:` (each step may add to it).
  public var limits: [String: Int]

  static let buildKeys = ["argv", "shell", "script", "env", "workdir", "timeout", "ulimit", "artifacts"]
  static let runKeys = ["name", "argv", "shell", "script", "stdin", "env", "workdir", "timeout", "ulimit", "expect"]

  /// Decodes `cell`'s steps. Throws a ``MatrixError`` at the first unknown key or ill-typed value.
  public init(_ cell: Cell) throws(MatrixError) {
    build = nil
    artifacts = [:]
    run = []
    let cellLimits = try ResourceLimit.parse(cell["ulimit"])
    limits = cellLimits
    if let block = cell.build {
      guard let entries = block.entries else {
        throw MatrixError("'build' must be a map (argv or shell and script, env, artifacts…)", at: block.location)
      }
      build = try Self.step(named: "build", entries, at: block.location, allowed: Self.buildKeys, limits: cellLimits)
      for entry in block["artifacts"]?.entries ?? [] {
        guard let path = entry.value.scalarText else {
          throw MatrixError("artifact '\(entry.key)' must be a path", at: entry.value.location)
        }
        guard Self.isInside(path, folder: cell.out) else {
          throw MatrixError(
            "artifact '\(entry.key)' at '\(path)' lies outside the cell's folder \(cell.out)", at: entry.value.location)
        }
        artifacts[entry.key] = path
      }
    }
    for (name, value) in Self.namedRunSteps(cell.run) {
      guard let entries = value.entries else {
        throw MatrixError(
          "a run step must be a map (name, argv, stdin, expect…), not \(value.shapeName)", at: value.location)
      }
      run.append(try Self.step(named: name, entries, at: value.location, allowed: Self.runKeys, limits: cellLimits))
    }
  }

  /// A `run:` block's steps with their names: a list's items by `name` (else `run-N`), a map's by key.
  static func namedRunSteps(_ block: MatrixValue?) -> [(String, MatrixValue)] {
    if let items = block?.items {
      return items.enumerated().map { ($1["name"]?.scalarText ?? "run-\($0 + 1)", $1) }
    }
    return block?.entries?.map { ($0.key, $0.value) } ?? []
  }

  private static func step(
    named name: String, _ entries: [MatrixEntry], at location: SourceLocation, allowed: [String],
    limits: [String: Int]
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
      argv = [map["shell"]?.scalarText ?? "sh", "-c", text]
    } else {
      throw MatrixError("step '\(name)' needs 'argv' (a list) or 'script' (with 'shell: bash')", at: location)
    }
    if map["argv"] != nil, map["script"] != nil {
      throw MatrixError("step '\(name)' has both 'argv' and 'script'; give one", at: location)
    }
    var environment: [String: String] = [:]
    for entry in map["env"]?.entries ?? [] { environment[entry.key] = entry.value.description }
    var timeout: Duration?
    if let value = map["timeout"] {
      guard let seconds = Double(value.description), seconds > 0 else {
        throw MatrixError("'timeout' must be a number of seconds, not '\(value)'", at: value.location)
      }
      timeout = .milliseconds(Int(seconds * 1000))
    }
    var expectedExit: Int32 = 0
    if let value = map["expect"]?["exit"] {
      guard case .int(let code) = value.kind, let exit = Int32(exactly: code) else {
        throw MatrixError("'expect.exit' must be an exit code, not '\(value)'", at: value.location)
      }
      expectedExit = exit
    }
    return StepSpec(
      name: name, argv: argv, environment: environment, workingDirectory: map["workdir"]?.scalarText,
      stdin: map["stdin"]?.scalarText, timeout: timeout, expectedExit: expectedExit,
      limits: limits.merging(try ResourceLimit.parse(map["ulimit"])) { _, step in step })
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

extension MatrixValue {
  /// A scalar's text (strings, numbers, booleans); nil for lists, maps and null.
  var scalarText: String? {
    switch kind {
    case .string, .int, .double, .bool: description
    default: nil
    }
  }
}
