/// Why a binary could not be read: what was wrong and the byte offset where it was found.
///
/// Readers throw it for malformed input (truncated tables, offsets past the end, overlapping or
/// looping structures, absurd counts); they never trap on such input.
package struct BinaryError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The file offset where the problem was found.
  package let offset: Int
  /// What was wrong, without the offset.
  package let message: String

  /// Creates a value from its parts.
  package init(offset: Int, _ message: String) {
    self.offset = offset
    self.message = message
  }

  /// `message at offset 0x…`.
  package var description: String { "\(message) at offset 0x\(String(offset, radix: 16))" }
}

extension BinaryError: ArchwayError {}
