import Foundation

/// The limits a matrix may set with `ulimit:`, with `ulimit`'s units.
package enum ResourceLimit {
  /// Key → (`prlimit` option, multiplier to its unit): `stack` and `as` are KiB as `ulimit` reads them.
  package static let known: [String: (String, Int)] = [
    "nofile": ("nofile", 1), "nproc": ("nproc", 1), "stack": ("stack", 1024), "as": ("as", 1024),
    "core": ("core", 1024), "cpu": ("cpu", 1), "fsize": ("fsize", 1024),
  ]

  /// A limit of `unlimited` (`ulimit -c unlimited`), as the plan holds it.
  package static let unlimited = -1

  /// The `prlimit` options that apply `limits` (soft and hard alike), in a stable order.
  package static func prlimitOptions(_ limits: [String: Int]) -> [String] {
    limits.keys.sorted().compactMap { key in
      guard let (option, scale) = known[key], let value = limits[key] else { return nil }
      let amount = value == unlimited ? "unlimited" : String(value * scale)
      return "--\(option)=\(amount):\(amount)"
    }
  }

  /// The limit `key` written as `text` (`1024`, `unlimited`), as the plan holds it; or, as the
  /// error, what is wrong: an unknown key (with a suggestion), a value that is no whole number,
  /// `unlimited` for `nofile` (Linux caps it at `fs.nr_open`), or a number no limit can be.
  package static func limit(_ key: String, written text: String) -> Result<Int, LimitError> {
    guard let (_, scale) = known[key] else {
      return .failure(LimitError("unknown ulimit '\(key)'" + Suggestion.phrase(for: key, among: known.keys.sorted())))
    }
    if text == "unlimited" {
      guard key != "nofile" else {
        return .failure(
          LimitError("ulimit 'nofile' cannot be unlimited: Linux allows at most fs.nr_open open files; give a number"))
      }
      return .success(unlimited)
    }
    guard let number = Int(text), number >= 0, text.allSatisfy(\.isNumber) else {
      return .failure(LimitError("ulimit '\(key)' must be a whole number or 'unlimited', not '\(text)'"))
    }
    guard number <= Int.max / scale else {
      return .failure(LimitError("ulimit '\(key)' \(text) is larger than any limit can be"))
    }
    return .success(number)
  }

  /// Limits from `K=V` words (`archway exec --ulimit nofile=1024`), checked as ``limit(_:written:)``.
  package static func parse(words: [String]) throws(LimitError) -> [String: Int] {
    var limits: [String: Int] = [:]
    for word in words {
      let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2 else { throw LimitError("--ulimit '\(word)' is not K=V (nofile=1024, core=unlimited)") }
      limits[parts[0]] = try limit(parts[0], written: parts[1]).get()
    }
    return limits
  }

  /// `argv` run under `prlimit` with `options` (from ``prlimitOptions(_:)``); `argv` itself without any.
  package static func wrap(_ argv: [String], options: [String]) -> [String] {
    options.isEmpty ? argv : ["prlimit"] + options + ["--"] + argv
  }
}

/// Why a written limit is none: the sentence to show.
package struct LimitError: Error, CustomStringConvertible {
  package let description: String
  init(_ description: String) { self.description = description }
}
