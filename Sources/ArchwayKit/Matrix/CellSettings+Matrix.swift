import Foundation

extension CellSettings {
  /// The settings among a cell's `values`; relative paths are taken from `directory`. Throws a
  /// ``MatrixError`` at a value that is not one of the known words (with the closest), not a list of
  /// words, not a boolean, or a seccomp file that does not exist.
  init(_ values: [MatrixEntry], directory: String) throws(MatrixError) {
    func value(_ key: String) -> MatrixValue? { values.first { $0.key == key }?.value }
    func word<Choice: RawRepresentable & CaseIterable>(
      _ key: String, as: Choice.Type
    ) throws(MatrixError) -> Choice? where Choice.RawValue == String {
      guard let value = value(key) else { return nil }
      let names = Choice.allCases.map(\.rawValue)
      guard let text = value.scalarText else {
        throw MatrixError(
          "'\(key)' must be one word (\(names.joined(separator: ", "))), not \(value.shapeName)", at: value.location)
      }
      guard let choice = Choice(rawValue: text) else {
        throw MatrixError(
          "unknown \(key) '\(text)' (one of \(names.joined(separator: ", ")))"
            + Suggestion.phrase(for: text, among: names), at: value.location)
      }
      return choice
    }
    runner = try word("runner", as: RunnerKind.self)
    engine = try word("engine", as: Engine.self)
    if let value = value("engine_args") {
      guard let items = value.items, items.allSatisfy({ $0.scalarText != nil }) else {
        throw MatrixError(
          "'engine_args' must be a list of words like [--runtime, runc], not \(value.shapeName)", at: value.location)
      }
      engineArguments = items.compactMap(\.scalarText)
    }
    if let value = value("network") {
      guard case .bool(let flag) = value.kind else {
        throw MatrixError("'network' must be true or false, not '\(value)'", at: value.location)
      }
      network = flag
    }
    if let value = value("timeout_scale") {
      timeoutScale = try Self.scales(value)
    }
    if let value = value("seccomp") {
      guard let text = value.scalarText, !text.isEmpty else {
        throw MatrixError("'seccomp' must be the path of a JSON profile, not \(value.shapeName)", at: value.location)
      }
      let path = PathText.absolute(text, from: directory)
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
        throw MatrixError("the seccomp profile '\(text)' is not a file (looked for \(path))", at: value.location)
      }
      seccomp = path
    }
  }

  /// Takes the cell's machine from `hosts`: the one its `host:` names (which implies `runner: ssh`),
  /// else with `runner: ssh` or for a cell of another system than linux and windows, the one whose
  /// `platform:` is `platform`. Throws a ``MatrixError`` at a `host:` no host has, at a `host:` with
  /// another runner, and at `runner: ssh` with no host for it.
  mutating func pickHost(among hosts: [RemoteHost], for platform: Platform, values: [MatrixEntry]) throws(MatrixError) {
    let runnerValue = values.first { $0.key == "runner" }?.value
    if let value = values.first(where: { $0.key == "host" })?.value {
      guard let name = value.scalarText, let host = hosts.first(where: { $0.name == name }) else {
        let names = hosts.map(\.name)
        throw MatrixError(
          "'host' names no machine of 'hosts:': '\(value)'"
            + (names.isEmpty
              ? " (the matrix has no 'hosts:')" : Suggestion.phrase(for: value.description, among: names)),
          at: value.location)
      }
      if let other = runner, other != .ssh {
        throw MatrixError(
          "'host: \(name)' runs the cell's steps over ssh, but its runner is '\(other.rawValue)'; drop one",
          at: runnerValue?.location ?? value.location)
      }
      (self.host, runner) = (host, .ssh)
      return
    }
    let fitting = hosts.filter { $0.platform == platform }
    if runner == .ssh {
      guard fitting.count == 1 else {
        let why =
          fitting.isEmpty
          ? "no host of 'hosts:' has 'platform: \(platform)'"
          : "the hosts \(fitting.map(\.name).joined(separator: ", ")) are all \(platform)"
        throw MatrixError(
          "'runner: ssh' needs a machine for \(platform): \(why); name one with 'host:'",
          at: runnerValue?.location)
      }
      host = fitting[0]
    } else if runner == nil, !["linux", "windows"].contains(platform.os), let first = fitting.first {
      host = first
    }
  }

  /// `timeout_scale: 3` (every runner: key `*`) or `{qemu: 10, rootfs: 8}`; each factor above 0 and
  /// at most 100.
  static func scales(_ value: MatrixValue) throws(MatrixError) -> [String: Double] {
    func factor(_ value: MatrixValue) throws(MatrixError) -> Double {
      guard let number = Double(value.description), number > 0, number <= 100 else {
        throw MatrixError(
          "'timeout_scale' must be a factor above 0 and at most 100, not '\(value)'", at: value.location)
      }
      return number
    }
    guard let entries = value.entries else { return ["*": try factor(value)] }
    var scales: [String: Double] = [:]
    let names = RunnerKind.allCases.map(\.rawValue)
    for entry in entries {
      guard names.contains(entry.key) else { throw MatrixFile.unknownKey(entry, among: names, in: "timeout_scale") }
      scales[entry.key] = try factor(entry.value)
    }
    return scales
  }
}
