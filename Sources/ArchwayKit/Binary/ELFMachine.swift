/// Maps an ELF `e_machine`, class, byte order and `e_flags` to the platform architecture and ABI.
enum ELFMachine {
  struct Description {
    var arch: String
    var variant: String?
    var abi: String?
    var floatABI: String?
  }

  static func describe(machine: UInt16, wide: Bool, bigEndian: Bool, flags: UInt32) -> Description {
    switch machine {
    case EM_X86_64: return Description(arch: wide ? "amd64" : "amd64p32", abi: wide ? nil : "x32")
    case EM_386: return Description(arch: "386")
    case EM_AARCH64: return Description(arch: bigEndian ? "arm64be" : "arm64")
    case EM_ARM: return arm(flags: flags, bigEndian: bigEndian)
    case EM_RISCV:
      let float = ["soft", "single", "double", "quad"][Int((flags >> 1) & 3)]
      let suffix = ["", "f", "d", "q"][Int((flags >> 1) & 3)]
      let base = flags & 0x8 != 0 ? (wide ? "lp64e" : "ilp32e") : (wide ? "lp64" : "ilp32")
      return Description(arch: wide ? "riscv64" : "riscv32", abi: base + suffix, floatABI: float)
    case EM_PPC64:
      let elfVersion: String? =
        switch flags & 3 {
        case 1: "elfv1"
        case 2: "elfv2"
        default: bigEndian ? "elfv1" : "elfv2"  // Unmarked files follow the byte order's convention.
        }
      return Description(arch: bigEndian ? "ppc64" : "ppc64le", abi: elfVersion)
    case EM_PPC: return Description(arch: bigEndian ? "ppc" : "ppcle")
    case EM_S390: return Description(arch: wide ? "s390x" : "s390")
    case EM_MIPS: return mips(flags: flags, wide: wide, bigEndian: bigEndian)
    case EM_LOONGARCH:
      let float = ["soft", "single", "double"][safe: Int(flags & 7) - 1]
      return Description(arch: wide ? "loong64" : "loong32", floatABI: float)
    case EM_SPARCV9: return Description(arch: "sparc64")
    case 2: return Description(arch: "sparc")
    case 50: return Description(arch: "ia64")
    case 4: return Description(arch: "m68k")
    default: return Description(arch: "elf-machine-\(machine)")
    }
  }

  private static func arm(flags: UInt32, bigEndian: Bool) -> Description {
    let eabi = flags >> 24
    var float: String?
    if flags & 0x400 != 0 {
      float = "hard"
    } else if flags & 0x200 != 0 {
      float = "soft"
    }
    // Without attributes, hard-float EABI is armhf (v7) and soft-float is armel (v5).
    let variant: String? = float == "hard" ? "v7" : (float == "soft" ? "v5" : nil)
    return Description(
      arch: bigEndian ? "armbe" : "arm", variant: variant, abi: eabi == 0 ? "oabi" : "eabi\(eabi)", floatABI: float)
  }

  private static func mips(flags: UInt32, wide: Bool, bigEndian: Bool) -> Description {
    let abi: String
    if wide {
      abi = "n64"
    } else if flags & 0x20 != 0 {
      abi = "n32"
    } else {
      switch flags & 0xF000 {
      case 0x2000: abi = "o64"
      case 0x3000: abi = "eabi32"
      case 0x4000: abi = "eabi64"
      default: abi = "o32"
      }
    }
    let arch = (wide || abi == "n32" ? "mips64" : "mips") + (bigEndian ? "" : "le")
    return Description(arch: arch, abi: abi)
  }

  /// The OCI variant for an ARM `Tag_CPU_arch` value from `.ARM.attributes`.
  static func armVariant(cpuArch: UInt64) -> String? {
    switch cpuArch {
    case 1, 2: "v4"
    case 3, 4, 5: "v5"
    case 6, 7, 8, 9, 11, 12: "v6"
    case 10, 13: "v7"
    case 14...22: "v8"
    default: nil
    }
  }

  static func osABIName(_ value: UInt8) -> String {
    switch value {
    case 0: "sysv"
    case 1: "hpux"
    case 2: "netbsd"
    case 3: "gnu"
    case 6: "solaris"
    case 7: "aix"
    case 8: "irix"
    case 9: "freebsd"
    case 12: "openbsd"
    case 97: "arm"
    case 255: "standalone"
    default: "osabi-\(value)"
    }
  }
}

extension Array {
  subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
