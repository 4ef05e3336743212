/// An artifact that is a member of an archive the build made (`artifacts: {app:
/// "${cell.out}/dist/app_linux_arm64.tar.gz!app"}`): what the cell runs and verifies is that
/// member, byte for byte what is uploaded, unpacked by Archway alone into the cell's
/// `.archway/members/NAME/` (``extracted(name:out:)``), which is the path its steps see.
package struct ArtifactMember: Sendable, Hashable, Codable {
  /// The archive's absolute path, inside the cell's folder.
  package var archive: String
  /// The member's path inside it, as `inspect` names it after `!` (`inner.tar.gz!app` when nested).
  package var member: String

  /// Where the member of artifact `name` is unpacked in the cell folder `out`.
  package static func extracted(name: String, member: String, out: String) -> String {
    let last = member.split(separator: "!").last.map { String($0.split(separator: "/").last ?? "") } ?? ""
    return "\(out)/.archway/members/\(name)/\(last)"
  }

  /// `ARCHIVE!MEMBER`, as the report names it.
  package var description: String { "\(archive)!\(member)" }
}
