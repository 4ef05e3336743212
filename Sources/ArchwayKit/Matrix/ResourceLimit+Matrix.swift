extension ResourceLimit {
  /// The limits of a `ulimit:` map: whole numbers, or `unlimited` (``unlimited``). Throws a
  /// ``MatrixError`` at an unknown key or a value that is neither.
  static func parse(_ value: MatrixValue?) throws(MatrixError) -> [String: Int] {
    guard let value else { return [:] }
    guard let entries = value.entries else {
      throw MatrixError("'ulimit' must be a map like {nofile: 1024, stack: 8192}", at: value.location)
    }
    var limits: [String: Int] = [:]
    for entry in entries {
      guard known[entry.key] != nil else {
        throw MatrixFile.unknownKey(entry, among: known.keys.sorted(), in: "ulimit")
      }
      let written: String
      switch entry.value.kind {
      case .int(let number): written = String(number)
      case .string(let text): written = text
      default: written = entry.value.description
      }
      switch limit(entry.key, written: written) {
      case .success(let value): limits[entry.key] = value
      case .failure(let error): throw MatrixError(error.description, at: entry.value.location)
      }
    }
    return limits
  }
}
