extension MatrixValue {
  /// The value as a boolean; throws a ``MatrixError`` naming `key` when it is not `true` or `false`.
  func bool(named key: String) throws(MatrixError) -> Bool {
    guard case .bool(let flag) = kind else {
      throw MatrixError("'\(key)' must be true or false, not '\(self)'", at: location)
    }
    return flag
  }

  /// The value as a version of at least two parts; throws a ``MatrixError`` naming `key`, with `example`.
  func version(named key: String, example: String) throws(MatrixError) -> DottedVersion {
    guard let version = DottedVersion(description), version.components.count >= 2 else {
      throw MatrixError("'\(key)' must be a version like \(example), not '\(self)'", at: location)
    }
    return version
  }

  /// The value as a list of words (one word alone is a list of one); throws a ``MatrixError`` naming `key`.
  func words(named key: String) throws(MatrixError) -> [String] {
    if let text = scalarText { return [text] }
    guard let items = items, items.allSatisfy({ $0.scalarText != nil }) else {
      throw MatrixError("'\(key)' must be a list of words", at: location)
    }
    return items.compactMap(\.scalarText)
  }
}
