import Foundation

/// Archway's JSON form: pretty-printed, keys sorted, slashes unescaped, so output is stable and diffable.
public enum PrettyJSON {
  /// An encoder in Archway's JSON form; `omitVersionedSymbols` leaves ``BinaryFacts``' largest key out.
  public static func encoder(omitVersionedSymbols: Bool = false) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.userInfo[BinaryFacts.omitVersionedSymbols] = omitVersionedSymbols
    return encoder
  }

  /// `items` as a JSON array, byte for byte what ``encoder(omitVersionedSymbols:)`` gives for the
  /// whole array (for a non-empty one), but with the elements encoded on up to `jobs` tasks at once.
  /// Throws what `JSONEncoder` throws for an element.
  public static func encodeArray<Item: Encodable & Sendable>(
    _ items: [Item], jobs: Int = 2, omitVersionedSymbols: Bool = false
  ) async throws -> Data {
    guard !items.isEmpty else { return Data("[]".utf8) }
    let chunkSize = (items.count + max(1, jobs) - 1) / max(1, jobs)
    let chunks = stride(from: 0, to: items.count, by: chunkSize).map {
      Array(items[$0..<min($0 + chunkSize, items.count)])
    }
    let encoded = try await withThrowingTaskGroup(of: (Int, Data).self) { group in
      for (index, chunk) in chunks.enumerated() {
        group.addTask {
          let encoder = encoder(omitVersionedSymbols: omitVersionedSymbols)
          var out = Data()
          for item in chunk {
            if !out.isEmpty { out.append(contentsOf: Array(",\n".utf8)) }
            out.append(indented(try encoder.encode(item)))
          }
          return (index, out)
        }
      }
      var parts = [Data](repeating: Data(), count: chunks.count)
      for try await (index, data) in group { parts[index] = data }
      return parts
    }
    var result = Data("[\n".utf8)
    for (index, part) in encoded.enumerated() {
      if index > 0 { result.append(contentsOf: Array(",\n".utf8)) }
      result.append(part)
    }
    result.append(contentsOf: Array("\n]".utf8))
    return result
  }

  /// Every line of `json` indented by two spaces, as a nested value of a pretty array is.
  private static func indented(_ json: Data) -> Data {
    var out = [UInt8]()
    out.reserveCapacity(json.count + json.count / 4)
    out += [0x20, 0x20]
    json.withUnsafeBytes { bytes in
      for (index, byte) in bytes.enumerated() {
        out.append(byte)
        // The blank line inside an empty array or object stays blank, as JSONEncoder leaves it.
        if byte == 0x0A, index + 1 < bytes.count, bytes[index + 1] != 0x0A { out += [0x20, 0x20] }
      }
    }
    return Data(out)
  }
}
