/// Every target Archway knows, in the order `archway targets` lists them.
package enum TargetCatalog {
  /// The known platforms with their names per ecosystem.
  package static let architectures: [ArchitectureSpec] = [
    .init(
      "linux/amd64", aliases: ["x86_64", "x64", "x86-64"], bits: 64, goarch: "amd64", rust: "x86_64",
      zig: "x86_64", llvm: "x86_64", gnu: "x86_64", debian: "amd64", multiarch: "x86_64-linux-gnu",
      qemu: "qemu-x86_64", machine: "EM_X86_64"),
    .init(
      "linux/386", aliases: ["i386", "i686", "x86"], bits: 32, goarch: "386", rust: "i686", zig: "x86",
      llvm: "i686", gnu: "i686", debian: "i386", multiarch: "i386-linux-gnu", qemu: "qemu-i386",
      machine: "EM_386"),
    .init(
      "linux/arm64", aliases: ["aarch64", "armv8", "arm64v8"], bits: 64, goarch: "arm64", rust: "aarch64",
      zig: "aarch64", llvm: "aarch64", gnu: "aarch64", debian: "arm64", multiarch: "aarch64-linux-gnu",
      qemu: "qemu-aarch64", machine: "EM_AARCH64"),
    .init(
      "linux/arm/v7", aliases: ["armhf", "armv7", "armv7l", "arm32v7"], bits: 32, goarch: "arm", goarm: "7",
      rust: "armv7", zig: "arm", llvm: "armv7", gnu: "arm", gnuABI: "gnueabihf", muslABI: "musleabihf",
      debian: "armhf", multiarch: "arm-linux-gnueabihf", qemu: "qemu-arm", machine: "EM_ARM"),
    .init(
      "linux/arm/v5", aliases: ["armel", "armv5", "armv5te", "arm32v5"], bits: 32, goarch: "arm", goarm: "5",
      rust: "armv5te", zig: "arm", llvm: "armv5te", gnu: "arm", gnuABI: "gnueabi", muslABI: "musleabi",
      debian: "armel", multiarch: "arm-linux-gnueabi", qemu: "qemu-arm", machine: "EM_ARM"),
    .init(
      "linux/riscv64", aliases: ["riscv", "riscv64gc", "rv64"], bits: 64, goarch: "riscv64", rust: "riscv64gc",
      zig: "riscv64", llvm: "riscv64", gnu: "riscv64", debian: "riscv64", multiarch: "riscv64-linux-gnu",
      qemu: "qemu-riscv64", machine: "EM_RISCV"),
    .init(
      "linux/ppc64le", aliases: ["ppc64el", "powerpc64le"], bits: 64, goarch: "ppc64le", rust: "powerpc64le",
      zig: "powerpc64le", llvm: "powerpc64le", gnu: "powerpc64le", debian: "ppc64el",
      multiarch: "powerpc64le-linux-gnu", qemu: "qemu-ppc64le", machine: "EM_PPC64"),
    .init(
      "linux/s390x", bits: 64, endian: .big, goarch: "s390x", rust: "s390x", zig: "s390x", llvm: "s390x",
      gnu: "s390x", debian: "s390x", multiarch: "s390x-linux-gnu", qemu: "qemu-s390x", machine: "EM_S390"),
    .init(
      "linux/mips64le", aliases: ["mips64el"], bits: 64, goarch: "mips64le", rust: "mips64el", zig: "mips64el",
      llvm: "mips64el", gnu: "mips64el", gnuABI: "gnuabi64", muslABI: "muslabi64", debian: "mips64el",
      multiarch: "mips64el-linux-gnuabi64", qemu: "qemu-mips64el", machine: "EM_MIPS"),
    .init(
      "linux/loong64", aliases: ["loongarch64", "la64"], bits: 64, goarch: "loong64", rust: "loongarch64",
      zig: "loongarch64", llvm: "loongarch64", gnu: "loongarch64", debian: "loong64",
      multiarch: "loongarch64-linux-gnu", qemu: "qemu-loongarch64", machine: "EM_LOONGARCH"),
    .init(
      "darwin/arm64", aliases: ["aarch64", "arm64e"], bits: 64, goarch: "arm64", rust: "aarch64", zig: "aarch64",
      llvm: "arm64", gnu: "aarch64", machine: "CPU_TYPE_ARM64"),
    .init(
      "darwin/amd64", aliases: ["x86_64", "x64"], bits: 64, goarch: "amd64", rust: "x86_64", zig: "x86_64",
      llvm: "x86_64", gnu: "x86_64", machine: "CPU_TYPE_X86_64"),
    .init(
      "windows/amd64", aliases: ["x86_64", "x64"], bits: 64, goarch: "amd64", rust: "x86_64", zig: "x86_64",
      llvm: "x86_64", gnu: "x86_64", machine: "IMAGE_FILE_MACHINE_AMD64"),
    .init(
      "windows/arm64", aliases: ["aarch64"], bits: 64, goarch: "arm64", rust: "aarch64", zig: "aarch64",
      llvm: "aarch64", gnu: "aarch64", machine: "IMAGE_FILE_MACHINE_ARM64"),
    .init(
      "windows/386", aliases: ["i386", "i686", "x86"], bits: 32, goarch: "386", rust: "i686", zig: "x86",
      llvm: "i686", gnu: "i686", machine: "IMAGE_FILE_MACHINE_I386"),
  ]

  /// The spec of a known platform.
  package static func spec(for platform: Platform) -> ArchitectureSpec? {
    architectures.first { $0.platform == platform }
  }
}

extension TargetCatalog {
  /// Every known target's names; linux targets take `libc`, darwin and windows their system libc.
  package static func names(libc: LibcRequirement) -> [TargetNames] {
    architectures.map { spec in
      TargetNames(spec: spec, libc: spec.platform.os == "linux" ? libc : TargetNames.defaultLibc(for: spec.platform))
    }
  }
}
