import Foundation

/// What a clean Windows of the target's release checks before it runs a PE file: that every DLL the
/// file imports is part of Windows or sits in the program's folder, and that the subsystem and OS
/// versions its header asks for and the functions it imports are at most the release's.
///
/// Sources, for what only Windows decides:
/// - The loader looks for an imported DLL in the application's folder first, then in the system
///   folders (Microsoft, "Dynamic-link library search order", standard search order for unpackaged
///   apps); a DLL found in neither stops the process before `main` with STATUS_DLL_NOT_FOUND
///   (0xC0000135), which wine reports as exit 53.
/// - The header's subsystem version is the oldest Windows the image runs on ("The optional
///   attributes major and minor specify the minimum required version of the subsystem", Microsoft,
///   "/SUBSYSTEM (Specify Subsystem)"); a newer one is "not a valid Win32 application".
/// - Which DLLs a clean Windows has: ``WindowsDLLs``.
extension ArtifactVerifier {
  /// Each imported DLL a clean Windows of the target's release lacks that is not in the file's folder
  /// (`beside`: the DLL names there, lowercased) nor allowed by `allow_needed`. The Universal CRT's
  /// API sets count as one. Delay-loaded DLLs are left out: they fail only when one of their
  /// functions is called.
  static func windowsDLLs(_ facts: BinaryFacts, _ policy: ArtifactPolicy, beside: Set<String>) -> [Violation] {
    guard facts.format == .pe, let release = policy.osRelease else { return [] }
    var violations: [Violation] = []
    var universalCRT: [String] = []
    for dll in facts.dlls ?? [] where !beside.contains(dll.lowercased()) && !policy.allows(dll, caseless: true) {
      switch WindowsDLLs.availability(of: dll, on: release) {
      case .present:
        continue
      case .from where WindowsDLLs.isUniversalCRT(dll):
        universalCRT.append(dll)
      case .from(let first):
        violations.append(
          Violation(
            check: .dll, expected: "a DLL of \(release.displayName)", found: dll,
            message: "needs \(dll), which Windows has from \(first) on, but the target is \(release.displayName);"
              + " the program does not start there (STATUS_DLL_NOT_FOUND)"))
      case .absent(let why):
        let reason = why.isEmpty ? "which is neither part of a clean Windows nor beside it in its folder" : why
        let fix =
          why.isEmpty ? ": ship it in the artifact's folder, or allow it (allow_needed) if the machines have it" : ""
        violations.append(
          Violation(
            check: .dll, expected: "a DLL of Windows or one beside the program", found: dll,
            message: "needs \(dll), \(reason)\(fix)"))
      }
    }
    if let first = universalCRT.first {
      let more = universalCRT.count > 1 ? " and \(universalCRT.count - 1) more of its API sets" : ""
      violations.insert(
        Violation(
          check: .dll, expected: "a DLL of \(release.displayName)", found: universalCRT.joined(separator: ","),
          message: "needs the Universal CRT (\(first)\(more)), part of Windows from 10 on, but the target is"
            + " \(release.displayName): install update KB2999226 there, ship the UCRT DLLs beside the program,"
            + " or link against msvcrt.dll"),
        at: 0)
    }
    return violations
  }

  /// Each function the file imports that the target's release does not export yet
  /// (``WindowsFunctions``), newest first, in one violation: the loader stops the program before
  /// `main`. Functions of a DLL that is not Windows' own and sits in the artifact's folder come from
  /// that copy and are not checked; a Windows DLL beside it (a copy of kernel32.dll) is not the one
  /// loaded: the Known DLLs come from System32 ("Dynamic-link library search order").
  static func windowsFunctions(_ facts: BinaryFacts, _ policy: ArtifactPolicy, beside: Set<String>) -> [Violation] {
    guard facts.format == .pe, let release = policy.osRelease, let imports = facts.imports else { return [] }
    var newer: [(function: String, dll: String, first: DottedVersion)] = []
    for (dll, functions) in imports {
      if beside.contains(dll.lowercased()), case .absent = WindowsDLLs.availability(of: dll, on: release) { continue }
      for function in functions {
        guard let first = WindowsFunctions.firstRelease(of: function, in: dll), release.version < first else {
          continue
        }
        newer.append((function, dll, first))
      }
    }
    guard !newer.isEmpty else { return [] }
    newer.sort { ($1.first, $0.function, $0.dll) < ($0.first, $1.function, $1.dll) }
    let shown = newer.prefix(5).map { "\($0.function) (\($0.dll), from \(OSVersion.windows($0.first).displayName))" }
    let more = newer.count > shown.count ? ", and \(newer.count - shown.count) more" : ""
    let what =
      newer.count == 1
      ? "imports \(newer[0].function) from \(newer[0].dll), which Windows exports from"
        + " \(OSVersion.windows(newer[0].first).displayName) on,"
      : "imports \(newer.count) functions newer than the target: \(shown.joined(separator: ", "))\(more);"
    return [
      Violation(
        check: .osVersion, expected: "the functions of \(release.displayName)",
        found: newer.map(\.function).joined(separator: ","),
        message: "\(what) but the target is \(release.displayName), whose loader refuses to start it (\"The"
          + " procedure entry point … could not be located\"): look it up at run time (GetProcAddress) with a"
          + " fallback, or target a newer Windows (--os-version)")
    ]
  }

  /// The header's subsystem and OS versions against the target's release: Windows refuses an image
  /// that asks for a newer one.
  static func windowsVersion(_ facts: BinaryFacts, _ policy: ArtifactPolicy) -> [Violation] {
    guard facts.format == .pe, let release = policy.osRelease else { return [] }
    let running = DottedVersion("\(release.version.components[0]).\(release.version.components[1])")!
    let fields = [("subsystem version", facts.subsystemVersion), ("OS version", facts.peOSVersion)]
    return fields.compactMap { field, text -> Violation? in
      guard let text, let asked = DottedVersion(text), asked > running else { return nil }
      return Violation(
        check: .osVersion, expected: "at most \(running)", found: text,
        message: "its header asks for \(field) \(text), newer than \(release.displayName), which refuses"
          + " to start it (\"not a valid Win32 application\"); link with a lower one (/SUBSYSTEM:CONSOLE,6.01,"
          + " --major-subsystem-version) or target a newer Windows (--os-version)")
    }
  }
}

extension ArtifactPolicy {
  /// Whether `allow_needed` names `library` (shell patterns; `caseless` for DLL names).
  func allows(_ library: String, caseless: Bool) -> Bool {
    guard let allowedNeeded else { return false }
    return allowedNeeded.contains { pattern in
      caseless ? fnmatch(pattern.lowercased(), library.lowercased(), 0) == 0 : fnmatch(pattern, library, 0) == 0
    }
  }
}
