/// Holds a verified cell back until every cell it is compared with has ended, then makes its
/// cross-cell checks (``CrossCellChecks``) and releases it: a cell is reported once, with its final
/// verdict. A cell compared with one outside the run (another shard's) waits for nothing.
struct CrossCellGate {
  private let cells: [Cell]
  private let baseline: [String: String]?
  /// For each cell, the cells of this run it is compared with that have not ended yet.
  private var waitingFor: [Set<Int>]
  /// For each cell, the cells waiting for it.
  private var waiters: [[Int]]
  /// Each cell's own verification, once it has ended.
  private var verified: [VerifiedCell?]
  /// Each cell as reported, once it is released.
  private(set) var released: [VerifiedCell?]
  private var context: CrossCellChecks.Context

  /// A gate for the run's `cells`, of a plan whose every cell is in `definitions`; with `baseline`
  /// (path → SHA-256), each cell's artifacts are held to it too.
  init(cells: [Cell], definitions: [Cell], baseline: [String: String]?) {
    self.cells = cells
    self.baseline = baseline
    let index = Dictionary(cells.enumerated().map { ($1.id, $0) }) { first, _ in first }
    waitingFor = cells.map { Set(CrossCellChecks.dependencies(of: $0).compactMap { index[$0] }) }
    waiters = Array(repeating: [], count: cells.count)
    for (cell, others) in waitingFor.enumerated() {
      for other in others { waiters[other].append(cell) }
    }
    verified = Array(repeating: nil, count: cells.count)
    released = Array(repeating: nil, count: cells.count)
    context = CrossCellChecks.Context(cells: [], definitions: definitions)
  }

  /// Takes cell `index`'s own verification and returns the cells it releases (with their indexes):
  /// itself, when it waits for no other, and those that waited only for it, in plan order.
  mutating func ended(_ index: Int, _ cell: VerifiedCell) -> [(index: Int, cell: VerifiedCell)] {
    verified[index] = cell
    context.cells[cell.id] = cell
    var ready = waitingFor[index].isEmpty ? [index] : []
    for waiter in waiters[index] {
      waitingFor[waiter].remove(index)
      if waitingFor[waiter].isEmpty, verified[waiter] != nil { ready.append(waiter) }
    }
    return ready.sorted().map { ($0, release($0)) }
  }

  /// Releases the cells still held (compared with each other, in a circle) and returns them in plan
  /// order, with their indexes; then every cell that ended has been released.
  mutating func flush() -> [(index: Int, cell: VerifiedCell)] {
    verified.indices.filter { verified[$0] != nil && released[$0] == nil }.map { ($0, release($0)) }
  }

  private mutating func release(_ index: Int) -> VerifiedCell {
    let cell = CrossCellChecks.apply(
      to: verified[index]!, definition: cells[index], in: context, baseline: baseline)
    released[index] = cell
    return cell
  }
}
