import Foundation

extension ArtifactVerifier {
  /// What `verify --by-name` holds every artifact to beside the target its name promises: the
  /// command line's other options, each used where the promise says nothing of it.
  package struct Options: Sendable {
    package var libc = "any"
    package var glibcMax: String?
    package var allowNeeded: String?
    package var cpu: String?
    package var pageSize: String?
    package var osVersion: String?
    package var signed = false
    package var allowArm64e = false

    package init() {}
  }

  /// A file whose name promises nothing `verify` can check: why.
  package struct Unchecked: Sendable, Hashable {
    package let path: String
    package let reason: String
  }

  /// Verdicts for inspected files, each binary held to the target a release manifest beside it
  /// lists (``ReleaseManifests``), else its name promises (``ReleaseNames``): an archive's members
  /// to the archive's (a `.deb`'s to its `Architecture:`), else to their own. A manifest that
  /// lists a file not there fails; a binary or archive beside a manifest that it does not list is
  /// named. Binaries whose names promise nothing, or a target
  /// `verify` does not check, are returned as unchecked, never as passes.
  package static func verifyByName(
    _ inspected: [(InspectTarget, BinaryFacts)], options: Options
  ) -> (verdicts: [ArtifactVerdict], unchecked: [Unchecked]) {
    var verdicts: [ArtifactVerdict] = []
    var unchecked: [Unchecked] = []
    var archivePromises: [String: NamePromise?] = [:]
    let members = MemberPlaces(inspected)
    let manifests = ReleaseManifests.read(inspected.map(\.0.path).filter { !$0.contains("!") })
    for (target, facts) in inspected {
      let name = (target.path as NSString).lastPathComponent
      let folder = (target.path as NSString).deletingLastPathComponent
      if let problems = manifests.problems[target.path] {
        let violations = problems.map { Violation(check: .checksum, expected: "a listed file", found: $0, message: $0) }
        verdicts.append(ArtifactVerdict(path: target.path, facts: facts, violations: violations))
      }
      if !target.path.contains("!"), facts.format != .unknown || facts.archive != nil,
        let manifest = manifests.folders[folder], manifests.promises[target.path] == nil
      {
        unchecked.append(Unchecked(path: target.path, reason: "is listed in no manifest beside it (\(manifest))"))
      }
      if facts.archive != nil, !target.path.contains("!") {
        let fields = facts.archive?.metadata ?? [:]
        let architecture = fields["Architecture"].flatMap { $0 == "all" ? nil : $0 }
        let rpm = fields["Arch"].flatMap { ReleaseNames.rpm($0, source: "the RPM's Arch: \($0)") }
        // Typed, so `??` does not wrap a missing manifest entry into a present nil.
        let promise: NamePromise? =
          manifests.promises[target.path] ?? rpm ?? ReleaseNames.promise(of: name, debianArchitecture: architecture)
        archivePromises[target.path] = promise
      }
      if facts.archive != nil {
        if let verdict = archiveVerdict(target, facts) { verdicts.append(verdict) }
        continue
      }
      if facts.format == .unknown, facts.error == nil, !target.named { continue }
      let top = String(target.path.prefix { $0 != "!" })
      let inherited = top == target.path ? nil : archivePromises[top] ?? nil
      guard let promise = inherited ?? manifests.promises[target.path] ?? ReleaseNames.promise(of: name) else {
        let reason =
          top == target.path
          ? "its name promises no target: not checked"
          : "neither its archive's name nor its own promises a target: not checked"
        unchecked.append(Unchecked(path: target.path, reason: reason))
        continue
      }
      let policy: ArtifactPolicy
      do {
        policy = try ArtifactPolicy(
          target: promise.target, libc: promise.libc ?? options.libc,
          glibcMax: stricter(promise.libc, options.glibcMax), allowNeeded: options.allowNeeded,
          cpu: promise.cpu ?? options.cpu, pageSize: options.pageSize,
          osVersion: promise.osVersion ?? options.osVersion,
          signed: options.signed, allowArm64e: options.allowArm64e)
      } catch {
        unchecked.append(
          Unchecked(
            path: target.path, reason: "\(promise.source) promises \(promise.target), which verify does not check"))
        continue
      }
      let violations = check(facts, against: policy, place: members.place(of: target, facts))
      var verdict = ArtifactVerdict(path: target.path, facts: facts, violations: violations)
      verdict.promise = promise
      verdicts.append(verdict)
    }
    return (verdicts, unchecked)
  }

  /// The older of a promise's glibc ceiling (`gnu-2.28`) and `--glibc-max`: a name's promise never
  /// loosens what the command line asks.
  static func stricter(_ libc: String?, _ glibcMax: String?) -> String? {
    let promised = libc.flatMap { $0.hasPrefix("gnu-") ? DottedVersion(String($0.dropFirst(4))) : nil }
    let asked = glibcMax.flatMap { DottedVersion($0) }
    guard let promised, let asked else { return glibcMax }
    return asked < promised ? glibcMax : promised.description
  }
}
