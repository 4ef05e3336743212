/// One combination of values on its way to becoming a cell, and where it came from.
struct Combination: Sendable {
  var values: [MatrixEntry]
  /// The include entry that made it, or the last axis value that did.
  var origin: SourceLocation

  subscript(key: String) -> MatrixValue? { values.first { $0.key == key }?.value }

  /// Sets `key` (replacing its value if it has one, else appending it).
  mutating func set(_ entry: MatrixEntry) {
    if let index = values.firstIndex(where: { $0.key == entry.key }) {
      values[index] = entry
    } else {
      values.append(entry)
    }
  }
}

/// Expands axes, `exclude:` and `include:` exactly as GitHub Actions expands `strategy.matrix`.
///
/// 1. The product of the axes, the first axis varying slowest.
/// 2. Combinations matching an `exclude:` entry (every pair of the entry equal) are removed.
/// 3. Each `include:` entry, in order, is added to every remaining original combination whose
///    original axis values it does not contradict; its other pairs are added or overwrite values
///    that earlier includes added. An entry that fits no original combination becomes a new one.
enum MatrixExpansion {
  /// The combinations of `file`. Throws a ``MatrixError`` at `matrix:`, before building any, when
  /// the axes' product and the includes could make more than `limit`.
  static func expand(_ file: MatrixFile, limit: Int) throws(MatrixError) -> [Combination] {
    var product = file.axes.isEmpty ? 0 : 1  // Saturates at Int.max.
    for axis in file.axes {
      let (next, overflow) = product.multipliedReportingOverflow(by: axis.value.items?.count ?? 0)
      product = overflow ? Int.max : next
    }
    let (most, overflow) = product.addingReportingOverflow(file.include.count)
    if overflow || most > limit {
      throw MatrixError(
        "the matrix makes up to \(overflow ? "more than \(Int.max)" : "\(most)") cells, above the limit of \(limit);"
          + " split it, or raise the limit with --max-cells", at: file.matrixLocation)
    }
    var combinations: [Combination] = []
    if !file.axes.isEmpty {
      combinations = [Combination(values: [], origin: file.matrixLocation)]
      for axis in file.axes {
        combinations = combinations.flatMap { partial in
          (axis.value.items ?? []).map { value in
            var next = partial
            next.values.append(MatrixEntry(key: axis.key, keyLocation: axis.keyLocation, value: value))
            next.origin = value.location
            return next
          }
        }
      }
    }
    combinations.removeAll { combination in
      file.exclude.contains { exclusion in
        (exclusion.entries ?? []).allSatisfy { combination[$0.key] == $0.value }
      }
    }
    let axisNames = Set(file.axes.map(\.key))
    let originals = combinations.count
    for inclusion in file.include {
      let entries = inclusion.entries ?? []
      var fitted = false
      for index in 0..<originals
      where entries.allSatisfy({ !axisNames.contains($0.key) || combinations[index][$0.key] == $0.value }) {
        for entry in entries { combinations[index].set(entry) }
        fitted = true
      }
      if !fitted { combinations.append(Combination(values: entries, origin: inclusion.location)) }
    }
    return combinations
  }
}
