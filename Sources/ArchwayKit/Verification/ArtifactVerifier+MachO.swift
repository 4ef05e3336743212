/// What a Mac checks before it runs a Mach-O file, slice by slice (a universal file's every slice
/// runs on some Mac): the platform and ABI, the code signature, and what dyld requires.
///
/// Sources, for what only a Mac decides:
/// - Unsigned arm64 code: "New in macOS 11 on Macs with Apple silicon, … the operating system
///   enforces that any executable must be signed before it's allowed to run … a simple ad-hoc
///   signature … is sufficient" (Apple, macOS Big Sur 11.0.1 release notes, Code Signing).
/// - Pages that do not match their hash: the kernel validates each page against the CodeDirectory
///   as it maps it and kills the process on a mismatch (xnu `cs_invalid_page`; "Code Signature
///   Invalid", SIGKILL); Apple's TN3126 "Inside Code Signing: Hashes" says what is hashed.
/// - arm64e: "exec_mach_imgact: not running binary … built against preview arm64e ABI" (the kernel's
///   log for a third-party arm64e program, dotnet/runtime#109457); only Apple's own code may use the
///   ABI unless the Mac boots with `-arm64e_preview_abi` (Apple, "Preparing your app to work with
///   pointer authentication").
/// - `LC_UUID`: dyld of macOS 26 refuses a program without one ("dyld: missing LC_UUID load
///   command", golang/go#75725, bazel-contrib/rules_go#4499), and macOS 15 denies it the local network
///   (golang/go#68678); Go's linker writes one from Go 1.24 on (Go 1.24 release notes, cmd/link).
/// - Dylib paths: dyld loads a dependency from the path its load command names, after replacing
///   `@executable_path`, `@loader_path` and `@rpath` (each `LC_RPATH` in turn), and stops the
///   process with "Library not loaded" when none is there (dyld(1), "DYNAMIC LIBRARY LOADING"). A
///   clean Mac has `/usr/lib` and `/System/Library` (in the dyld shared cache); Homebrew's
///   `/opt/homebrew` and `/usr/local`, and the builder's `/Users/…`, are not there.
/// - Rosetta: "Rosetta translates all x86_64 instructions, but it doesn't support the execution of
///   some newer instruction sets and processor features, such as AVX, AVX2, and AVX512" (Apple,
///   "About the Rosetta translation environment"); macOS 15's Rosetta is reported to add AVX2, not
///   the rest of x86-64-v3. Every Intel Mac that runs macOS 13 or later has AVX2 (Kaby Lake or
///   newer, and the 2019 Mac Pro).
extension ArtifactVerifier {
  /// The file types a Mac loads and runs code from (not objects, dSYMs or stubs).
  private static let loadedTypes: Set<String> = ["executable", "pie", "shared-library", "bundle", "dylinker"]

  /// `the arm64 slice` of a universal file, or nothing for a thin one (the message then begins
  /// with the verb, after the file's name).
  private static func naming(_ slice: MachOSlice, in facts: BinaryFacts) -> String {
    facts.format == .machoFat ? "its \(slice.cpu) slice " : ""
  }

  /// Each slice built for another Apple platform, or for the arm64e ABI unless the policy allows it.
  static func macPlatform(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    (facts.slices ?? []).flatMap { slice -> [Violation] in
      var found: [Violation] = []
      if let platform = slice.platform, platform != "macos" {
        found.append(
          Violation(
            check: .platform, expected: "macos", found: platform,
            message: "\(naming(slice, in: facts))is built for \(platform), not macOS; a Mac refuses to run it"))
      }
      if slice.cpu == "arm64e", !policy.allowArm64e {
        found.append(
          Violation(
            check: .platform, expected: "arm64", found: "arm64e",
            message: "\(naming(slice, in: facts))is arm64e: macOS runs only Apple's own arm64e code and kills any"
              + " other at exec (\"built against preview arm64e ABI\"); build it for arm64, or allow it"
              + " (allow_arm64e: true) if its Macs boot with -arm64e_preview_abi"))
      }
      return found
    }
  }

  /// Each slice whose signature the kernel refuses: missing on arm64, or not matching the bytes.
  static func signature(_ facts: BinaryFacts) -> [Violation] {
    (facts.slices ?? []).compactMap { slice -> Violation? in
      guard loadedTypes.contains(slice.type), let signature = slice.signature else { return nil }
      let name = naming(slice, in: facts)
      if let problem = signature.problem {
        return Violation(
          check: .signature, expected: "a code signature that matches the file", found: problem,
          message: "\(name)has a broken code signature: \(problem); macOS kills it at exec (SIGKILL, Code Signature"
            + " Invalid). Sign it again after the last change to the file: codesign --force --sign - FILE (ad hoc)"
            + " or with your identity")
      }
      guard signature.kind == .unsigned, slice.arch == "arm64" else { return nil }
      return Violation(
        check: .signature, expected: "signed (ad hoc at least)", found: "unsigned",
        message: "\(name)is arm64 code without a signature: macOS on Apple silicon kills it at exec (Killed: 9)."
          + " Link with a linker that signs (ld64, lld, zig and Go sign ad hoc) or run codesign --sign - FILE")
    }
  }

  /// With `signed: true`, what a release for download needs beyond what the loader demands: an
  /// Authenticode signature on a PE (Windows SmartScreen and Smart App Control warn of or block an
  /// unsigned download; Microsoft, "Smart App Control"), a certificate's signature on every loaded
  /// Mach-O slice (Gatekeeper refuses a downloaded program signed ad hoc; Apple, "Notarizing macOS
  /// software before distribution"). The certificate itself is not judged.
  static func releaseSignature(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    guard policy.signed else { return [] }
    if facts.format == .pe, facts.authenticode != true {
      return [
        Violation(
          check: .signature, expected: "an Authenticode signature", found: "none",
          message: "has no Authenticode signature, and the release must be signed (signed: true): sign it"
            + " (signtool sign, osslsigncode sign) after the last change to the file")
      ]
    }
    return (facts.slices ?? []).compactMap { slice -> Violation? in
      guard loadedTypes.contains(slice.type), let kind = slice.signature?.kind, kind != .certificate else { return nil }
      return Violation(
        check: .signature, expected: "signed with a certificate", found: kind.rawValue,
        message: "\(naming(slice, in: facts))is \(kind == .unsigned ? "unsigned" : "signed ad hoc (\(kind.rawValue))"),"
          + " and the release must be signed (signed: true): Gatekeeper refuses a downloaded program without a"
          + " Developer ID signature; codesign --sign \"Developer ID Application: …\" --options runtime, then notarize")
    }
  }

  /// Each slice without `LC_UUID`.
  static func dyld(_ facts: BinaryFacts) -> [Violation] {
    (facts.slices ?? []).compactMap { slice -> Violation? in
      guard loadedTypes.contains(slice.type), slice.uuid == nil else { return nil }
      let go = slice.goBuild.map { " (the linker of \($0.version) writes none; Go 1.24 and later write one)" } ?? ""
      return Violation(
        check: .uuid, expected: "LC_UUID", found: "none",
        message: "\(naming(slice, in: facts))has no LC_UUID\(go): dyld of macOS 26 refuses to load it, and macOS 15"
          + " denies it the local network")
    }
  }

  /// Where a clean Mac has libraries: the system's own, in the dyld shared cache.
  private static let systemPrefixes = ["/usr/lib/", "/System/Library/"]

  /// Each dependency of a slice dyld would not find on a clean Mac: an absolute path outside the
  /// system's folders, or an `@`-relative one that resolves to no file in the artifact's `place`.
  /// Weak dependencies are left out: dyld starts the program without them.
  static func dylibs(_ facts: BinaryFacts, place: ArtifactPlace) -> [Violation] {
    (facts.slices ?? []).flatMap { slice -> [Violation] in
      guard loadedTypes.contains(slice.type) else { return [] }
      return slice.dylibs.filter { !found($0, rpaths: slice.rpaths, place: place) }.map { path in
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let rpaths = slice.rpaths.isEmpty ? "none" : slice.rpaths.joined(separator: ", ")
        let (why, fix) =
          path.hasPrefix("@")
          ? (
            "which no file in its folder answers (LC_RPATH: \(rpaths))",
            "ship \(name) with it, where that path points"
          )
          : (
            "which a clean Mac does not have",
            "ship \(name) with it and refer to it as @rpath/\(name) with an LC_RPATH of @loader_path"
              + " (install_name_tool -change, -add_rpath), or link it statically"
          )
        return Violation(
          check: .dylib, expected: "a system library or one shipped beside it", found: path,
          message: "\(naming(slice, in: facts))needs \(path), \(why): dyld stops it with \"Library not loaded\"; \(fix)"
        )
      }
    }
  }

  /// Whether dyld finds `path` on a clean Mac: a system library, or a file in `place` after the
  /// `@loader_path`, `@executable_path` and `@rpath` substitutions (the executable's folder is taken
  /// to be the artifact's).
  private static func found(_ path: String, rpaths: [String], place: ArtifactPlace) -> Bool {
    func resolved(_ path: String) -> String? {
      for prefix in ["@loader_path", "@executable_path"] where path.hasPrefix(prefix) {
        return place.folder + path.dropFirst(prefix.count)
      }
      return path.hasPrefix("@") ? nil : path
    }
    if systemPrefixes.contains(where: path.hasPrefix) { return true }
    if path.hasPrefix("@rpath/") {
      let rest = path.dropFirst("@rpath".count)
      return rpaths.contains { rpath in
        guard let base = resolved(rpath) else { return false }
        let candidate = base + rest
        return systemPrefixes.contains(where: candidate.hasPrefix) || (rpath.hasPrefix("@") && place.holds(candidate))
      }
    }
    guard path.hasPrefix("@"), let file = resolved(path) else { return false }
    return place.holds(file)
  }

  /// The CPU level an amd64 slice must keep to when `--cpu` says none: x86-64-v2 when Rosetta runs
  /// it on Apple silicon (the file has no arm64 slice), else x86-64-v3 (an Intel Mac's).
  private static func macCPU(for facts: BinaryFacts) -> CPULevel? {
    let rosetta = !(facts.slices ?? []).contains { $0.arch == "arm64" }
    return CPULevel.known(rosetta ? "x86-64-v2" : "x86-64-v3")
  }

  /// Each slice of the target's arch whose CPU level (Go's `GOAMD64` or `GOARM64`, an `x86_64h`
  /// slice's Haswell) is above `--cpu`, or for amd64 slices on a darwin target above ``macCPU(for:)``.
  static func sliceCPU(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    (facts.slices ?? []).compactMap { slice -> Violation? in
      let wanted = policy.cpu ?? (policy.platform.os == "darwin" && slice.arch == "amd64" ? macCPU(for: facts) : nil)
      guard let wanted, wanted.arch == slice.arch, let rank = wanted.rank, let name = slice.cpuLevel,
        let needs = CPULevel.known(name)?.rank, needs > rank
      else { return nil }
      let said = slice.cpu == "x86_64h" ? "an x86_64h slice" : "GOAMD64 or GOARM64"
      var why = ""
      if policy.cpu == nil {
        why =
          wanted.name == "x86-64-v2"
          ? ": Rosetta 2, which runs amd64 code on Apple silicon, has no AVX or AVX2. Build it for x86-64-v2, ship"
            + " an arm64 slice beside it, or say --cpu \(name) if only Intel Macs run it"
          : ": the Intel Macs that run macOS 13 and later have AVX2, not AVX-512"
      }
      return Violation(
        check: .cpu, expected: "\(wanted.name) or lower", found: name,
        message: "\(naming(slice, in: facts))needs CPU level \(name) (\(said)) but the target's CPU is \(wanted.name)"
          + why)
    }
  }
}

extension MachOSlice {
  /// The lowest CPU the slice says it needs, in `cpu:` names: Go's `GOAMD64` (and Haswell, x86-64-v3,
  /// for an `x86_64h` slice) on amd64, Go's `GOARM64` on arm64.
  var cpuLevel: String? {
    switch arch {
    case "amd64":
      let claims = [goBuild?.amd64Level, cpu == "x86_64h" ? "x86-64-v3" : nil].compactMap { $0.flatMap(CPULevel.known) }
      return claims.max { ($0.rank ?? 0) < ($1.rank ?? 0) }?.name
    case "arm64": return goBuild?.arm64Level
    default: return nil
    }
  }
}
