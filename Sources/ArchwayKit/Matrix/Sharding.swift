import Foundation

/// Shard `index` of `count` (`--shard 2/4`): deterministic, disjoint, and together exactly the plan.
package struct Shard: Sendable, Hashable, CustomStringConvertible {
  /// 1-based.
  package var index: Int
  /// How many shards there are.
  package var count: Int

  /// Shard `index` of `count`.
  package init(index: Int, count: Int) {
    self.index = index
    self.count = count
  }

  /// Parses `I/N` with 1 ≤ I ≤ N. Throws a ``MatrixError`` (without a location) quoting anything else.
  package init(_ text: String) throws(MatrixError) {
    let parts = text.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 2, let index = parts[0], let count = parts[1], count >= 1, (1...count).contains(index) else {
      throw MatrixError("shard '\(text)' is not I/N with 1 ≤ I ≤ N (e.g. '2/4')", at: nil)
    }
    self.init(index: index, count: count)
  }

  /// `I/N`.
  package var description: String { "\(index)/\(count)" }

  /// The cells of this shard, in plan order. Cells are dealt out longest first to the least loaded
  /// shard (ties to the lowest), weighing each by its recorded duration in seconds, or by the median
  /// recorded duration when it has none (1 when nothing is recorded): shards balance by count
  /// without durations and by time with them.
  package func select(_ cells: [Cell], durations: [String: Double] = [:]) -> [Cell] {
    let recorded = durations.values.sorted()
    let typical = recorded.isEmpty ? 1 : recorded[recorded.count / 2]
    let weights = cells.map { durations[$0.id] ?? typical }
    let order = cells.indices.sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
    // Past the number of cells every shard beyond the first `cells.count` stays empty (each cell
    // goes to the lowest empty shard), so `--shard 1/1000000000` needs no billion loads.
    var load = [Double](repeating: 0, count: min(count, cells.count))
    var mine: [Int] = []
    for cell in order {
      guard !load.isEmpty else { break }
      let target = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
      load[target] += weights[cell]
      if target == index - 1 { mine.append(cell) }
    }
    return mine.sorted().map { cells[$0] }
  }

  /// Recorded durations by cell id from a previous report: any JSON object whose `cells` array holds
  /// objects with `id` and `duration` (seconds). Throws a ``MatrixError`` when the data is not such JSON.
  package static func durations(fromReport data: Data, named name: String) throws(MatrixError) -> [String: Double] {
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let cells = object["cells"] as? [[String: Any]]
    else {
      throw MatrixError("\(name): not a report (a JSON object with a 'cells' array)", at: nil)
    }
    var result: [String: Double] = [:]
    for cell in cells {
      if let id = cell["id"] as? String, let seconds = cell["duration"] as? Double { result[id] = seconds }
    }
    return result
  }
}
