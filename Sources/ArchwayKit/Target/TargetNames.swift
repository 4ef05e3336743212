import Foundation

/// What other tools call one target (a platform with a libc): Go, Rust, Zig, LLVM, GCC, Debian, OCI, qemu.
package struct TargetNames: Sendable, Hashable, Codable {
  /// `os/arch[/variant]`.
  package let platform: String
  /// The operating system: `linux`, `darwin`, `windows`.
  package let os: String
  /// The OCI architecture.
  package let arch: String
  /// The OCI variant, if any.
  package let variant: String?
  /// The libc these names are for (`gnu`, `gnu-2.31`, `musl`, `system`).
  package let libc: String
  /// Go's `GOOS`.
  package let goos: String
  /// Go's `GOARCH`.
  package let goarch: String
  /// Go's `GOARM` for 32-bit ARM.
  package let goarm: String?
  /// The Rust target triple.
  package let rust: String
  /// The Zig target, with a `.X.Y` glibc suffix for `gnu-X.Y`.
  package let zig: String
  /// The LLVM target triple.
  package let llvm: String
  /// The cross-gcc prefix, with its trailing dash (`aarch64-linux-gnu-`); nil for darwin.
  package let gccPrefix: String?
  /// Debian's architecture name.
  package let debianArch: String?
  /// The Debian multiarch triplet.
  package let multiarch: String?
  /// The qemu-user emulator, without `-static`.
  package let qemu: String?
  /// The machine constant the binary header carries, for messages.
  package let machine: String

  enum CodingKeys: String, CodingKey {
    case platform, os, arch, variant, libc, goos, goarch, goarm, rust, zig, llvm, debianArch = "debian_arch"
    case gccPrefix = "gcc_prefix", multiarch, qemu, machine
  }

  /// The names of `spec`'s platform with `libc`; a musl target gets musl triples, a glibc floor
  /// becomes Zig's `.2.31` suffix. A `static` target gets Zig's and Rust's musl triples (their
  /// fully static toolchains) and the gnu gcc prefix (for `gcc -static`).
  package init(spec: ArchitectureSpec, libc: LibcRequirement) {
    let p = spec.platform
    let isMusl = libc.isMusl
    let abi = isMusl ? spec.muslABI : spec.gnuABI
    let staticABI = libc == .static ? spec.muslABI : abi
    platform = p.description
    os = p.os
    arch = p.arch
    variant = p.variant
    self.libc = libc.description
    goos = p.os
    goarch = spec.goarch
    goarm = spec.goarm
    machine = spec.machineName
    switch p.os {
    case "darwin":
      rust = "\(spec.rustArch)-apple-darwin"
      zig = "\(spec.zigArch)-macos"
      llvm = "\(spec.llvmArch)-apple-macosx"
      gccPrefix = nil
    case "windows":
      rust = "\(spec.rustArch)-pc-windows-msvc"
      zig = "\(spec.zigArch)-windows-gnu"
      llvm = "\(spec.llvmArch)-pc-windows-msvc"
      gccPrefix = "\(spec.gnuArch)-w64-mingw32-"
    default:
      rust = "\(spec.rustArch)-unknown-linux-\(staticABI)"
      zig = "\(spec.zigArch)-linux-\(staticABI)" + (libc.glibcCeiling.map { ".\($0)" } ?? "")
      llvm = "\(spec.llvmArch)-unknown-linux-\(abi)"
      gccPrefix = "\(spec.gnuArch)-linux-\(abi)-"
    }
    debianArch = spec.debianArch
    multiarch = isMusl ? spec.multiarch.map { $0.replacingOccurrences(of: "-gnu", with: "-musl") } : spec.multiarch
    qemu = spec.qemu
  }

  /// The libc a platform gets when none is named: `gnu` on linux, `system` elsewhere.
  package static func defaultLibc(for platform: Platform) -> LibcRequirement {
    platform.os == "linux" ? .gnu(nil) : .system
  }
}
