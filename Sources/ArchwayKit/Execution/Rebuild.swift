/// A further build of a cell for the reproducibility check (`verify: reproducible:`): the build step
/// again, writing into `CELL/rebuild-N/` instead of the cell's folder, with the chosen parts of its
/// environment varied as reprotest varies them.
public struct Rebuild: Sendable {
  /// 2 for the second build, and so on.
  public var number: Int
  /// The cell rebuilt.
  public var cell: Cell
  /// What this build varies against the first.
  public var vary: [VerifySpec.Variation]

  /// How far `time` moves the clock: over a year, so `__DATE__` and `__TIME__` both change.
  public static let clockShift = "+397d"

  /// Creates the rebuild `number` of `cell`.
  public init(number: Int, cell: Cell, vary: [VerifySpec.Variation]) {
    self.number = number
    self.cell = cell
    self.vary = vary
  }

  /// The cell as this build sees it: its folder is `CELL/rebuild-N`.
  public var relocatedCell: Cell {
    var moved = cell
    moved.out = cell.out + "/rebuild-\(number)"
    return moved
  }

  /// `text` with the cell's folder replaced by this build's.
  public func relocate(_ text: String) -> String {
    text.replacingOccurrences(of: cell.out, with: relocatedCell.out)
  }

  /// The build step with its outputs relocated and its environment varied.
  public func step(from build: StepSpec) -> StepSpec {
    var step = build
    step.name = "rebuild-\(number)"
    step.argv = build.argv.map(relocate)
    step.environment = build.environment.mapValues(relocate)
    if vary.contains(.locale) {
      step.environment["LANG"] = "fr_CH.UTF-8"
      step.environment["LC_ALL"] = "fr_CH.UTF-8"
    }
    if vary.contains(.timezone) { step.environment["TZ"] = "GMT-14" }
    return step
  }

  /// The argv that runs ``step(from:)``: under `faketime` for `time`, through `sh` setting the umask
  /// for `umask`, under `prlimit` for the step's limits.
  public func argv(from build: StepSpec) -> [String] {
    var argv = step(from: build).argv
    if vary.contains(.umask) { argv = ["sh", "-c", "umask 0002 && exec \"$@\"", "umask"] + argv }
    if vary.contains(.time) { argv = ["faketime", "-f", Self.clockShift] + argv }
    return ResourceLimit.wrap(argv, options: build.prlimitOptions)
  }
}
