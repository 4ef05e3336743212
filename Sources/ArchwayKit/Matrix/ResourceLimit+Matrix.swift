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
      if case .string("unlimited") = entry.value.kind {
        guard entry.key != "nofile" else {
          throw MatrixError(
            "ulimit 'nofile' cannot be unlimited: Linux allows at most fs.nr_open open files; give a number",
            at: entry.value.location)
        }
        limits[entry.key] = unlimited
        continue
      }
      guard case .int(let number) = entry.value.kind, number >= 0 else {
        throw MatrixError(
          "ulimit '\(entry.key)' must be a whole number or 'unlimited', not '\(entry.value)'", at: entry.value.location)
      }
      guard number <= Int.max / known[entry.key]!.1 else {
        throw MatrixError(
          "ulimit '\(entry.key)' \(entry.value) is larger than any limit can be", at: entry.value.location)
      }
      limits[entry.key] = number
    }
    return limits
  }
}
