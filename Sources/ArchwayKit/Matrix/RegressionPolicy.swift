/// What a nightly comparison with the last good run fails on, and what it takes to be a change
/// (`regressions:` in a matrix, `archway diff --fail-on`): by default new failures and a rising
/// floor fail; every other change is a note.
package struct RegressionPolicy: Sendable, Hashable, Codable {
  /// The kinds of change, by the names `--fail-on` and `regressions: fail_on` take.
  package enum Category: String, Sendable, Hashable, Codable, CaseIterable {
    /// A cell or a test that passed before fails (or errs) now.
    case newFailure = "new-failure"
    /// A cell or a test that failed before passes now.
    case fixed
    /// A cell that failed before fails still.
    case stillFailing = "still-failing"
    /// A step passed only on a retry (`retries:`); the message says whether it was flaky before.
    case flaky
    /// A cell only the new report has.
    case newCell = "new-cell"
    /// A cell only the old report has.
    case missingCell = "missing-cell"
    /// A library version floor (GLIBC, GLIBCXX, CXXABI, GCC) rose, with the symbols that now need it.
    case floorRose = "floor-rose"
    /// A floor fell.
    case floorFell = "floor-fell"
    /// A `DT_NEEDED` library appeared.
    case neededAdded = "needed-added"
    /// A `DT_NEEDED` library went away.
    case neededRemoved = "needed-removed"
    /// The program interpreter changed.
    case interpreterChanged = "interpreter-changed"
    /// The libc family changed (glibc → musl).
    case libcChanged = "libc-changed"
    /// The linkage changed (static → dynamic).
    case linkageChanged = "linkage-changed"
    /// The architecture, bits, byte order or float ABI changed.
    case archChanged = "arch-changed"
    /// The artifact grew beyond the policy's threshold.
    case sizeGrew = "size-grew"
    /// The artifact shrank beyond the policy's threshold.
    case sizeShrank = "size-shrank"
    /// A run step's output changed.
    case outputChanged = "output-changed"
    /// A run step took longer by more than the policy's factor.
    case durationGrew = "duration-grew"
    /// The reproducibility check passed before and not now, or the other way.
    case reproducibilityFlipped = "reproducibility-flipped"
    /// The artifact's bytes changed (its SHA-256).
    case artifactChanged = "artifact-changed"
    /// An artifact only the new cell has.
    case newArtifact = "new-artifact"
    /// An artifact only the old cell has.
    case missingArtifact = "missing-artifact"
    /// What the cell ran on changed: the fingerprint inside the runner (libc, kernel, limits).
    case environmentChanged = "environment-changed"
    /// A compiler both builds name answers with another version.
    case toolchainChanged = "toolchain-changed"
  }

  /// The categories that fail (exit 1).
  package var failOn: Set<Category> = [.newFailure, .floorRose]
  /// The fraction by which an artifact must grow or shrink to be a change (0.10: 10 %).
  package var sizeGrowth = 0.10
  /// The factor by which a run step's duration must grow to be a change.
  package var durationGrowth = 2.0
  /// Durations shorter than this (seconds) are noise, never a change.
  package static let shortestDuration = 0.5

  /// The default policy.
  package init() {}

  /// ``failOn`` in the categories' declared order (a report's bytes and messages are stable).
  package var failOnInOrder: [Category] { Category.allCases.filter(failOn.contains) }

  enum CodingKeys: String, CodingKey {
    case failOn = "fail_on", sizeGrowth = "size_growth", durationGrowth = "duration_growth"
  }

  /// Decodes a policy as ``encode(to:)`` writes it.
  package init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    failOn = Set(try container.decode([Category].self, forKey: .failOn))
    sizeGrowth = try container.decode(Double.self, forKey: .sizeGrowth)
    durationGrowth = try container.decode(Double.self, forKey: .durationGrowth)
  }

  /// Writes the policy, its categories in their declared order (a report's bytes are canonical).
  package func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(failOnInOrder, forKey: .failOn)
    try container.encode(sizeGrowth, forKey: .sizeGrowth)
    try container.encode(durationGrowth, forKey: .durationGrowth)
  }

  /// The categories of a comma-separated list (`none` for none, `all` for every one); an unknown
  /// name is an error naming the closest.
  package static func categories(_ list: String) throws(UnknownCategory) -> Set<Category> {
    var categories: Set<Category> = []
    for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
      categories.formUnion(try category(name))
    }
    return categories
  }

  /// The categories one name stands for (`all`, `none`, or one category).
  static func category(_ name: String) throws(UnknownCategory) -> Set<Category> {
    if name == "none" { return [] }
    if name == "all" { return Set(Category.allCases) }
    guard let category = Category(rawValue: name) else {
      throw UnknownCategory(
        description: "unknown category '\(name)'"
          + Suggestion.phrase(for: name, among: Category.allCases.map(\.rawValue) + ["none", "all"]))
    }
    return [category]
  }

  /// A category name that is none of ``Category``'s.
  package struct UnknownCategory: Error, Sendable, CustomStringConvertible {
    /// What is wrong, with the closest name.
    package var description: String
  }

  /// Decodes a matrix's `regressions: {fail_on: [new-failure, floor-rose], size_growth: 10%,
  /// duration_growth: 2}`, each problem at its line and column.
  init(_ block: MatrixValue) throws(MatrixError) {
    guard let entries = block.entries else {
      throw MatrixError(
        "'regressions' must be a map {fail_on: [...], size_growth: 10%, duration_growth: 2}", at: block.location)
    }
    for entry in entries {
      switch entry.key {
      case "fail_on":
        guard let items = entry.value.items ?? (entry.value.scalarText.map { _ in [entry.value] }) else {
          throw MatrixError("'fail_on' must be a list of categories", at: entry.value.location)
        }
        failOn = []
        for item in items {
          guard let name = item.scalarText else {
            throw MatrixError("'fail_on' must be a list of categories", at: item.location)
          }
          do {
            failOn.formUnion(try Self.category(name))
          } catch {
            throw MatrixError(error.description, at: item.location)
          }
        }
      case "size_growth":
        let text = entry.value.scalarText ?? ""
        guard let value = Double(text.hasSuffix("%") ? String(text.dropLast()) : text), value >= 0, value.isFinite
        else {
          throw MatrixError("'size_growth' must be a percentage like 10%, not '\(text)'", at: entry.value.location)
        }
        sizeGrowth = value / 100
      case "duration_growth":
        let text = entry.value.scalarText ?? ""
        guard let value = Double(text), value >= 1, value.isFinite else {
          throw MatrixError(
            "'duration_growth' must be a factor of at least 1 like 2, not '\(text)'", at: entry.value.location)
        }
        durationGrowth = value
      default:
        throw MatrixFile.unknownKey(entry, among: ["fail_on", "size_growth", "duration_growth"], in: "regressions")
      }
    }
  }
}
