/// The ways Archway runs a cell's programs, cheapest first: what a report names as a cell's runner,
/// and what a matrix's `runner:` may insist on.
public enum RunnerKind: String, Sendable, Hashable, Codable, CaseIterable {
  case native, qemu, rootfs, container, wine, ssh, none
}
