import Foundation

/// What a package says of itself against what its binaries need: a `.deb`'s `Depends:` on libc6
/// against its binaries' glibc floor, and a wheel's manylinux or musllinux tag against its
/// libraries' floor and the libraries the tag's policy lets them need (auditwheel's policy files,
/// `src/auditwheel/policy/*-policy.json`, are the reference). Each finding names the package, the
/// member and both sides.
package enum PackageChecks {
  /// The libraries a manylinux wheel may need from the system (auditwheel's `lib_whitelist` of
  /// manylinux_2_12 and later; manylinux_2_5's lacks `libexpat.so.1`).
  static let manylinuxLibraries: Set<String> = [
    "libatomic.so.1", "libgcc_s.so.1", "libstdc++.so.6", "libm.so.6", "libanl.so.1", "libdl.so.2", "librt.so.1",
    "libc.so.6", "libnsl.so.1", "libutil.so.1", "libpthread.so.0", "libX11.so.6", "libXext.so.6", "libXrender.so.1",
    "libICE.so.6", "libSM.so.6", "libGL.so.1", "libgobject-2.0.so.0", "libgthread-2.0.so.0", "libglib-2.0.so.0",
    "libresolv.so.2", "libexpat.so.1", "libz.so.1",
  ]
  /// musllinux's (`libc.so`, musl's libc as Alpine names it, and zlib).
  static let musllinuxLibraries: Set<String> = ["libc.so", "libz.so.1"]

  /// Verdicts for the packages among `inspected` whose metadata their binaries break. With
  /// `tagFloors`, a wheel's glibc floor is checked against its tag here (`--by-name` checks it as
  /// the wheel's target instead).
  package static func verify(_ inspected: [(InspectTarget, BinaryFacts)], tagFloors: Bool) -> [ArtifactVerdict] {
    var verdicts: [ArtifactVerdict] = []
    var index = 0
    while index < inspected.count {
      let (target, facts) = inspected[index]
      index += 1
      guard let archive = facts.archive, !target.path.contains("!") else { continue }
      var members: [BinaryFacts] = []
      while index < inspected.count, inspected[index].0.path.hasPrefix(target.path + "!") {
        members.append(inspected[index].1)
        index += 1
      }
      let name = (target.path as NSString).lastPathComponent
      var violations: [Violation] = []
      if archive.kind == "deb", let fields = archive.metadata {
        violations += debianDepends(fields, members: members, package: target.path)
      }
      if archive.kind == "rpm", let fields = archive.metadata {
        violations += rpmRequires(fields, members: members, package: target.path)
      }
      if archive.kind == "wheel", let promise = ReleaseNames.wheel(name.lowercased()) {
        violations += wheel(promise, members: members, package: target.path, floors: tagFloors)
      }
      if !violations.isEmpty {
        verdicts.append(ArtifactVerdict(path: target.path, facts: facts, violations: violations))
      }
    }
    return verdicts
  }

  private static func member(_ facts: BinaryFacts, of package: String) -> String {
    String(facts.path.dropFirst(package.count + 1))
  }

  /// A `.deb`'s binaries that need a newer glibc than its `Depends:` (or `Pre-Depends:`) on libc6
  /// promises, or that link glibc when neither names libc6 at all.
  static func debianDepends(_ fields: [String: String], members: [BinaryFacts], package: String) -> [Violation] {
    let glibc = members.filter { $0.format == .elf && $0.libc == .glibc }
    guard let newest = glibc.max(by: { floor($0) < floor($1) }), let needs = newest.glibcFloor else { return [] }
    let relations = [fields["Pre-Depends"], fields["Depends"]].compactMap { $0 }.joined(separator: ",")
    let libc = relations.split(separator: ",").flatMap { $0.split(separator: "|") }
      .map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0 == "libc6" || $0.hasPrefix("libc6 ") }
    let stated = libc.compactMap { relation -> DottedVersion? in
      guard let match = relation.firstMatch(of: /\((>=|>>|=)\s*([0-9.]+)/) else { return nil }
      return DottedVersion(String(match.2))
    }.max()
    let who = "\(member(newest, of: package)) needs GLIBC_\(needs)"
    guard let stated else {
      let said = libc.isEmpty ? "its Depends: names no libc6" : "its Depends: on libc6 names no version (\(libc[0]))"
      return [
        Violation(
          check: .package, expected: "libc6 (>= \(needs))", found: libc.first ?? "none",
          message: "\(who), but \(said): apt installs it where glibc is older")
      ]
    }
    guard let floor = DottedVersion(needs), floor > stated else { return [] }
    return [
      Violation(
        check: .package, expected: "libc6 (>= \(needs))", found: "libc6 (>= \(stated))",
        message: "\(who), but its Depends: says libc6 (>= \(stated)): apt installs it where it cannot run")
    ]
  }

  /// An `.rpm`'s binaries against its `Requires:`: every library a binary needs that the package
  /// does not carry or provide must be required (`libfoo.so.1()(64bit)`, as rpm's elfdeps writes
  /// it), and glibc at its floor (`libc.so.6(GLIBC_2.34)(64bit)`).
  static func rpmRequires(_ fields: [String: String], members: [BinaryFacts], package: String) -> [Violation] {
    let requires = (fields["Requires"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let provides = Set((fields["Provides"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    let carried = Set(members.map { ($0.path as NSString).lastPathComponent })
    func required(_ soname: String) -> Bool {
      requires.contains { $0 == soname || $0.hasPrefix(soname + "(") } || carried.contains(soname)
        || provides.contains { $0 == soname || $0.hasPrefix(soname + "(") }
    }
    var violations: [Violation] = []
    for binary in members where binary.format == .elf {
      let name = member(binary, of: package)
      for needed in binary.needed where !required(needed) && !needed.hasPrefix("ld-linux") {
        violations.append(
          Violation(
            check: .package, expected: "Requires: \(needed)", found: "none",
            message: "\(name) needs \(needed), which its Requires: do not name: dnf installs it where \(needed) may be"
              + " missing"))
      }
      guard binary.libc == .glibc, let needs = binary.glibcFloor else { continue }
      let versions = requires.compactMap { relation -> DottedVersion? in
        guard relation.hasPrefix("libc.so.6(GLIBC_"), let end = relation.dropFirst(16).firstIndex(of: ")") else {
          return nil
        }
        return DottedVersion(String(relation.dropFirst(16)[..<end]))
      }
      if let floor = DottedVersion(needs), !versions.contains(where: { $0 >= floor }) {
        let stated = versions.max().map { "only up to GLIBC_\($0)" } ?? "no GLIBC version"
        violations.append(
          Violation(
            check: .package, expected: "libc.so.6(GLIBC_\(needs))", found: stated,
            message:
              "\(name) needs GLIBC_\(needs), but its Requires: name \(stated): dnf installs it where it cannot run"))
      }
    }
    return violations
  }

  /// A wheel's libraries against its tag: a floor above it, a library the tag's policy does not
  /// allow that the wheel does not carry (auditwheel vendors what it repairs into `NAME.libs/`).
  static func wheel(_ promise: NamePromise, members: [BinaryFacts], package: String, floors: Bool) -> [Violation] {
    guard let libc = promise.libc, libc.hasPrefix("gnu-") || libc.hasPrefix("musl-") else { return [] }
    let musl = libc.hasPrefix("musl")
    let carried = Set(members.map { ($0.path as NSString).lastPathComponent })
    let tag = String(promise.source.dropFirst("the wheel tag ".count))
    var violations: [Violation] = []
    for library in members where library.format == .elf {
      let name = member(library, of: package)
      for needed in library.needed where !carried.contains(needed) {
        let allowed =
          musl
          ? musllinuxLibraries.contains(needed) || needed.hasPrefix("libc.musl-") || needed.hasPrefix("ld-musl-")
          : manylinuxLibraries.contains(needed) || needed.hasPrefix("ld-linux") || needed.hasPrefix("ld64.so")
        if !allowed {
          violations.append(
            Violation(
              check: .package, expected: "a library \(tag)'s policy allows", found: needed,
              message: "\(name) needs \(needed), which \(tag)'s policy (auditwheel's) does not allow and the wheel"
                + " does not carry: pip installs it where \(needed) may be missing"))
        }
      }
      let ceiling = String(libc.drop { $0 != "-" }.dropFirst())
      if floors, !musl, let needs = library.glibcFloor, let floor = DottedVersion(needs),
        let most = DottedVersion(ceiling), floor > most
      {
        violations.append(
          Violation(
            check: .package, expected: "GLIBC_\(ceiling) or older", found: "GLIBC_\(needs)",
            message: "\(name) needs GLIBC_\(needs), but the wheel tag \(tag) promises glibc \(ceiling)"))
      }
    }
    return violations
  }

  private static func floor(_ facts: BinaryFacts) -> DottedVersion {
    facts.glibcFloor.flatMap(DottedVersion.init) ?? DottedVersion("0")!
  }
}
