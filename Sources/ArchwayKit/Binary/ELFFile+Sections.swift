import Foundation

extension ELFFile {
  /// Each section's name (from the section-name string table, `e_shstrndx`) and file range, in
  /// section-header order; sections without file bytes (`SHT_NOBITS`) and unreadable ones left out.
  func namedSectionRanges() -> [(name: String, range: Range<Int>)] {
    guard let index = try? Int(view.u16(wide ? 62 : 50)), index < sections.count,
      let names = try? fileRange(offset: sections[index].offset, size: sections[index].size, "section names")
    else { return [] }
    return sections.enumerated().compactMap { number, section in
      guard section.type != SHT_NOBITS, section.type != SHT_NULL,
        let range = try? fileRange(offset: section.offset, size: section.size, "section")
      else { return nil }
      let name =
        (try? view.cString(
          at: names.lowerBound + Int(section.name), end: names.upperBound, limit: 256, "section name"))
        ?? "section \(number)"
      return (name, range)
    }
  }
}

/// Where two builds of a binary first differ, for reproducibility reports.
package enum BinaryDifference {
  /// Where `a` and `b` first differ: for two ELF files the first section (in file order, the
  /// build-id last) whose bytes differ and the others that do, with the first differing byte
  /// offset; nil when they are equal.
  package static func locate(_ a: Data, _ b: Data) -> String? {
    guard a != b else { return nil }
    let offset = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    let bytes = "first at byte \(offset)" + (a.count == b.count ? "" : "; sizes \(a.count) and \(b.count)")
    let sections: [(name: String, range: Range<Int>)]? = a.withUnsafeBytes { rawA in
      b.withUnsafeBytes { rawB in
        guard let fileA = try? ELFFile(rawA), let fileB = try? ELFFile(rawB) else { return nil }
        let rangesB = Dictionary(fileB.namedSectionRanges().map { ($0.name, $0.range) }) { first, _ in first }
        return fileA.namedSectionRanges().filter { name, range in
          guard let other = rangesB[name] else { return true }
          return rawA[range].elementsEqual(rawB[other]) == false
        }
      }
    }
    // The build-id hashes the rest, so it differs whenever anything does: name it last.
    let differing = (sections ?? []).sorted { $0.range.lowerBound < $1.range.lowerBound }.map(\.name)
    let ordered = differing.filter { $0 != ".note.gnu.build-id" } + differing.filter { $0 == ".note.gnu.build-id" }
    guard let first = ordered.first else { return bytes }
    let others = ordered.dropFirst()
    return "section \(first) differs" + (others.isEmpty ? "" : " (also \(others.joined(separator: ", ")))")
      + "; \(bytes)"
  }
}
