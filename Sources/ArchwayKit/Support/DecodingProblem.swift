import Foundation

extension DecodingError {
  /// The problem in words with where it is (`cells[0].verdict: expected a string`), instead of
  /// Swift's `DecodingError.keyNotFound(CodingKeys(stringValue: …))`.
  package var sentence: String {
    func path(_ context: Context) -> String {
      let keys = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
      let joined = keys.joined()
      return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined.isEmpty ? "the top level" : joined
    }
    switch self {
    case .keyNotFound(let key, let context):
      return "\(path(context)): the key '\(key.stringValue)' is missing"
    case .typeMismatch(let type, let context):
      return "\(path(context)): expected \(type), found something else"
    case .valueNotFound(let type, let context):
      return "\(path(context)): null where \(type) belongs"
    case .dataCorrupted(let context):
      return "\(path(context)): \(context.debugDescription)"
    @unknown default:
      return "\(self)"
    }
  }
}
