import Foundation

/// Archway's JSON form: pretty-printed, keys sorted, slashes unescaped, so output is stable and diffable.
public enum PrettyJSON {
  /// The encoder option that leaves ``BinaryFacts``' `versioned_symbols` out.
  package static let omitVersionedSymbols = CodingUserInfoKey(rawValue: "archway.omitVersionedSymbols")!

  /// An encoder in Archway's JSON form; `omitVersionedSymbols` leaves ``BinaryFacts``' largest key out.
  public static func encoder(omitVersionedSymbols: Bool = false) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.userInfo[Self.omitVersionedSymbols] = omitVersionedSymbols
    return encoder
  }
}
