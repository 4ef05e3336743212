/// A unified diff of two texts by lines, as `diff -u` writes it, bounded in size.
package enum UnifiedDiff {
  enum Edit: Equatable {
    case same(Int, Int)  // line in old, line in new
    case removed(Int)
    case added(Int)
  }

  /// The diff of `old` into `new`, with `context` lines around each change and at most `maxLines`
  /// lines after the two headers (the rest summarized in a last line). Empty when the texts are equal.
  package static func render(
    old: String, new: String, oldLabel: String = "expected", newLabel: String = "actual", context: Int = 3,
    maxLines: Int = 120
  ) -> String {
    guard old != new else { return "" }
    let a = lines(old)
    let b = lines(new)
    let edits = self.edits(a, b)
    var body: [String] = []
    for hunk in hunks(edits, context: context) {
      let oldLines = hunk.filter { if case .added = $0 { false } else { true } }
      let newLines = hunk.filter { if case .removed = $0 { false } else { true } }
      let oldStart =
        hunk.compactMap { edit -> Int? in
          switch edit {
          case .same(let i, _), .removed(let i): i
          case .added: nil
          }
        }.first.map { $0 + 1 } ?? 0
      let newStart =
        hunk.compactMap { edit -> Int? in
          switch edit {
          case .same(_, let j), .added(let j): j
          case .removed: nil
          }
        }.first.map { $0 + 1 } ?? 0
      body.append("@@ -\(oldStart),\(oldLines.count) +\(newStart),\(newLines.count) @@")
      for edit in hunk {
        switch edit {
        case .same(let i, _): body.append(" " + a[i])
        case .removed(let i): body.append("-" + a[i])
        case .added(let j): body.append("+" + b[j])
        }
      }
    }
    if body.isEmpty { body.append("@@ the texts differ only in their final newline @@") }
    if body.count > maxLines {
      let dropped = body.count - maxLines
      body = Array(body.prefix(maxLines)) + ["… \(dropped) more lines of diff"]
    }
    return (["--- \(oldLabel)", "+++ \(newLabel)"] + body).joined(separator: "\n") + "\n"
  }

  /// Lines of `text`, with a note on a last line that lacks its newline, as `diff` marks it.
  static func lines(_ text: String) -> [String] {
    var result = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if result.last == "" {
      result.removeLast()
    } else if !result.isEmpty {
      result[result.count - 1] += " (no newline at end)"
    }
    return result
  }

  /// The edits turning `a` into `b`: the common prefix and suffix kept, a longest common subsequence
  /// of the middle when it is small enough (at most 4 million cell comparisons), else the whole
  /// middle replaced.
  static func edits(_ a: [String], _ b: [String]) -> [Edit] {
    var prefix = 0
    while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
      suffix += 1
    }
    var edits = (0..<prefix).map { Edit.same($0, $0) }
    let midA = Array(prefix..<(a.count - suffix))
    let midB = Array(prefix..<(b.count - suffix))
    if midA.count * midB.count <= 4_000_000 {
      // lengths[i][j]: the LCS length of midA[i...] and midB[j...].
      let width = midB.count + 1
      var lengths = [Int32](repeating: 0, count: (midA.count + 1) * width)
      for i in stride(from: midA.count - 1, through: 0, by: -1) {
        for j in stride(from: midB.count - 1, through: 0, by: -1) {
          lengths[i * width + j] =
            a[midA[i]] == b[midB[j]]
            ? lengths[(i + 1) * width + j + 1] + 1 : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
        }
      }
      var (i, j) = (0, 0)
      while i < midA.count || j < midB.count {
        if i < midA.count, j < midB.count, a[midA[i]] == b[midB[j]] {
          edits.append(.same(midA[i], midB[j]))
          i += 1
          j += 1
        } else if i < midA.count, j == midB.count || lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
          edits.append(.removed(midA[i]))
          i += 1
        } else {
          edits.append(.added(midB[j]))
          j += 1
        }
      }
    } else {
      edits += midA.map { .removed($0) } + midB.map { .added($0) }
    }
    edits += (0..<suffix).map { .same(a.count - suffix + $0, b.count - suffix + $0) }
    return edits
  }

  /// The edits grouped into hunks: each change with up to `context` unchanged lines around it,
  /// hunks whose contexts touch merged.
  static func hunks(_ edits: [Edit], context: Int) -> [[Edit]] {
    let changed = edits.indices.filter { if case .same = edits[$0] { false } else { true } }
    var ranges: [ClosedRange<Int>] = []
    for index in changed {
      let range = max(0, index - context)...min(edits.count - 1, index + context)
      if let last = ranges.last, range.lowerBound <= last.upperBound + 1 {
        ranges[ranges.count - 1] = last.lowerBound...range.upperBound
      } else {
        ranges.append(range)
      }
    }
    return ranges.map { Array(edits[$0]) }
  }
}
