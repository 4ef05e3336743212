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

  /// `argv` run under `prlimit` with `options` (from ``prlimitOptions(_:)``); `argv` itself without any.
  package static func wrap(_ argv: [String], options: [String]) -> [String] {
    options.isEmpty ? argv : ["prlimit"] + options + ["--"] + argv
  }
}
