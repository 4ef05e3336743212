import Foundation

/// What a release file's name promises about where it runs, in the words `verify`'s options take.
package struct NamePromise: Sendable, Hashable, Codable {
  /// `os/arch[/variant]`: `linux/arm64`, `darwin/amd64`, or an OS Archway does not check (`freebsd/amd64`).
  package var target: String
  /// `gnu-2.17`, `musl-1.2`, `gnu`, `musl`, `static`; nil when the name says nothing of a libc.
  package var libc: String?
  /// The CPU level it may need (goreleaser's `amd64v3`).
  package var cpu: String?
  /// The oldest OS release it must start on (a wheel's `macosx_11_0`).
  package var osVersion: String?
  /// What made the promise: `the wheel tag manylinux2014_aarch64`, `the Rust target
  /// aarch64-unknown-linux-musl`, `Debian's Architecture: arm64`, `the name's linux_arm64`.
  package var source: String

  enum CodingKeys: String, CodingKey {
    case target, libc, cpu, osVersion = "os_version", source
  }

  /// `linux/arm64, glibc ≤ 2.17`, `darwin/arm64, macOS 11.0`, `linux/amd64, musl, cpu x86-64-v3`.
  package var summary: String {
    var parts = [target]
    if let libc {
      let fields = libc.split(separator: "-", maxSplits: 1)
      let family = fields[0] == "gnu" ? "glibc" : String(fields[0])
      parts.append(fields.count == 2 ? "\(family) ≤ \(fields[1])" : family)
    }
    if let cpu { parts.append("cpu \(cpu)") }
    if let osVersion { parts.append("\(target.hasPrefix("darwin") ? "macOS" : "OS") \(osVersion)") }
    return parts.joined(separator: ", ")
  }
}

/// The naming schemes release tools give their files, read back into targets (`archway targets
/// --names` lists them): goreleaser's `{name}_{version}_{os}_{arch}[v{arm}|v{amd64 level}]`
/// (title case and `x86_64` too), Rust target triples (cargo-dist, cross), Debian's
/// `{name}_{version}_{arch}.deb` and its `Architecture:` field, and a wheel's platform tags
/// (PEP 425, PEP 600 manylinux, PEP 656 musllinux, macOS and Windows).
package enum ReleaseNames {
  /// Each scheme read, with a name written in it: what `archway targets --names` shows, each
  /// example's promise computed by ``promise(of:debianArchitecture:)`` itself.
  package static let schemes: [(scheme: String, example: String)] = [
    ("goreleaser: {name}_{version}_{os}_{arch}", "myapp_1.4.0_linux_arm64.tar.gz"),
    ("goreleaser, title case and x86_64", "myapp_Linux_x86_64.tar.gz"),
    ("goreleaser: GOARM as v{arm}", "myapp_1.4.0_linux_armv7.tar.gz"),
    ("goreleaser: GOAMD64 beyond v1", "myapp_1.4.0_linux_amd64v3.tar.gz"),
    ("goreleaser: windows", "myapp_1.4.0_windows_amd64.zip"),
    ("an OS and an arch anywhere, a libc word", "myapp-x86_64-linux-musl.tar.gz"),
    ("Rust target triple (cargo-dist, cross)", "myapp-aarch64-unknown-linux-musl.tar.xz"),
    ("Rust target triple: macOS", "myapp-aarch64-apple-darwin.tar.xz"),
    ("Rust target triple: Windows", "myapp-x86_64-pc-windows-msvc.zip"),
    ("Debian: {name}_{version}_{arch}.deb (its Architecture: field first)", "myapp_1.4.0-1_armhf.deb"),
    ("RPM: {name}-{version}-{release}.{arch}.rpm (its Arch tag first)", "myapp-1.4.0-1.aarch64.rpm"),
    ("wheel: manylinux (PEP 600)", "pkg-1.0-cp312-cp312-manylinux_2_28_aarch64.whl"),
    ("wheel: manylinux2014 and older aliases", "pkg-1.0-cp312-cp312-manylinux2014_x86_64.whl"),
    ("wheel: musllinux (PEP 656)", "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"),
    ("wheel: macOS", "pkg-1.0-cp312-cp312-macosx_11_0_arm64.whl"),
    ("wheel: Windows", "pkg-1.0-cp312-cp312-win_amd64.whl"),
    ("another OS: named, not checked", "myapp_1.4.0_freebsd_amd64.tar.gz"),
  ]

  /// What `fileName` (a base name) promises, from the most exact scheme that matches: a wheel's
  /// tags, a package's architecture (`debianArchitecture`, the `.deb`'s own field, before its
  /// name), a Rust triple, an OS and an arch side by side. Nil when it promises nothing
  /// (`checksums.txt`, a wheel for `any` platform, `myapp.tar.gz`).
  package static func promise(of fileName: String, debianArchitecture: String? = nil) -> NamePromise? {
    let name = fileName.lowercased()
    if name.hasSuffix(".whl") { return wheel(name) }
    if let debianArchitecture {
      return debian(debianArchitecture, source: "Debian's Architecture: \(debianArchitecture)")
    }
    if name.hasSuffix(".deb"), let arch = name.dropLast(4).split(separator: "_").last {
      return debian(String(arch), source: "the package name's \(arch)")
    }
    if name.hasSuffix(".rpm"), let arch = name.dropLast(4).split(separator: ".").last {
      return rpm(String(arch), source: "the package name's \(arch)")
    }
    return rustTriple(name) ?? osAndArch(name)
  }

  /// A wheel's platform tags (the last of its dash-separated parts; several joined by `.`): the
  /// strictest glibc or musl floor and macOS release of them all.
  static func wheel(_ name: String) -> NamePromise? {
    let parts = name.dropLast(4).split(separator: "-")
    guard parts.count >= 5, let tags = parts.last else { return nil }
    var promises: [NamePromise] = []
    for tag in tags.split(separator: ".").map(String.init) {
      let source = "the wheel tag \(tag)"
      let legacy = ["manylinux1_": "2.5", "manylinux2010_": "2.12", "manylinux2014_": "2.17"]
      if let (prefix, floor) = legacy.first(where: { tag.hasPrefix($0.key) }), let arch = wheelArch(tag, prefix) {
        promises.append(NamePromise(target: "linux/\(arch)", libc: "gnu-\(floor)", source: source))
      } else if let (family, rest) = ["manylinux_": "gnu", "musllinux_": "musl"].lazy.compactMap({ prefix, family in
        tag.hasPrefix(prefix) ? (family, tag.dropFirst(prefix.count)) : nil
      }).first {
        let fields = rest.split(separator: "_", maxSplits: 2)
        guard fields.count == 3, let arch = archWord(String(fields[2])) else { continue }
        promises.append(
          NamePromise(target: "linux/\(arch)", libc: "\(family)-\(fields[0]).\(fields[1])", source: source))
      } else if tag.hasPrefix("macosx_") {
        let fields = tag.dropFirst(7).split(separator: "_", maxSplits: 2)
        guard fields.count == 3, let arch = archWord(String(fields[2])) else { continue }
        promises.append(NamePromise(target: "darwin/\(arch)", osVersion: "\(fields[0]).\(fields[1])", source: source))
      } else if let arch = ["win_amd64": "amd64", "win32": "386", "win_arm64": "arm64"][tag] {
        promises.append(NamePromise(target: "windows/\(arch)", source: source))
      } else if tag.hasPrefix("linux_"), let arch = archWord(String(tag.dropFirst(6))) {
        promises.append(NamePromise(target: "linux/\(arch)", libc: "gnu", source: source))
      }
    }
    // Tags of one wheel name one platform; its promise is the strictest floor among them.
    return promises.min { lhs, rhs in
      floor(lhs.libc ?? lhs.osVersion) < floor(rhs.libc ?? rhs.osVersion)
    }
  }

  private static func floor(_ text: String?) -> DottedVersion {
    DottedVersion(String((text ?? "").drop { !$0.isNumber })) ?? DottedVersion("999")!
  }

  private static func wheelArch(_ tag: String, _ prefix: String) -> String? {
    archWord(String(tag.dropFirst(prefix.count)))
  }

  static func debian(_ arch: String, source: String) -> NamePromise? {
    guard let spec = TargetCatalog.architectures.first(where: { $0.debianArch == arch }) else { return nil }
    return NamePromise(target: spec.platform.description, libc: "gnu", source: source)
  }

  /// An RPM architecture (`x86_64`, `aarch64`, `armv7hl`, `ppc64le`; `noarch` promises nothing).
  static func rpm(_ arch: String, source: String) -> NamePromise? {
    guard let platform = archWord(arch) else { return nil }
    return NamePromise(target: "linux/\(platform)", libc: "gnu", source: source)
  }

  /// A Rust target triple inside the name (`myapp-aarch64-unknown-linux-musl.tar.xz`).
  static func rustTriple(_ name: String) -> NamePromise? {
    var triples: [(String, String, String?)] = []
    for (libc, requirement) in [("gnu", LibcRequirement.gnu(nil)), ("musl", .musl(nil))] {
      for names in TargetCatalog.names(libc: requirement) {
        triples.append((names.rust, names.platform, names.os == "linux" ? libc : nil))
        if names.os == "windows" {
          triples.append((names.rust.replacingOccurrences(of: "-msvc", with: "-gnu"), names.platform, nil))
        }
      }
    }
    guard let (triple, platform, libc) = triples.filter({ name.contains($0.0) }).max(by: { $0.0.count < $1.0.count })
    else { return nil }
    return NamePromise(target: platform, libc: libc, source: "the Rust target \(triple)")
  }

  /// An OS word beside an arch word (`linux_arm64`, `Darwin_x86_64`, `x86_64-linux-musl`,
  /// `windows-amd64v3`), with a libc word (`musl`, `gnu`, `static`) anywhere.
  static func osAndArch(_ name: String) -> NamePromise? {
    let normal = name.replacingOccurrences(of: "x86_64", with: "amd64").replacingOccurrences(
      of: "x86-64", with: "amd64")
    let words = normal.split(whereSeparator: { "_-. ".contains($0) }).map(String.init)
    for (index, word) in words.enumerated() {
      guard let os = osWords[word] else { continue }
      for neighbour in [index + 1, index - 1] where words.indices.contains(neighbour) {
        guard var arch = archWord(words[neighbour]) else { continue }
        var cpu: String?
        let written = words[neighbour]
        if written.count == 7, written.hasPrefix("amd64v"), let level = written.last, "234".contains(level) {
          cpu = "x86-64-v\(level)"
        }
        // goreleaser's arm: `armv7`, or `arm` then the variant (`arm_7`, `arm-v7`).
        if arch == "arm", words.indices.contains(neighbour + 1) {
          arch = ["7": "arm/v7", "v7": "arm/v7", "5": "arm/v5", "v5": "arm/v5"][words[neighbour + 1]] ?? arch
        }
        guard arch != "arm" else { continue }
        let libc = words.lazy.compactMap { ["musl": "musl", "gnu": "gnu", "glibc": "gnu", "static": "static"][$0] }
          .first
        let source = "the name's \(word)_\(words[neighbour])"
        return NamePromise(target: "\(os)/\(arch)", libc: os == "linux" ? libc : nil, cpu: cpu, source: source)
      }
    }
    return nil
  }

  /// Operating systems as release names write them; the BSDs, illumos and Android are named so
  /// their files are not read as another OS's.
  static let osWords: [String: String] = [
    "linux": "linux", "darwin": "darwin", "macos": "darwin", "osx": "darwin", "mac": "darwin", "apple": "darwin",
    "windows": "windows", "win": "windows", "win64": "windows", "freebsd": "freebsd", "netbsd": "netbsd",
    "openbsd": "openbsd", "dragonfly": "dragonfly", "illumos": "illumos", "solaris": "solaris", "android": "android",
    "aix": "aix", "plan9": "plan9",
  ]

  /// An architecture as release names write it, as Archway's platform writes it (`arm` alone: a
  /// variant must follow).
  static func archWord(_ word: String) -> String? {
    switch word {
    case "amd64", "x64", "amd64v1", "amd64v2", "amd64v3", "amd64v4", "x86_64": "amd64"
    case "arm64", "aarch64", "armv8": "arm64"
    case "386", "i386", "i686", "x86": "386"
    case "armv7", "armv7l", "armhf", "arm7", "armv7hl": "arm/v7"
    case "armv5", "armel", "arm5", "armv5te": "arm/v5"
    case "arm": "arm"
    case "riscv64", "riscv64gc": "riscv64"
    case "ppc64le", "ppc64el", "powerpc64le": "ppc64le"
    case "s390x": "s390x"
    case "mips64le", "mips64el": "mips64le"
    case "loong64", "loongarch64": "loong64"
    default: nil
    }
  }
}
