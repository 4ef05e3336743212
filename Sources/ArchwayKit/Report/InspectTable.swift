/// The `archway inspect` table: one row per file with the facts people look at first.
package enum InspectTable {
  /// A table of `facts` with columns FILE, FORMAT, ARCH, TYPE, LINKAGE, LIBC, GLIBC, NEEDED, and
  /// SIGNATURE when there is a Mach-O file (each slice's: `linker-signed`, `unsigned+adhoc`, `adhoc
  /// (broken)`); an amd64 file that names its level shows it beside the arch (`amd64 x86-64-v3`).
  /// What the table shows of `results`: every file named itself, and of the files found in a
  /// folder the binaries, the archives read and the files that could not be read; with `all`,
  /// every file. Also how
  /// many files each folder held that are not binaries and are not shown, in the folders' order.
  package static func shown(
    _ results: [(InspectTarget, BinaryFacts)], all: Bool
  ) -> (facts: [BinaryFacts], unshown: [(folder: String, count: Int)]) {
    var facts: [BinaryFacts] = []
    var unshown: [(folder: String, count: Int)] = []
    for (target, file) in results {
      guard !all, let root = target.root, file.format == .unknown, file.error == nil, file.archive == nil else {
        facts.append(file)
        continue
      }
      if unshown.last?.folder == root { unshown[unshown.count - 1].count += 1 } else { unshown.append((root, 1)) }
    }
    return (facts, unshown)
  }

  package static func make(_ facts: [BinaryFacts]) -> TextTable {
    let signatures = facts.contains { $0.slices != nil }
    var table = TextTable(
      header: ["FILE", "FORMAT", "ARCH", "TYPE", "LINKAGE", "LIBC", "GLIBC", "NEEDED"]
        + (signatures ? ["SIGNATURE"] : []))
    for f in facts {
      if let error = f.error {
        table.rows.append([f.path, f.format.rawValue, "error: \(error)"])
        continue
      }
      if let archive = f.archive {
        let problems =
          archive.problems.isEmpty ? "" : ", \(archive.problems.count) problem\(archive.problems.count == 1 ? "" : "s")"
        let binaries = "\(archive.binaries) binar\(archive.binaries == 1 ? "y" : "ies")"
        let members = "\(archive.members) member\(archive.members == 1 ? "" : "s")"
        table.rows.append([f.path, archive.kind, "\(binaries) in \(members)\(problems)"])
        continue
      }
      let arch: String
      if f.format == .machoFat, let slices = f.slices {
        arch = slices.map(\.cpu).joined(separator: "+")
      } else {
        arch =
          [f.arch, f.variant].compactMap { $0 }.joined(separator: "/")
          + (f.arch == "amd64" ? f.cpuLevel.map { " \($0)" } ?? "" : "")
      }
      let needed =
        f.needed.count > 3
        ? f.needed.prefix(3).joined(separator: ",") + ",+\(f.needed.count - 3)" : f.needed.joined(separator: ",")
      let signature = (f.slices ?? []).compactMap(\.signature).map {
        $0.kind.rawValue + ($0.problem == nil ? "" : " (broken)")
      }
      table.rows.append(
        [
          f.path, f.format.rawValue, arch.isEmpty ? "-" : arch, f.type ?? "-", f.linkage?.rawValue ?? "-",
          f.format == .unknown ? "-" : f.libc.rawValue, f.glibcFloor ?? "-", needed.isEmpty ? "-" : needed,
        ] + (signatures ? [signature.isEmpty ? "-" : signature.joined(separator: "+")] : []))
    }
    return table
  }
}
