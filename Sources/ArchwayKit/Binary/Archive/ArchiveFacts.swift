/// What `inspect` says of an archive or a package itself (its binary members are listed after it,
/// each as `ARCHIVE!PATH`): its kind, how many members and binaries it holds, what is wrong with
/// it, and a package's own metadata.
public struct ArchiveFacts: Sendable, Hashable, Codable {
  /// `tar`, `tar.gz`, `tar.xz`, `tar.zst`, `tar.bz2`, `gz` (one compressed file), `zip`, `deb`.
  public var kind: String
  /// The members listed (folders and links included).
  public var members = 0
  /// The members that are binaries (ELF, Mach-O, PE), in nested archives too.
  public var binaries = 0
  /// What is wrong: a member leading out of the archive, a link out of it, a device, a member too
  /// large to read, a corrupt or cut-short stream, a limit reached. Each fails `verify`.
  public var problems: [String] = []
  /// A package's control fields (a `.deb`'s `Package`, `Version`, `Architecture`, `Depends`…).
  public var metadata: [String: String]?

  package init(kind: String) { self.kind = kind }

  package func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.key("binaries")
      w.int(binaries)
      w.key("kind")
      w.string(kind)
      w.key("members")
      w.int(members)
      if let metadata {
        w.key("metadata")
        w.object(metadata)
      }
      w.key("problems")
      w.strings(problems)
    }
  }
}
