extension String {
  /// The string as one shell word, in single quotes: nothing in it is expanded (`$(…)`, backquotes).
  var shellQuoted: String { "'" + replacingOccurrences(of: "'", with: "'\\''") + "'" }

  /// The string as a shell word for messages: as it is when it is plain, else ``shellQuoted``.
  var shellWord: String {
    let plain = !isEmpty && allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
    return plain ? self : shellQuoted
  }
}
