/// Which way an artifact does not fit its target, as `verify --json` names it.
public enum ViolationKind: String, Sendable, Hashable, Codable {
  case readable, format, arch, osABI = "os-abi", libc, glibcFloor = "glibc-floor", needed, intact, cpu, minos, loads
  /// A Mach-O slice built for another Apple platform (`ios`, `maccatalyst`, a simulator), or for arm64e.
  case platform
  /// A Mach-O slice's code signature: missing on arm64, or not matching the slice's bytes.
  case signature
  /// A Mach-O slice without `LC_UUID`.
  case uuid
  /// A Mach-O slice's dependency that dyld would not find on a clean Mac.
  case dylib
  /// A PE import a clean Windows of the target's release lacks, and that is not beside the file.
  case dll
  /// An OS release the file asks for (a PE header's subsystem or OS version) or its Go supports,
  /// newer than the target's.
  case osVersion = "os-version"
  /// A shared library asking for an executable stack, which glibc 2.41 and later refuse to dlopen.
  case execStack = "exec-stack"
  /// A musl binary's import that the target's musl release does not export yet.
  case muslFloor = "musl-floor"
  /// ELF `PT_LOAD` segments aligned for smaller pages than the target's kernel may use.
  case pageSize = "page-size"
  /// An archive or package: a member leading out of it, a link out of it, a device or FIFO, a
  /// member too large to read, a stream cut short or corrupt, a limit reached; or no binary in an
  /// archive named itself.
  case archive
  /// A release's checksum file against the files it lists, or an artifact beside one that none lists.
  case checksum
  /// A package's metadata against its binaries: a `.deb`'s `Depends:` on libc6, a wheel's tag.
  case package

  /// The check of a cell that reports a violation of this kind.
  package var checkKind: CheckKind {
    switch self {
    case .readable, .format, .arch, .osABI, .platform: .arch
    case .libc: .libc
    case .glibcFloor: .glibcFloor
    case .muslFloor: .muslFloor
    case .needed: .needed
    case .intact: .intact
    case .cpu: .cpu
    case .minos: .minos
    case .loads: .loads
    case .signature: .signature
    case .uuid, .dylib: .dyld
    case .pageSize: .pageSize
    case .dll: .dlls
    case .execStack: .execStack
    case .osVersion: .osVersion
    case .archive: .archive
    case .checksum: .sha256
    case .package: .archive
    }
  }
}

/// One way an artifact does not fit its target: which check, what was expected, what was found.
public struct Violation: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Which way.
  public let check: ViolationKind
  /// What the target allows.
  public let expected: String
  /// What the binary has.
  public let found: String
  /// A sentence that names what was found and what the target allows, without the file's path.
  public let message: String

  /// Creates a value from its parts.
  package init(check: ViolationKind, expected: String, found: String, message: String) {
    self.check = check
    self.expected = expected
    self.found = found
    self.message = message
  }

  /// A one-line rendering for messages.
  public var description: String { message }
}

/// The verdict on one file: its facts and every violation found (none means it fits).
package struct ArtifactVerdict: Sendable, Hashable, Codable {
  /// The file, as given or as found in a folder.
  package let path: String
  /// The file's facts as read.
  package let facts: BinaryFacts
  /// Every violation; empty when the file fits.
  package let violations: [Violation]
  /// With `verify --by-name`: the target its name promised, which it was checked against.
  package var promise: NamePromise? = nil

  /// Whether the file fits its target.
  package var passed: Bool { violations.isEmpty }
}
