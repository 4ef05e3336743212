/// The kinds of check the verifier makes: one case each, its raw value the `name` the report gives
/// a finding of that kind. A new kind of check is a new case here and the function that makes it.
public enum CheckKind: String, Sendable, Hashable, Codable, CaseIterable {
  /// The cell as a whole: what stopped it outside its steps (a missing artifact, `--fail-fast`,
  /// an interruption), and the floor under its verdict.
  case cell
  /// How the build step ended.
  case build
  /// An artifact's SHA-256 and size.
  case sha256
  /// An artifact read whole: a damaged binary is a finding of its own.
  case intact
  /// An archive or package artifact read whole: its members stay inside it, none is a device or a
  /// FIFO, and it reads within the limits (docs/release.md).
  case archive
  /// An artifact's format, architecture, bits, byte order and OS ABI against the target's.
  case arch
  /// An artifact's libc family and interpreter against the target's.
  case libc
  /// The newest glibc symbol version an artifact needs against the ceiling.
  case glibcFloor = "glibc-floor"
  /// The newest musl release whose symbols an artifact imports against the target's (`musl-1.1`).
  case muslFloor = "musl-floor"
  /// The libraries an artifact needs against `allow_needed`.
  case needed
  /// The CPU level an artifact says it needs against the cell's `cpu:`.
  case cpu
  /// A Mach-O artifact's `minos` against `minos_max`, else the target's macOS (`os_version`).
  case minos
  /// A PE artifact's imported DLLs against a clean Windows of the target's release and the
  /// artifact's folder.
  case dlls
  /// The OS release an artifact asks for (a PE header's subsystem and OS versions, the Windows
  /// functions it imports, an ELF's kernel floor) or its Go supports, against the target's
  /// (`os_version`).
  case osVersion = "os-version"
  /// A Mach-O artifact's code signature, every slice's page hashes recomputed: the kernel kills a
  /// broken one at exec, and on Apple silicon an unsigned arm64 one.
  case signature
  /// What dyld requires of a Mach-O before it maps it: `LC_UUID`.
  case dyld
  /// An ELF shared library's stack permission against the target's glibc (2.41 and later refuse to
  /// dlopen one that asks for an executable stack).
  case execStack = "exec-stack"
  /// An ELF artifact's `PT_LOAD` alignment against the largest page size of the target's kernels.
  case pageSize = "page-size"
  /// Whether an artifact would load in the cell's environment, beside what its run showed.
  case loads
  /// Every rebuild's artifact against the first build's.
  case reproducible
  /// An artifact against the same-named one of another cell (`same_as`).
  case sameAs = "same-as"
  /// An artifact's checksum against a baseline `SHA256SUMS`.
  case baseline
  /// How a run step ended against the exit it should end with.
  case exit
  /// A run step's standard output against its rule.
  case stdout
  /// A run step's standard error against its rule.
  case stderr
  /// A run step's standard output against the same step's in a reference cell.
  case reference
  /// A run step's per-test results as a whole: none to read is an error, never a pass.
  case tests
  /// One test of a run step's per-test results.
  case test

  /// What a finding of this kind is about, named as its report's `subject` names it.
  enum SubjectKind { case cell, artifact, runStep, buildStep, test }

  /// What a finding of this kind names as its subject.
  var subjectKind: SubjectKind {
    switch self {
    case .cell: .cell
    case .build: .buildStep
    case .sha256, .archive, .intact, .arch, .libc, .glibcFloor, .muslFloor, .needed, .cpu, .minos, .dlls, .osVersion,
      .signature,
      .dyld,
      .execStack, .pageSize, .loads, .reproducible, .sameAs, .baseline:
      .artifact
    case .exit, .stdout, .stderr, .reference, .tests: .runStep
    case .test: .test
    }
  }
}
