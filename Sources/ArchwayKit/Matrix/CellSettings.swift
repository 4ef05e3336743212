import Foundation

/// How a cell runs, from its `runner`, `engine`, `engine_args`, `network` and `seccomp` values:
/// decoded and checked by the planner, so a typo is a plan error at its line and column rather than
/// a cell that quietly runs nothing.
public struct CellSettings: Sendable, Hashable, Codable {
  /// A runner a cell insists on (`runner:`); the cheapest that fits is chosen when nil.
  public enum RunnerRequest: String, Sendable, Hashable, Codable, CaseIterable {
    case native, qemu, rootfs, container, wine, none
  }

  /// A container engine (`engine:`).
  public enum Engine: String, Sendable, Hashable, Codable, CaseIterable {
    case podman, docker
  }

  /// The runner asked for, if any.
  public var runner: RunnerRequest?
  /// The engine asked for, if any (podman, then docker, when nil).
  public var engine: Engine?
  /// `engine_args:`, the flags a host's engine needs; `$ARCHWAY_ENGINE_ARGS` when nil.
  public var engineArguments: [String]?
  /// Whether a container cell gets a network (`network: true`); none by default.
  public var network = false
  /// The seccomp profile a container cell runs under (`seccomp: FILE`), absolute.
  public var seccomp: String?
  /// `timeout_scale:`: what run steps' time limits are multiplied by, one factor for the cell or
  /// one per runner (`{qemu: 10}`); each runner's default (``defaultTimeoutScale``) where none is given.
  public var timeoutScale: [String: Double]?

  enum CodingKeys: String, CodingKey {
    case runner, engine, engineArguments = "engine_args", network, seccomp, timeoutScale = "timeout_scale"
  }

  /// The factor for a runner when the cell names none: 1 natively, 5 under qemu, 8 in a root
  /// filesystem or container of a foreign arch (emulated through binfmt_misc), 2 under wine.
  public static func defaultTimeoutScale(runner: RunnerRequest, foreign: Bool) -> Double {
    switch runner {
    case .qemu: 5
    case .rootfs, .container: foreign ? 8 : 1
    case .wine: 2
    case .native, .none: 1
    }
  }

  /// The factor run steps' time limits get with `runner` (the cell's `timeout_scale:`, else the default).
  public func timeoutScale(runner: RunnerRequest, foreign: Bool) -> Double {
    timeoutScale?[runner.rawValue] ?? timeoutScale?["*"] ?? Self.defaultTimeoutScale(runner: runner, foreign: foreign)
  }

  /// Nothing asked for.
  public init() {}

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
    runner = try word("runner", as: RunnerRequest.self)
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
      let path = CellSteps.absolute(text, from: directory)
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
        throw MatrixError("the seccomp profile '\(text)' is not a file (looked for \(path))", at: value.location)
      }
      seccomp = path
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
    let names = RunnerRequest.allCases.map(\.rawValue)
    for entry in entries {
      guard names.contains(entry.key) else { throw MatrixFile.unknownKey(entry, among: names, in: "timeout_scale") }
      scales[entry.key] = try factor(entry.value)
    }
    return scales
  }
}
