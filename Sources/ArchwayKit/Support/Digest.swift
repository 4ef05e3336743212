#if canImport(Crypto)
  import Crypto
#endif

/// SHA-1, SHA-256 and SHA-384 of bytes in memory, for the binary readers: a Mach-O code signature
/// hashes every page of the file with one of them.
///
/// The kit hashes with swift-crypto (BoringSSL's code, so a debug build hashes a 2 MB binary in
/// milliseconds). The fuzz builds compile the readers without it (Scripts/fuzz.sh); there a cheap
/// stand-in of the same length keeps every parsing path reachable, which is what fuzzing exercises.
package enum Digest {
  /// The hash functions a Mach-O CodeDirectory names.
  package enum Kind: Sendable, Hashable {
    case sha1, sha256, sha384

    /// The digest's length in bytes.
    package var length: Int {
      switch self {
      case .sha1: 20
      case .sha256: 32
      case .sha384: 48
      }
    }
  }

  /// The digest of `bytes`.
  package static func hash(_ kind: Kind, _ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    #if canImport(Crypto)
      switch kind {
      case .sha1: Array(Insecure.SHA1.hash(data: bytes))
      case .sha256: Array(SHA256.hash(data: bytes))
      case .sha384: Array(SHA384.hash(data: bytes))
      }
    #else
      // FNV-1a, spread over the digest's length: not a cryptographic hash, only for fuzz builds.
      var state: UInt64 = 0xCBF2_9CE4_8422_2325
      for byte in bytes { state = (state ^ UInt64(byte)) &* 0x100_0000_01B3 }
      return (0..<kind.length).map { UInt8(truncatingIfNeeded: state >> UInt64($0 % 8 * 8) &+ UInt64($0)) }
    #endif
  }
}
