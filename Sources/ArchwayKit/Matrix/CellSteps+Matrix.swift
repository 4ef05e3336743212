extension CellSteps {
  static let buildKeys = [
    "argv", "shell", "script", "env", "workdir", "timeout", "ulimit", "artifacts", "in", "inputs",
  ]
  static let runKeys = [
    "name", "argv", "shell", "script", "stdin", "env", "workdir", "timeout", "ulimit", "expect", "tests", "retries",
    "reuse",
  ]

  /// The build step and its artifacts from a resolved `build:` block; relative paths are taken from
  /// `directory` (where Archway runs). Throws a ``MatrixError`` at the first unknown key, ill-typed
  /// value, or artifact outside `out`.
  mutating func decodeBuild(_ block: MatrixValue?, out: String, directory: String) throws(MatrixError) {
    guard let block else { return }
    guard let entries = block.entries else {
      throw MatrixError("'build' must be a map (argv or shell and script, env, artifacts…)", at: block.location)
    }
    let map = try Self.stepMap(entries, at: block.location, allowed: Self.buildKeys)
    build = try Self.command(named: "build", map, limits: limits, directory: directory)
    if let place = block["in"] {
      guard let word = place.scalarText, let chosen = BuildPlace(rawValue: word) else {
        throw MatrixError(
          "'in' must be 'host' or 'target', not '\(place)'"
            + Suggestion.phrase(for: place.description, among: BuildPlace.allCases.map(\.rawValue)), at: place.location)
      }
      buildIn = chosen == .host ? nil : chosen
    }
    if let inputs = block["inputs"] {
      buildInputs = try Self.inputs(inputs, from: build?.workingDirectory ?? directory, inside: buildIn != nil)
    }
    for entry in block["artifacts"]?.entries ?? [] {
      guard let written = entry.value.scalarText else {
        throw MatrixError("artifact '\(entry.key)' must be a path", at: entry.value.location)
      }
      // `ARCHIVE!MEMBER`: a member of an archive the build made.
      let parts = written.split(separator: "!", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
      let path = parts[0]
      let absolute = PathText.absolute(path, from: directory)
      guard PathText.isInside(absolute, folder: out) else {
        throw MatrixError(
          "artifact '\(entry.key)' at '\(path)' lies outside the cell's folder \(out)", at: entry.value.location)
      }
      guard parts.count == 2 else {
        artifacts[entry.key] = absolute
        continue
      }
      let member = parts[1]
      let steps = member.split(separator: "!").flatMap { $0.split(separator: "/", omittingEmptySubsequences: false) }
      guard !member.isEmpty, !member.hasPrefix("/"), !member.hasSuffix("/"),
        !steps.contains(where: { $0 == ".." || $0.isEmpty }), !entry.key.contains("/"), !entry.key.hasPrefix(".")
      else {
        throw MatrixError(
          "artifact '\(entry.key)': '\(member)' after '!' must name a file inside the archive (bin/app), without"
            + " '..' or a leading '/'; the artifact's name must hold no '/'", at: entry.value.location)
      }
      members[entry.key] = ArtifactMember(archive: absolute, member: member)
      artifacts[entry.key] = ArtifactMember.extracted(name: entry.key, member: member, out: out)
    }
  }

  /// `inputs:` of a build: a list of files and folders, made absolute from `directory` (the build's
  /// working folder). A build `inside` the target always runs, so it takes none.
  private static func inputs(
    _ value: MatrixValue, from directory: String, inside: Bool
  ) throws(MatrixError) -> [String] {
    guard !inside else {
      throw MatrixError(
        "'inputs' is for a build on the host; a build 'in: target' always runs (its toolchain is the"
          + " environment's), so leave 'inputs' out", at: value.location)
    }
    guard let items = value.items, !items.isEmpty, items.allSatisfy({ !($0.scalarText ?? "").isEmpty }) else {
      throw MatrixError(
        "'inputs' must be a non-empty list of the files and folders the build reads (inputs: [src, go.mod,"
          + " go.sum]), not \(value.items?.isEmpty == true ? "an empty list" : value.shapeName)", at: value.location)
    }
    return items.compactMap(\.scalarText).map { PathText.absolute($0, from: directory) }
  }

  /// The run steps of a resolved `run:` block, the one walk of it, each with what its `expect:` and
  /// `tests:` ask; returns each `expect.reference` with where it was written (for the planner's check
  /// that it names a cell). Throws a ``MatrixError`` at the first malformed step, and at a step whose
  /// name is `build`, `rebuild-N`, holds a `/`, or repeats an earlier step's.
  mutating func decodeRun(_ block: MatrixValue?, directory: String) throws(MatrixError) -> [(String, SourceLocation)] {
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
      if name.isEmpty || name.contains("/") || name.hasPrefix(".") || name.utf8.count > 200 {
        throw MatrixError(
          "the step name '\(name.prefix(80))' cannot name a log file; use letters, digits, '-', '_' (at most 200"
            + " bytes)", at: location)
      }
      if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
        // An escape sequence would reach the console and the log file's name as it is.
        throw MatrixError(
          "step name \(name.debugDescription) holds a control character; a step name is a file name and a line of"
            + " the console: use letters, digits, spaces and punctuation", at: location)
      }
      seen[name] = location
      let map = try Self.stepMap(entries, at: value.location, allowed: Self.runKeys)
      let command = try Self.command(named: name, map, limits: limits, directory: directory)
      let expect = try StepExpectation(
        expect: map["expect"], tests: map["tests"], directory: command.workingDirectory ?? directory)
      var step = RunStep(id: .run(name), command: command, expect: expect, retries: try Self.retries(map["retries"]))
      // false: the step reads the clock or the network, so an earlier run's outcome never stands for it.
      step.reuse = try map["reuse"]?.bool(named: "reuse") ?? true
      run.append(step)
      if let reference = map["expect"]?["reference"], let id = reference.scalarText {
        references.append((id, reference.location))
      }
    }
    return references
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

  /// A step's entries as a map, once none is outside `allowed`.
  private static func stepMap(
    _ entries: [MatrixEntry], at location: SourceLocation, allowed: [String]
  ) throws(MatrixError) -> MatrixValue {
    for entry in entries where !allowed.contains(entry.key) {
      throw MatrixFile.unknownKey(entry, among: allowed, in: "a step")
    }
    return MatrixValue(.map(entries), at: location)
  }

  /// What the step `name` runs: `argv` or `script` (with `shell`), `env`, `timeout`, `workdir`,
  /// `stdin`, and the cell's `limits` with the step's `ulimit:`.
  private static func command(
    named name: String, _ map: MatrixValue, limits: [String: Int], directory: String
  ) throws(MatrixError) -> StepCommand {
    var argv: [String]
    if let list = map["argv"] {
      guard let items = list.items, !items.isEmpty, items.allSatisfy({ $0.scalarText != nil }) else {
        throw MatrixError("'argv' must be a non-empty list of words", at: list.location)
      }
      argv = items.compactMap(\.scalarText)
    } else if let script = map["script"] {
      guard let text = script.scalarText else { throw MatrixError("'script' must be text", at: script.location) }
      argv = StepCommand.scriptArgv(shell: map["shell"]?.scalarText ?? "sh", script: text)
    } else {
      throw MatrixError("step '\(name)' needs 'argv' (a list) or 'script' (with 'shell: bash')", at: map.location)
    }
    if map["argv"] != nil, map["script"] != nil {
      throw MatrixError("step '\(name)' has both 'argv' and 'script'; give one", at: map.location)
    }
    let environment = try Self.environment(map["env"])
    var timeout: Double?
    if let value = map["timeout"] {
      guard let seconds = Double(value.description), StepCommand.isTimeLimit(seconds) else {
        throw MatrixError(
          "'timeout' must be a number of seconds above 0 and at most 604800 (a week), not '\(value)'",
          at: value.location)
      }
      timeout = seconds
    }
    var workdir: String?
    if let value = map["workdir"] {
      guard let text = value.scalarText, !text.isEmpty else {
        throw MatrixError("'workdir' must be a folder, not \(value.shapeName)", at: value.location)
      }
      workdir = PathText.absolute(text, from: directory)
    }
    return StepCommand(
      argv: argv, environment: environment, workingDirectory: workdir, stdin: map["stdin"]?.scalarText,
      timeout: timeout, limits: limits.merging(try ResourceLimit.parse(map["ulimit"])) { _, step in step })
  }

  /// A step's `env:`: a map of variable names to text (numbers and booleans as written). A list
  /// (`[A=B]`), a null (`PATH: ~`, which would become the text "null"), a nested value or a name
  /// that holds `=` or NUL is an error at it, with the accepted form.
  private static func environment(_ value: MatrixValue?) throws(MatrixError) -> [String: String] {
    guard let value else { return [:] }
    if case .null = value.kind { return [:] }
    guard let entries = value.entries else {
      throw MatrixError(
        "'env' must be a map of variables, not \(value.shapeName); write env: {NAME: value}", at: value.location)
    }
    var environment: [String: String] = [:]
    for entry in entries {
      guard !entry.key.isEmpty, !entry.key.contains("="), !entry.key.contains("\0") else {
        throw MatrixError(
          "'env' variable name \(entry.key.jsonQuoted) must be non-empty, without '=' or NUL",
          at: entry.keyLocation ?? entry.value.location)
      }
      guard let text = entry.value.scalarText else {
        throw MatrixError(
          "'env' value of \(entry.key) must be text, not \(entry.value.shapeName); write \(entry.key): '' for an"
            + " empty value", at: entry.value.location)
      }
      environment[entry.key] = text
    }
    return environment
  }

  /// `retries:`: 0 to ``RunStep/mostRetries``; nil for none.
  private static func retries(_ value: MatrixValue?) throws(MatrixError) -> Int? {
    guard let value else { return nil }
    guard case .int(let count) = value.kind, (0...RunStep.mostRetries).contains(count) else {
      throw MatrixError(
        "'retries' must be a whole number from 0 to \(RunStep.mostRetries), not '\(value)'", at: value.location)
    }
    return count == 0 ? nil : count
  }
}
