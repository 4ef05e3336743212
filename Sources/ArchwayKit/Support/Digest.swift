import Foundation

#if canImport(Crypto)
  import Crypto
#endif

/// SHA-1, SHA-256 and SHA-384 of bytes in memory, and SHA-256 fed in pieces: every hash the kit
/// takes (a Mach-O code signature's pages, artifacts' checksums, a plan's id, a long cell id's
/// suffix, an environment recipe's key).
///
/// The kit hashes with swift-crypto (BoringSSL's code, so a debug build hashes a 2 MB binary in
/// milliseconds), and only here. The fuzz builds compile the kit without it (Scripts/fuzz.sh); there
/// a cheap stand-in of the same length keeps every parsing path reachable, which is what fuzzing
/// exercises.
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
      var stream = SHA256Stream()
      stream.update(bytes)
      return stream.stateSpread(over: kind.length)
    #endif
  }

  /// The digest of `data`.
  package static func hash(_ kind: Kind, _ data: Data) -> [UInt8] {
    data.withUnsafeBytes { hash(kind, $0) }
  }

  /// SHA-256 of bytes given a piece at a time (a file read a megabyte at a time).
  package struct SHA256Stream {
    #if canImport(Crypto)
      private var hasher = SHA256()
    #else
      private var state: UInt64 = 0xCBF2_9CE4_8422_2325
    #endif

    package init() {}

    /// Adds `bytes` to what is hashed.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
      #if canImport(Crypto)
        hasher.update(bufferPointer: bytes)
      #else
        // FNV-1a: not a cryptographic hash, only for fuzz builds.
        for byte in bytes { state = (state ^ UInt64(byte)) &* 0x100_0000_01B3 }
      #endif
    }

    /// Adds `data` to what is hashed.
    package mutating func update(_ data: Data) {
      data.withUnsafeBytes { update($0) }
    }

    /// The digest of everything added.
    package func finalize() -> [UInt8] {
      #if canImport(Crypto)
        Array(hasher.finalize())
      #else
        stateSpread(over: Kind.sha256.length)
      #endif
    }

    #if !canImport(Crypto)
      /// The FNV state spread over `length` bytes.
      fileprivate func stateSpread(over length: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: state >> UInt64($0 % 8 * 8) &+ UInt64($0)) }
      }
    #endif
  }
}
