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
extension ArtifactVerifier {
  /// The file types a Mac loads and runs code from (not objects, dSYMs or stubs).
  private static let loadedTypes: Set<String> = ["executable", "pie", "shared-library", "bundle", "dylinker"]

  /// `the arm64 slice` of a universal file, or nothing for a thin one (the message then begins
  /// with the verb, after the file's name).
  private static func naming(_ slice: MachOSlice, in facts: BinaryFacts) -> String {
    facts.format == .machoFat ? "its \(slice.cpu) slice " : ""
  }

  /// Each slice built for another Apple platform, or for the arm64e ABI.
  static func macPlatform(_ facts: BinaryFacts) -> [Violation] {
    (facts.slices ?? []).flatMap { slice -> [Violation] in
      var found: [Violation] = []
      if let platform = slice.platform, platform != "macos" {
        found.append(
          Violation(
            check: .platform, expected: "macos", found: platform,
            message: "\(naming(slice, in: facts))is built for \(platform), not macOS; a Mac refuses to run it"))
      }
      if slice.cpu == "arm64e" {
        found.append(
          Violation(
            check: .platform, expected: "arm64", found: "arm64e",
            message: "\(naming(slice, in: facts))is arm64e: macOS runs only Apple's own arm64e code and kills any"
              + " other at exec (\"built against preview arm64e ABI\"); build it for arm64"))
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
}
