/// The operating system an ELF file is for, and what says so.
///
/// ELF's own OS ABI byte rarely says it: Linux, Android, illumos, Solaris, DragonFly and (from zig)
/// FreeBSD, NetBSD and OpenBSD programs all carry "System V". So every signal the file has is read,
/// the most specific first:
/// 1. Go's build info `GOOS` (the Go linker writes what it linked for);
/// 2. the OS notes: `FreeBSD`, `NetBSD`, `OpenBSD`, `DragonFly` (`NT_*_ABI_TAG`/ident, type 1),
///    `Android` (`NT_ANDROID_TYPE_IDENT`), and the GNU ABI tag (`NT_GNU_ABI_TAG`: Linux, Hurd,
///    Solaris, FreeBSD);
/// 3. the OS ABI byte, when it is not System V;
/// 4. the interpreter, each system's dynamic loader at its fixed path;
/// 5. the C library's soname, where it differs between systems (`libc.so.7` is FreeBSD's).
/// A file with none of them (a static musl program) says nothing, which no check reads as another OS.
package struct OperatingSystemEvidence: Sendable, Hashable {
  /// `linux`, `android`, `freebsd`, `netbsd`, `openbsd`, `dragonfly`, `illumos`, `solaris`, `hurd`…
  package var os: String
  /// What said so: `Go build info GOOS`, `FreeBSD note`, `ELF OS ABI`, `interpreter /libexec/ld-elf.so.1`…
  package var evidence: String
}

extension ELFFile {
  private static let noteOwners: [String: String] = [
    "FreeBSD": "freebsd", "NetBSD": "netbsd", "OpenBSD": "openbsd", "DragonFly": "dragonfly", "Android": "android",
  ]
  /// `NT_GNU_ABI_TAG`'s first word (glibc's `elf/elf.h`, `ELF_NOTE_OS_*`).
  private static let gnuABITagSystems = ["linux", "hurd", "solaris", "freebsd"]
  private static let interpreters: [String: String] = [
    "/system/bin/linker": "android", "/system/bin/linker64": "android", "/libexec/ld-elf.so.1": "freebsd",
    "/libexec/ld-elf32.so.1": "freebsd", "/usr/libexec/ld-elf.so.2": "dragonfly", "/libexec/ld.elf_so": "netbsd",
    "/usr/libexec/ld.elf_so": "netbsd", "/usr/libexec/ld.so": "openbsd", "/usr/lib/ld.so.1": "solaris",
    "/lib/amd64/ld.so.1": "solaris", "/usr/lib/amd64/ld.so.1": "solaris", "/lib/64/ld.so.1": "solaris",
    "/usr/lib/64/ld.so.1": "solaris", "/lib/sparcv9/ld.so.1": "solaris",
  ]

  /// The OS the file is for, from the strongest signal it carries; nil when it carries none.
  func operatingSystem(
    goos: String?, notes: [ELFNote], interpreter: String?, needed: [String]
  ) -> OperatingSystemEvidence? {
    if let goos { return OperatingSystemEvidence(os: goos, evidence: "Go build info GOOS=\(goos)") }
    for note in notes where note.type == 1 {
      let owner = String(decoding: view.bytes[note.owner].prefix { $0 != 0 }, as: UTF8.self)
      if let os = Self.noteOwners[owner] { return OperatingSystemEvidence(os: os, evidence: "\(owner) note") }
      if owner == "GNU", note.description.count >= 16, let word = try? view.u32(note.description.lowerBound),
        Int(word) < Self.gnuABITagSystems.count
      {
        return OperatingSystemEvidence(os: Self.gnuABITagSystems[Int(word)], evidence: "GNU ABI tag note")
      }
    }
    switch osABI {
    case 0, 97: break  // System V, and ARM's (the EABI's, no OS)
    case 3: return OperatingSystemEvidence(os: "linux", evidence: "ELF OS ABI gnu")
    default:
      let name = ELFMachine.osABIName(osABI)
      return OperatingSystemEvidence(os: name, evidence: "ELF OS ABI \(name)")
    }
    if let interpreter {
      if let os = Self.interpreters[interpreter] {
        return OperatingSystemEvidence(os: os, evidence: "interpreter \(interpreter)")
      }
      let loader = interpreter.split(separator: "/").last.map(String.init) ?? interpreter
      if loader.hasPrefix("ld-linux") || loader.hasPrefix("ld-musl-") || loader.hasPrefix("ld64.so.") {
        return OperatingSystemEvidence(os: "linux", evidence: "interpreter \(interpreter)")
      }
    }
    let sonames = ["libc.so.7": "freebsd", "libc.so.12": "netbsd", "libc.so.1": "solaris", "libc.so.6": "linux"]
    for library in needed {
      if let os = sonames[library] { return OperatingSystemEvidence(os: os, evidence: "needs \(library)") }
    }
    return nil
  }

  /// The oldest Linux kernel the GNU ABI tag note names (`3.2.0`: glibc's `--enable-kernel`); nil
  /// without a Linux ABI tag.
  func kernelFloor(notes: [ELFNote]) -> String? {
    for note in notes where note.type == 1 && note.description.count >= 16 {
      let owner = String(decoding: view.bytes[note.owner].prefix { $0 != 0 }, as: UTF8.self)
      let at = note.description.lowerBound
      guard owner == "GNU", (try? view.u32(at)) == 0,
        let major = try? view.u32(at + 4), let minor = try? view.u32(at + 8), let patch = try? view.u32(at + 12)
      else { continue }
      return "\(major).\(minor).\(patch)"
    }
    return nil
  }
}
