import Foundation

/// Mach-O files made for tests from real ones: universal files from thin slices, and thin files
/// broken as tools break them (`Tests/Oracles/macho_edit.py`).
public enum MachOFiles {
  /// Writes a universal binary from the thin files at `paths`: a big-endian fat header, slices
  /// aligned to 2^14.
  public static func fat(_ paths: [String], wide: Bool = false) throws -> String {
    let thin = try paths.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
    let align = 1 << 14
    var header = [UInt8]()
    func put32(_ v: UInt32) { header += withUnsafeBytes(of: v.bigEndian, Array.init) }
    func put64(_ v: UInt64) { header += withUnsafeBytes(of: v.bigEndian, Array.init) }
    put32(wide ? 0xCAFE_BABF : 0xCAFE_BABE)
    put32(UInt32(thin.count))
    var offset = align
    var body = [UInt8]()
    for bytes in thin {
      let cputype = UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self) })
      let subtype = UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) })
      put32(cputype)
      put32(subtype)
      if wide {
        put64(UInt64(offset)); put64(UInt64(bytes.count)); put32(14); put32(0)
      } else {
        put32(UInt32(offset)); put32(UInt32(bytes.count)); put32(14)
      }
      body += [UInt8](repeating: 0, count: offset - align - body.count) + bytes
      offset = align + (body.count + align - 1) / align * align
    }
    let file = header + [UInt8](repeating: 0, count: align - header.count) + body
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("archway-fat-\(UUID().uuidString)").path
    try Data(file).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// A copy of the thin Mach-O at `path` with `edits` applied (`strip-signature`, `drop-uuid`,
  /// `platform:N`, `arm64e`, `flip:OFFSET`, `add-cms`, `truncate-signature`, `resign`; see the
  /// script), in the temporary folder.
  public static func edited(_ path: String, _ edits: [String]) async throws -> String {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("archway-macho-\(UUID().uuidString)").path
    let result = try await Command.run("python3", [Fixtures.root + "/Tests/Oracles/macho_edit.py", path, out] + edits)
    guard result.status == 0 else { throw OracleError(message: "macho_edit.py \(edits): \(result.stderr)") }
    return out
  }
}
