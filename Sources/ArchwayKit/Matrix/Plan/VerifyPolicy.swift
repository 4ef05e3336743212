/// What the verifier checks of a cell's artifacts (`verify:`), decoded and validated at plan time so
/// a bad value is reported with its file, line and column. What a run step must print is its own
/// (``RunStep/expect``).
package struct VerifyPolicy: Sendable, Hashable, Codable {
  /// Whether the artifacts' architecture is checked (`arch: false` turns it off).
  package var arch = true
  /// Whether the artifacts' libc family and interpreter are checked.
  package var libc = true
  /// The newest glibc the artifacts may need: the older of `glibc_max`, the cell's `gnu-X.Y` and its
  /// environment's glibc.
  package var glibcMax: DottedVersion?
  /// The libraries the artifacts may need (names or shell patterns); nil allows any.
  package var allowNeeded: [String]?
  /// The newest macOS a Mach-O artifact may require (`minos`).
  package var minosMax: DottedVersion?
  /// The largest page size the artifacts must load on (`page_size: 16k`); nil: the arch's largest.
  package var pageSize: Int?
  /// The reproducibility check, if asked for (the planner makes its rebuilds: ``CellSteps/rebuilds``).
  package var reproducible: Reproducibility?
  /// The cell whose artifacts this cell's must equal byte for byte (`same_as: {cell: ID}`): a build
  /// inside the target against the cross build, say.
  package var sameAs: String?
  /// Whether every PE must carry Authenticode and every Mach-O slice a certificate's signature
  /// (`signed: true`); nil when not asked.
  package var signed: Bool?
  /// Whether arm64e Mach-O slices are allowed (`allow_arm64e: true`); nil when not said.
  package var allowArm64e: Bool?

  enum CodingKeys: String, CodingKey {
    case arch, libc, glibcMax = "glibc_max", allowNeeded = "allow_needed", minosMax = "minos_max", reproducible
    case pageSize = "page_size", signed, allowArm64e = "allow_arm64e"
    case sameAs = "same_as"
  }

  /// `verify: reproducible:`: build the cell this many times in all, varying these.
  package struct Reproducibility: Sendable, Hashable, Codable {
    /// Builds in all (at least 2).
    package var builds: Int
    /// What differs between the first build and the others.
    package var vary: [Variation]
  }

  /// What a rebuild varies, as reprotest names it.
  package enum Variation: String, Sendable, Hashable, Codable, CaseIterable {
    /// The output folder (every rebuild writes into its own, so this always varies).
    case path
    /// The clock, moved 397 days ahead through `faketime`.
    case time
    /// The file-creation mask.
    case umask
    /// `LANG` and `LC_ALL`.
    case locale
    /// `TZ`.
    case timezone
  }

  /// Checks nothing but what every artifact gets (architecture and libc).
  package init() {}
}
