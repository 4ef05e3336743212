/// What a Linux loader of the target's glibc refuses beyond the symbol versions.
///
/// Sources:
/// - Executable stacks: "dlopen and dlmopen no longer make the stack executable if a shared library
///   requires it, either implicitly because of a missing GNU_STACK ELF header (and default ABI
///   permission having the executable bit set) or explicitly because of the PF_X flag. Instead,
///   loading such objects will fail" (glibc 2.41 NEWS); dlopen then says "cannot enable executable
///   stack as shared object requires: Invalid argument" (seen in Archway's debian-13 environment).
///   A library linked at start-up still loads. The default permission is executable on x86, arm,
///   powerpc, s390 and mips, not on aarch64, riscv and loongarch (each `stackinfo.h`).
extension ArtifactVerifier {
  /// The first glibc that refuses to dlopen a library asking for an executable stack.
  static let execStackRefused = DottedVersion("2.41")!

  /// A shared library that asks for an executable stack, on a glibc target that may be 2.41 or
  /// later (`gnu` without a version, `any`, or a ceiling of 2.41 or more).
  static func execStack(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    switch policy.libc {
    case .gnu, .any: break
    default: return []
    }
    guard facts.format == .elf, facts.type == "shared-library", let why = facts.execStackReason,
      (policy.glibcMax ?? execStackRefused) >= execStackRefused
    else { return [] }
    let target = policy.glibcMax.map { "the target's glibc \($0) is one of them" } ?? "a gnu target may run any of them"
    return [
      Violation(
        check: .execStack, expected: "a non-executable stack", found: why,
        message: "asks for an executable stack (\(why)): glibc 2.41 and later refuse to dlopen it (\"cannot enable"
          + " executable stack as shared object requires\"), and \(target). Link it with"
          + " -Wl,-z,noexecstack (and find the object that asks: readelf -lW, or an assembly file without a"
          + " .note.GNU-stack section)")
    ]
  }
}

extension ArtifactVerifier {
  /// A musl binary importing a symbol its target's musl (`musl-1.1`) does not export yet: musl
  /// versions no symbol, so its loader starts the program and stops at the first relocation ("Error
  /// relocating …: symbol not found").
  static func muslFloor(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    guard let ceiling = policy.libc.muslCeiling, facts.libc == .musl, let text = facts.muslFloor,
      let floor = DottedVersion(text), floor > ceiling
    else { return [] }
    let shown = facts.floorSymbols.prefix(5).joined(separator: ", ")
    let more = facts.floorSymbols.count > 5 ? ", and \(facts.floorSymbols.count - 5) more" : ""
    let why =
      floor >= DottedVersion("1.2")! && facts.floorSymbols.contains(where: MuslReleases.time64.contains)
      ? " (musl 1.2 made time_t 64-bit on 32-bit arches)" : ""
    return [
      Violation(
        check: .muslFloor, expected: "at most musl \(ceiling)", found: text,
        message: "imports \(shown)\(more), first exported by musl \(text)\(why), but the target's musl is"
          + " \(ceiling); its loader stops with \"symbol not found\"")
    ]
  }
}

extension BinaryFacts {
  /// Arches whose stack glibc makes executable for an object without `PT_GNU_STACK`.
  static let execStackByDefault: Set<String> = ["amd64", "386", "arm", "ppc64le", "ppc64", "s390x", "mips64le"]

  /// Why the file asks for an executable stack (`PT_GNU_STACK RWE`, or no `PT_GNU_STACK` on an
  /// arch whose default stack is executable); nil when it does not.
  package var execStackReason: String? {
    switch execStack {
    case true: "PT_GNU_STACK RWE"
    case false: nil
    case nil: format == .elf && Self.execStackByDefault.contains(arch ?? "") ? "no PT_GNU_STACK on \(arch!)" : nil
    }
  }
}
