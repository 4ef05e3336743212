/// "Did you mean …?" for values a user typed: the closest known spelling, if one is close enough.
package enum Suggestion {
  /// Returns the first candidate that begins with `value` (for 3 or more characters), else the one
  /// nearest by edit distance (case-insensitive), or nil when none is within a third of the value's
  /// length (at least 2 edits). Ties keep candidate order.
  package static func closest(to value: String, among candidates: some Sequence<String>) -> String? {
    let lowered = value.lowercased()
    // A known name the typed one begins (`gcc` for `gcc_prefix`) is the likeliest meaning.
    if lowered.count >= 3, let extended = candidates.first(where: { $0.lowercased().hasPrefix(lowered) }) {
      return extended
    }
    let typed = Array(lowered)
    let limit = max(2, typed.count / 3)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
      let d = editDistance(typed, Array(candidate.lowercased()))
      if d <= limit, d < (best?.distance ?? .max) { best = (candidate, d) }
    }
    return best?.name
  }

  /// Levenshtein distance with adjacent transpositions (optimal string alignment).
  static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var before = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          current[j] = min(current[j], before[j - 2] + 1)
        }
      }
      (before, previous, current) = (previous, current, before)
    }
    return previous[b.count]
  }

  /// `"; did you mean 'x'?"`, or the empty string when there is nothing to suggest.
  package static func phrase(for value: String, among candidates: some Sequence<String>) -> String {
    closest(to: value, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
  }
}
