/// Memory page sizes, as a Linux kernel of an arch may use them, and how they are written.
///
/// An ELF program or library loads only where every `PT_LOAD` segment is aligned to at least the
/// kernel's page size and its file offset is congruent to its address modulo it: glibc's loader
/// refuses a library otherwise ("ELF load command alignment not page-aligned", "ELF load command
/// address/offset not properly aligned", `elf/dl-load.c`; chromiumembedded/cef#3695 on a 64 KiB
/// arm64 kernel), and the kernel's ELF loader cannot map such a program (upx/upx#254). qemu-user
/// runs every guest on the host's 4 KiB pages, so no emulated run shows it.
package enum PageSize {
  /// The largest page size a mainstream Linux kernel of `platform`'s arch uses, which a release for
  /// it must load on: 64 KiB for arm64 (RHEL's and Ubuntu's `-64k` kernels; 16 KiB on the Raspberry
  /// Pi 5 and Asahi) and ppc64le/ppc64 (the default of Debian's, RHEL's and SUSE's kernels), 16 KiB
  /// for loong64 (the kernel's default), 4 KiB elsewhere. GNU ld, lld and Go already align arm64,
  /// ppc64 and loong64 output to 64 KiB; only a binary linked smaller fails.
  package static func largest(for platform: Platform) -> Int {
    switch platform.arch {
    case "arm64", "ppc64le", "ppc64": 65536
    case "loong64": 16384
    default: 4096
    }
  }

  /// `4k`, `16k`, `64k` (or a power of two in bytes from 4096 to 65536) as bytes.
  package static func parse(_ text: String) -> Int? {
    let lowered = text.lowercased()
    let bytes = lowered.hasSuffix("k") ? Int(lowered.dropLast()).map { $0 * 1024 } : Int(lowered)
    guard let bytes, bytes >= 4096, bytes <= 65536, bytes & (bytes - 1) == 0 else { return nil }
    return bytes
  }

  /// `64 KiB`.
  package static func name(_ bytes: Int) -> String {
    bytes >= 1024 && bytes % 1024 == 0 ? "\(bytes / 1024) KiB" : "\(bytes) bytes"
  }
}
