import Foundation

/// A `--filter` expression: comma-separated conditions that must all hold, each `KEY=GLOB` or
/// `KEY!=GLOB` (shell patterns: `libc=gnu*`). Keys are `id`, `platform`, `os`, `arch`, `variant`,
/// `libc` and `env` (the normalized target), or any axis name (its value as written).
package struct CellFilter: Sendable, Hashable {
  /// One condition.
  package struct Condition: Sendable, Hashable {
    /// The key compared.
    package var key: String
    /// The shell pattern its value must (or must not) match.
    package var pattern: String
    /// Whether the condition is `!=`.
    package var negated: Bool

    /// A condition on `key`.
    package init(key: String, pattern: String, negated: Bool) {
      self.key = key
      self.pattern = pattern
      self.negated = negated
    }
  }

  /// The conditions, all of which must hold.
  package var conditions: [Condition]

  /// Parses `arch=arm64,libc=gnu*,env!=debian-11`. Throws a ``MatrixError`` (without a location)
  /// quoting a condition that is not `KEY=GLOB` or `KEY!=GLOB`.
  package init(_ expression: String) throws(MatrixError) {
    conditions = []
    for part in expression.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
      // The first '=' splits: values (and cell ids such as 'linux-amd64-gnu-cc=gcc') may hold more.
      guard let equals = part.firstIndex(of: "="), equals != part.startIndex else {
        throw MatrixError("filter '\(part)' is not KEY=VALUE or KEY!=VALUE (e.g. 'arch=arm64,libc=gnu*')", at: nil)
      }
      let beforeEquals = part.index(before: equals)
      let negated = part[beforeEquals] == "!"
      let key = String(part[..<(negated ? beforeEquals : equals)])
      guard !key.isEmpty else {
        throw MatrixError("filter '\(part)' is not KEY=VALUE or KEY!=VALUE (e.g. 'arch=arm64,libc=gnu*')", at: nil)
      }
      conditions.append(Condition(key: key, pattern: String(part[part.index(after: equals)...]), negated: negated))
    }
  }

  /// Whether `cell` satisfies every condition. A key the cell lacks matches only `!=`.
  package func matches(_ cell: Cell) -> Bool {
    conditions.allSatisfy { condition in
      let value: String? =
        switch condition.key {
        case "id": cell.id
        case "platform": cell.target.platform.description
        case "os": cell.target.os
        case "arch": cell.target.arch
        case "variant": cell.target.variant
        case "libc": cell.target.libc.description
        case "env": cell.env
        default: cell[condition.key]?.description
        }
      let matched = value.map { fnmatch(condition.pattern, $0, 0) == 0 } ?? false
      return matched != condition.negated
    }
  }
}
