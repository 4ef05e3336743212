/// One known platform and the names other tools give it, from which ``TargetNames`` are made.
package struct ArchitectureSpec: Sendable, Hashable {
  /// The platform these names belong to.
  package let platform: Platform
  /// Other spellings accepted for the architecture (`aarch64`, `armhf`, `x86_64`).
  package let aliases: [String]
  /// The word size.
  package let bits: Int
  /// The byte order.
  package let endian: Endianness
  /// Go's `GOARCH` and, for 32-bit ARM, `GOARM`.
  package let goarch: String
  /// Go's `GOARM` for 32-bit ARM.
  package let goarm: String?
  /// The architecture part of Rust, Zig and LLVM triples.
  package let rustArch: String
  /// The architecture part of Zig targets (`aarch64`, `x86`).
  package let zigArch: String
  /// The architecture part of LLVM triples (`armv7`, `arm64` on darwin).
  package let llvmArch: String
  /// The GNU triple's architecture and ABI parts for glibc and musl (`arm`, `gnueabihf`, `musleabihf`).
  package let gnuArch: String
  /// The GNU triple's ABI part with glibc (`gnu`, `gnueabihf`, `gnuabi64`).
  package let gnuABI: String
  /// The GNU triple's ABI part with musl (`musl`, `musleabihf`, `muslabi64`).
  package let muslABI: String
  /// Debian's architecture name and multiarch triplet (linux only).
  package let debianArch: String?
  /// The Debian multiarch triplet.
  package let multiarch: String?
  /// The qemu-user emulator's name without `-static` (linux only).
  package let qemu: String?
  /// The ELF `e_machine` (or Mach-O / PE machine) name, for messages.
  package let machineName: String

  init(
    _ platform: String, aliases: [String] = [], bits: Int, endian: Endianness = .little, goarch: String,
    goarm: String? = nil, rust: String, zig: String, llvm: String, gnu: String, gnuABI: String = "gnu",
    muslABI: String = "musl", debian: String? = nil, multiarch: String? = nil, qemu: String? = nil,
    machine: String
  ) {
    let parts = platform.split(separator: "/").map(String.init)
    self.platform = Platform(os: parts[0], arch: parts[1], variant: parts.count > 2 ? parts[2] : nil)
    self.aliases = aliases
    self.bits = bits
    self.endian = endian
    self.goarch = goarch
    self.goarm = goarm
    self.rustArch = rust
    self.zigArch = zig
    self.llvmArch = llvm
    self.gnuArch = gnu
    self.gnuABI = gnuABI
    self.muslABI = muslABI
    self.debianArch = debian
    self.multiarch = multiarch
    self.qemu = qemu
    self.machineName = machine
  }

  var os: String { platform.os }

  /// Where Debian's cross toolchain keeps this target's glibc: `/usr/` + the GNU triple
  /// (`/usr/i686-linux-gnu` for 386, whose multiarch name is `i386-linux-gnu`); nil off linux.
  package var crossSysroot: String? {
    guard platform.os == "linux" else { return nil }
    return "/usr/\(gnuArch)-linux-\(gnuABI)"
  }

  /// Whether `arch[/variant]`, as a user wrote it for this spec's OS, names this spec.
  func matches(arch: String, variant: String?) -> Bool {
    if arch == platform.arch {
      // `linux/arm` means v7 as in OCI; `arm64/v8` is plain arm64.
      if variant == platform.variant { return true }
      if platform.arch == "arm" { return variant == nil && platform.variant == "v7" }
      return platform.variant == nil && variant == "v8" && arch == "arm64"
    }
    return variant == nil && aliases.contains(arch)
  }
}

/// Byte order of a binary or a target.
public enum Endianness: String, Sendable, Hashable, Codable {
  case little, big
}
