/// A Mach-O slice's code signature as the kernel reads it before it runs the slice: the embedded
/// signature that `LC_CODE_SIGNATURE` points at, its CodeDirectories (each hashing every page of
/// the slice up to its code limit), the special slots that hash other blobs of the signature, and
/// the CMS blob a certificate leaves. The layout is xnu's `osfmk/kern/cs_blobs.h`; what is hashed
/// and how is Apple's TN3126 "Inside Code Signing: Hashes". ``CodeSignatureReader`` reads it.
package struct CodeSignature: Sendable, Hashable, Codable {
  /// Who signed the slice, as `codesign -dv` tells it.
  package enum Kind: String, Sendable, Hashable, Codable {
    /// No `LC_CODE_SIGNATURE`.
    case unsigned
    /// Ad hoc, by the linker (`CS_LINKER_SIGNED`): ld64, lld, zig and Go sign arm64 output so.
    case linkerSigned = "linker-signed"
    /// Ad hoc (`CS_ADHOC`), as `codesign --sign -` signs.
    case adhoc
    /// With a certificate: a CMS blob is present (Archway does not judge the certificate).
    case certificate
    /// An `LC_CODE_SIGNATURE` whose signature cannot be read, or that is neither ad hoc nor signed
    /// with a certificate (its `problem` says why).
    case malformed
  }

  /// Who signed it.
  package var kind: Kind
  /// The signing identifier (`codesign -i`; linkers write the file's name).
  package var identifier: String?
  /// The team identifier of the certificate's owner.
  package var teamID: String?
  /// `CS_RUNTIME`: the hardened runtime.
  package var hardenedRuntime = false
  /// The primary CodeDirectory, then the alternates (codesign writes a SHA-1 and a SHA-256 one).
  package var codeDirectories: [CodeDirectory] = []
  /// The special slots whose blobs the signature holds and whose hashes were compared:
  /// `requirements`, `entitlements`, `der-entitlements`, …
  package var specialSlots: [String] = []
  /// How many page hashes were recomputed and compared, over all CodeDirectories.
  package var pagesChecked = 0
  /// Why the kernel would refuse the signature: the first page or blob whose hash differs, or what is
  /// malformed; nil when every hash matches.
  package var problem: String?
  /// The first page (of `problem`'s CodeDirectory) whose hash differs.
  package var firstBadPage: Int?

  enum CodingKeys: String, CodingKey {
    case kind, identifier, teamID = "team_id", hardenedRuntime = "hardened_runtime"
    case codeDirectories = "code_directories", specialSlots = "special_slots", pagesChecked = "pages_checked"
    case problem, firstBadPage = "first_bad_page"
  }

  /// `linker-signed, 485 pages match (sha256)`, or the problem.
  package var summary: String {
    guard kind != .unsigned else { return "unsigned" }
    if let problem { return "\(kind.rawValue), broken: \(problem)" }
    let hashes = codeDirectories.map(\.hashType).joined(separator: "+")
    return
      "\(kind.rawValue)\(hardenedRuntime ? ", hardened runtime" : ""), \(pagesChecked) page hashes match (\(hashes))"
  }
}

/// One CodeDirectory: what it hashes, with which function, in pages of which size.
package struct CodeDirectory: Sendable, Hashable, Codable {
  /// The format version, `0x20400`.
  package var version: String
  /// The flags by name: `adhoc`, `hard`, `kill`, `runtime`, `linker-signed`, … (`0x…` for others).
  package var flags: [String]
  /// `sha1`, `sha256`, `sha256-truncated` or `sha384`.
  package var hashType: String
  /// Bytes per hash.
  package var hashSize: Int
  /// Bytes per page (0: one page covers the whole code limit).
  package var pageSize: Int
  /// How many bytes of the slice are hashed.
  package var codeLimit: Int
  /// Page hashes.
  package var codeSlots: Int
  /// Special-slot hashes.
  package var specialSlots: Int
  /// The executable segment (version 0x20400 on): its file offset, size and flags.
  package var execSegment: ExecSegment?

  /// `execSegBase`, `execSegLimit`, `execSegFlags`.
  package struct ExecSegment: Sendable, Hashable, Codable {
    package var base: Int
    package var limit: Int
    /// `main-binary`, `allow-unsigned`, `debugger`, `jit`, `skip-lv`, `can-load-cdhash`, `can-exec-cdhash`.
    package var flags: [String]
  }

  enum CodingKeys: String, CodingKey {
    case version, flags, hashType = "hash_type", hashSize = "hash_size", pageSize = "page_size"
    case codeLimit = "code_limit", codeSlots = "code_slots", specialSlots = "special_slots"
    case execSegment = "exec_segment"
  }
}
