import Foundation

/// Checks an artifact's facts against an ``ArtifactPolicy``: the format the target's OS loads, the
/// architecture (and ARM float ABI), the libc family, the glibc floor and the needed libraries.
///
/// Findings are values: a wrong architecture is a ``Violation``, never a thrown error.
public enum ArtifactVerifier {
  /// Every violation of `policy` by `facts`, in check order; empty when the artifact fits.
  ///
  /// `place` is where the artifact lies, for the files its loader looks for beside it (Windows'
  /// DLLs, dyld's `@loader_path`); by default the folder of `facts.path`.
  package static func check(
    _ facts: BinaryFacts, against policy: ArtifactPolicy, place: ArtifactPlace? = nil
  ) -> [Violation] {
    let place = place ?? ArtifactPlace(artifact: facts.path)
    if let error = facts.error {
      return [
        Violation(
          check: .readable, expected: "a well-formed binary", found: error,
          message: "cannot be read as \(facts.format.rawValue): \(error)")
      ]
    }
    let formats = policy.expectedFormats
    guard formats.contains(facts.format) else {
      let wanted = formats.map(\.displayName).joined(separator: " or ")
      let found = facts.format == .unknown ? "not a binary" : "a \(facts.format.displayName) file"
      return [
        Violation(
          check: .format, expected: wanted, found: facts.format.rawValue,
          message: "is \(found) but \(policy.platform) loads \(wanted)")
      ]
    }
    if let kind = notAProgram[facts.type ?? ""] {
      return [
        Violation(
          check: .format, expected: "a program or a library", found: facts.type ?? "",
          message: "is \(kind), not a program or a library: no loader runs it")
      ]
    }
    // A part the reader could not read is a part no check can vouch for: damage is a finding of
    // its own, and the checks below still name whatever they found in the parts that were read.
    var violations = damage(facts)
    let architecture = architecture(facts, policy)
    guard architecture.isEmpty else { return violations + architecture }
    violations += macPlatform(facts, policy)
    violations += libc(facts, policy)
    violations += glibcFloor(facts, policy)
    violations += muslFloor(facts, policy)
    violations += needed(facts, policy)
    violations += minos(facts, policy)
    // The folder is listed once for both Windows checks, and only for a PE file.
    let beside = facts.format == .pe ? place.dllNames() : []
    violations += windowsDLLs(facts, policy, beside: beside)
    violations += windowsVersion(facts, policy)
    violations += windowsFunctions(facts, policy, beside: beside)
    violations += toolchainFloor(facts, policy)
    violations += kernelFloor(facts, policy)
    violations += cpu(facts, policy)
    violations += signature(facts)
    violations += releaseSignature(facts, policy)
    violations += dyld(facts)
    violations += dylibs(facts, place: place)
    violations += execStack(facts, policy)
    violations += pageSize(facts, policy)
    return violations
  }

  private static func pageSize(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    guard facts.format == .elf, let fits = facts.maxPageSize, fits < policy.pageSize else { return [] }
    let aligned = fits < 4096 ? "not aligned to any page size" : "aligned for pages up to \(PageSize.name(fits))"
    let smaller =
      fits < 4096 ? "" : "; if only kernels with \(PageSize.name(fits)) pages run it, say --page-size \(fits / 1024)k"
    return [
      Violation(
        check: .pageSize, expected: "at least \(policy.pageSize)", found: "\(fits)",
        message: "its PT_LOAD segments are \(aligned), but \(policy.platform) kernels may use"
          + " \(PageSize.name(policy.pageSize)) pages and refuse it: link with -Wl,-z,max-page-size=\(policy.pageSize)"
          + smaller)
    ]
  }

  /// File types that are binaries but nothing a system loads, as their readers name them.
  private static let notAProgram = [
    "relocatable": "a relocatable object file (what a compiler leaves before linking)", "core": "a core dump",
    "dsym": "a dSYM debug-symbol file",
  ]

  private static func cpu(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    guard facts.slices == nil else { return sliceCPU(facts, policy) }
    guard let wanted = policy.cpuCeiling, let rank = wanted.rank, let name = facts.cpuLevel,
      let claimed = CPULevel.known(name), claimed.arch == wanted.arch, let needs = claimed.rank, needs > rank
    else { return [] }
    let sources = [
      facts.x86ISANeeded == name ? "its ISA note" : nil, facts.goBuild?.amd64Level == name ? "GOAMD64" : nil,
      facts.goBuild?.armVariant.map { "arm" + $0 } == name ? "GOARM" : nil,
      facts.arch == "arm" && facts.goBuild?.armVariant == nil ? "its ARM attributes" : nil,
    ].compactMap { $0 }
    let said = sources.isEmpty ? "" : " (\(sources.joined(separator: ", ")))"
    let neon =
      name == "armv7+neon"
      ? ": its ARM attributes say it may use \(facts.armSIMD ?? "NEON"), which Debian armhf's baseline (VFPv3-D16)"
        + " does not promise; build with -mfpu=vfpv3-d16 (zig for musl: -mcpu=generic+v7a+vfp3d16-neon; zig's"
        + " glibc start file says NEON whatever -mcpu asks), or say cpu: armv7+neon (--cpu) if every machine it"
        + " runs on has NEON"
      : ""
    return [
      Violation(
        check: .cpu, expected: "\(wanted.name) or lower", found: name,
        message: "needs CPU level \(name)\(said) but the target's CPU is \(wanted.name)\(neon)")
    ]
  }

  private static func damage(_ facts: BinaryFacts) -> [Violation] {
    guard let damage = facts.damage else { return [] }
    return [
      Violation(
        check: .intact, expected: "a complete, well-formed binary", found: facts.warnings.joined(separator: "; "),
        message: "\(damage); what it needs cannot be known")
    ]
  }

  private static func architecture(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    let target = policy.platform
    if let slices = facts.slices, facts.format == .machoFat {
      let arches = slices.map(\.arch)
      guard arches.contains(target.arch) else {
        return [
          Violation(
            check: .arch, expected: target.arch, found: arches.joined(separator: ","),
            message:
              "has no \(target.arch) slice (slices: \(slices.map(\.cpu).joined(separator: ", "))) but the target is \(target)"
          )
        ]
      }
      return []
    }
    let arch = facts.arch ?? "unknown"
    let detail = [facts.bits.map { "\($0)-bit" }, facts.endian.map { "\($0.rawValue)-endian" }].compactMap { $0 }
    let built = "\(arch)\(facts.variant.map { "/\($0)" } ?? "")"
    guard arch == target.arch else {
      let machine = TargetCatalog.architectures.first { $0.platform.arch == arch && $0.platform.os == target.os }?
        .machineName
      let description = ([machine] + detail.map { Optional($0) }).compactMap { $0 }.joined(separator: ", ")
      return [
        Violation(
          check: .arch, expected: target.arch, found: arch,
          message: "built for \(built) (\(description)) but the target is \(target)")
      ]
    }
    var violations: [Violation] = []
    if let float = policy.armFloatABI, let found = facts.floatABI, float != found {
      violations.append(
        Violation(
          check: .arch, expected: "\(float)-float", found: "\(found)-float",
          message: "uses the \(found)-float ABI but \(target) needs \(float)-float"))
    }
    // With a `cpu:` the CPU check compares the variant with the CPU's level instead of the ABI's.
    if target.arch == "arm", policy.cpu?.armVariant == nil, let wanted = target.variant, let variant = facts.variant,
      variant > wanted
    {
      violations.append(
        Violation(
          check: .arch, expected: "arm/\(wanted) or older", found: "arm/\(variant)",
          message: "needs an ARM \(variant) CPU but the target is \(target)"))
    }
    // Any signal of another OS fails a linux target, whatever `--libc` says: its loader, its libc
    // and its system calls are not Linux's.
    if facts.format == .elf, target.os == "linux", let os = facts.os, os != "linux" {
      violations.append(
        Violation(
          check: .osABI, expected: "linux", found: os,
          message: "is built for \(os), not linux (\(facts.osEvidence ?? "its ELF header"))"))
    }
    return violations
  }

  private static func libc(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    guard facts.format == .elf, facts.linkage != nil else { return [] }
    let loader = facts.interpreter.map { " (interpreter \($0))" } ?? ""
    switch policy.libc {
    case .gnu, .musl:
      let wanted: LibcFamily = policy.libc.isMusl ? .musl : .glibc
      if facts.libc == .unknown, facts.linkage == .dynamic, facts.interpreter != nil || !facts.needed.isEmpty {
        // No evidence is no pass: a dynamic binary that needs a loader or libraries but shows no libc
        // we know may well not load (a self-contained one, needing nothing, loads anywhere).
        let needs = facts.needed.isEmpty ? "needs no library" : "needs \(facts.needed.joined(separator: ", "))"
        return [
          Violation(
            check: .libc, expected: wanted.rawValue, found: "unknown",
            message: "is dynamically linked\(loader) but shows no sign of \(wanted.rawValue) (\(needs));"
              + " the target's libc is \(wanted.rawValue)")
        ]
      }
      guard facts.libc != wanted, [LibcFamily.glibc, .musl, .bionic].contains(facts.libc) else { return [] }
      return [
        Violation(
          check: .libc, expected: wanted.rawValue, found: facts.libc.rawValue,
          message: "links \(facts.libc.rawValue)\(loader) but the target's libc is \(wanted.rawValue)")
      ]
    case .static:
      guard facts.interpreter != nil || !facts.needed.isEmpty else { return [] }
      let needs = facts.needed.isEmpty ? "" : ", needs \(facts.needed.joined(separator: ", "))"
      return [
        Violation(
          check: .libc, expected: "static", found: facts.linkage?.rawValue ?? "dynamic",
          message: "is dynamically linked\(loader)\(needs) but the target requires a static binary")
      ]
    case .system, .any:
      return []
    }
  }

  private static func glibcFloor(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    guard let max = policy.glibcMax, let text = facts.glibcFloor, let floor = DottedVersion(text), floor > max else {
      return []
    }
    var offending: [(version: DottedVersion, name: String)] = []
    for (version, symbols) in facts.versionedSymbols {
      guard let (family, number) = ELFFile.splitVersionName(version), family == "GLIBC", number > max else { continue }
      offending += symbols.filter { !Self.inOlderGlibc(facts, symbol: $0, version: version) }
        .map { (number, "\($0)@\(version)") }
    }
    // Every symbol above the ceiling is one an older glibc has under a newer version: no floor rose.
    if offending.isEmpty, !facts.versionedSymbols.isEmpty { return [] }
    offending.sort { $0.version != $1.version ? $0.version > $1.version : $0.name < $1.name }
    let shown = offending.prefix(5).map(\.name)
    let more = offending.count > shown.count ? ", and \(offending.count - shown.count) more" : ""
    let symbols = shown.isEmpty ? "" : " (\(shown.joined(separator: ", "))\(more))"
    return [
      Violation(
        check: .glibcFloor, expected: "at most \(max)", found: text,
        message: "requires GLIBC_\(text)\(symbols) but the target allows at most \(max)")
    ]
  }

  /// Whether a glibc older than `version` has `symbol` all the same (aarch64's glibc starts at 2.17,
  /// CentOS 7's): on aarch64, `_mcount` is
  /// `GLIBC_2.18` in every glibc, and CentOS 7's 2.17 has it too (auditwheel's manylinux2014 policy
  /// allows GLIBC_2.18 on aarch64 for it; its maintainer, pypa/auditwheel#647: "GLIBC 2.17 on
  /// aarch64 does expose some symbols marked GLIBC_2.18"). The other GLIBC_2.18 symbols of aarch64
  /// (`__cxa_thread_atexit_impl`, `pthread_getattr_default_np`, …) are new in 2.18 and count.
  static func inOlderGlibc(_ facts: BinaryFacts, symbol: String, version: String) -> Bool {
    facts.arch == "arm64" && symbol == "_mcount" && version == "GLIBC_2.18"
  }

  private static func needed(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    guard let allowed = policy.allowedNeeded else { return [] }
    return facts.needed.filter { !policy.allows($0, caseless: facts.format == .pe) }.map { library in
      Violation(
        check: .needed, expected: allowed.joined(separator: ","), found: library,
        message: "needs \(library), which is not among the allowed libraries (\(allowed.joined(separator: ", ")))")
    }
  }
}

extension BinaryFacts {
  /// `is damaged: the first warning (and 2 more)`, or nil for a file that read whole.
  package var damage: String? {
    guard let first = warnings.first else { return nil }
    return "is damaged: \(first)" + (warnings.count > 1 ? " (and \(warnings.count - 1) more)" : "")
  }

  /// The damaged part of the file (a reader warning's subject: `dynamic section`, `contents`…) that
  /// the static check of `kind` depends on, or nil when the check can be trusted. The architecture
  /// comes from the file header, which is never damaged in a file that reads at all, and an ARM
  /// variant from `.ARM.attributes`; every other check reads the tables a cut or corrupt file loses.
  package func damagedPart(for kind: CheckKind) -> String? {
    let parts = warnings.map { String($0.prefix { $0 != ":" }) }
    return kind == .arch ? parts.first { $0 == ".ARM.attributes" } : parts.first
  }
}

extension BinaryFormat {
  /// How people write the format's name.
  package var displayName: String {
    switch self {
    case .elf: "ELF"
    case .macho: "Mach-O"
    case .machoFat: "universal Mach-O"
    case .pe: "PE"
    case .unknown: "unknown"
    }
  }
}

extension ArtifactVerifier {
  /// Verdicts for inspected files. Files found in folders that are not binaries are left out;
  /// a file the user named must be a binary, or an archive holding one. An archive has a verdict
  /// of its own only when something is wrong with it; its binary members (`ARCHIVE!PATH`) have
  /// theirs.
  package static func verify(
    _ inspected: [(InspectTarget, BinaryFacts)], against policy: ArtifactPolicy
  ) -> [ArtifactVerdict] {
    let members = MemberPlaces(inspected)
    return inspected.compactMap { target, facts in
      if facts.archive != nil { return archiveVerdict(target, facts) }
      if facts.format == .unknown, facts.error == nil, !target.named { return nil }
      let place = members.place(of: target, facts)
      return ArtifactVerdict(path: target.path, facts: facts, violations: check(facts, against: policy, place: place))
    }
  }

  /// Where archive members lie, for the DLLs Windows finds beside them: their sibling members, and
  /// for a wheel's extension module (`.pyd`) what CPython for Windows ships beside `python.exe`:
  /// `python3.dll`, `python3X.dll` and the Visual C++ runtime (CPython's `PC/layout/main.py`
  /// lays out `vcruntime*.dll` with the interpreter), loaded before any extension is.
  struct MemberPlaces {
    private var kinds: [String: String] = [:]
    private var dlls: [String: Set<String>] = [:]

    init(_ inspected: [(InspectTarget, BinaryFacts)]) {
      for (target, facts) in inspected {
        if let archive = facts.archive, !target.path.contains("!") { kinds[target.path] = archive.kind }
        guard target.path.contains("!"), target.path.lowercased().hasSuffix(".dll") else { continue }
        let name = (target.path as NSString).lastPathComponent.lowercased()
        dlls[Self.folder(target.path), default: []].insert(name)
      }
    }

    /// `a.zip!bin` for `a.zip!bin/app.exe`, `a.zip!` for `a.zip!app.exe`.
    static func folder(_ path: String) -> String {
      guard let bang = path.lastIndex(of: "!") else { return (path as NSString).deletingLastPathComponent }
      let inner = path[path.index(after: bang)...]
      return String(path[...bang]) + (inner.lastIndex(of: "/").map { String(inner[..<$0]) } ?? "")
    }

    func place(of target: InspectTarget, _ facts: BinaryFacts) -> ArtifactPlace {
      guard target.path.contains("!") else { return ArtifactPlace(artifact: target.path, root: target.root) }
      // A member lies in its archive, not in the folder the archive lies in: only its sibling
      // members are beside it.
      let folder = Self.folder(target.path)
      var place = ArtifactPlace(member: folder, provided: dlls[folder] ?? [])
      let top = String(target.path.prefix { $0 != "!" })
      if kinds[top] == "wheel", target.path.lowercased().hasSuffix(".pyd") {
        place.provided.formUnion(Self.python(wheel: top) + ["vcruntime140.dll", "vcruntime140_1.dll"])
      }
      return place
    }

    /// The DLLs of the Pythons a wheel's name says it is for (`cp312` → `python312.dll`, and the
    /// stable ABI's `python3.dll`).
    static func python(wheel path: String) -> [String] {
      let parts = (path as NSString).lastPathComponent.lowercased().split(separator: "-")
      guard parts.count >= 5 else { return [] }
      let tags = parts[parts.count - 3].split(separator: ".")
      return ["python3.dll"] + tags.compactMap { tag in tag.hasPrefix("cp") ? "python\(tag.dropFirst(2)).dll" : nil }
    }
  }

  /// An archive's own verdict: its problems, and (named itself) holding no binary; nil when nothing
  /// is wrong with it.
  static func archiveVerdict(_ target: InspectTarget, _ facts: BinaryFacts) -> ArtifactVerdict? {
    guard let archive = facts.archive else { return nil }
    var violations = archive.problems.map {
      Violation(check: .archive, expected: "an archive that reads whole and stays inside", found: $0, message: $0)
    }
    if target.named, archive.binaries == 0 {
      let message = "holds no binary among its \(archive.members) members (\(archive.kind))"
      violations.append(Violation(check: .archive, expected: "a binary", found: "none", message: message))
    }
    return violations.isEmpty ? nil : ArtifactVerdict(path: target.path, facts: facts, violations: violations)
  }

  /// Why a verify that found no binary among `inspected` (files found in `paths`' folders) is no
  /// pass: a release folder of archives, packages and checksums holds nothing this verify reads, and
  /// "0 of 0 fit" would pass it whatever the archives hold. Names up to five skipped files.
  package static func nothingVerified(_ inspected: [(InspectTarget, BinaryFacts)], paths: [String]) -> String {
    let skipped = inspected.map { ($0.0.path as NSString).lastPathComponent }
    let shown = skipped.prefix(5).joined(separator: ", ")
    let more = skipped.count > 5 ? ", and \(skipped.count - 5) more" : ""
    let files =
      skipped.isEmpty
      ? "no file at all"
      : "\(skipped.count) file\(skipped.count == 1 ? "" : "s"), none of them ELF, Mach-O or PE: \(shown)\(more)"
    return "found no binary to verify in \(paths.joined(separator: ", ")) (\(files)); tar, zip, wheel and .deb"
      + " archives were read inside"
  }
}

extension ArtifactPolicy {
  /// `linux/arm64 (libc gnu, glibc ≤ 2.31)` for summaries.
  package var summary: String {
    var parts: [String] = []
    if libc != .any { parts.append("libc \(libc)") }
    if let glibcMax { parts.append("glibc ≤ \(glibcMax)") }
    if let cpu { parts.append("cpu \(cpu.name)") }
    if let osVersion {
      parts.append(
        osVersion.displayName.replacingOccurrences(of: " (", with: ", ").replacingOccurrences(of: ")", with: ""))
    }
    if let allowedNeeded { parts.append("needing only \(allowedNeeded.joined(separator: ", "))") }
    return parts.isEmpty ? platform.description : "\(platform) (\(parts.joined(separator: "; ")))"
  }
}
