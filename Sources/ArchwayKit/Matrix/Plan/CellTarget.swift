/// A cell's target: its platform, libc and CPU, typed (a report that names one Archway does not
/// know cannot be read, rather than checked against nothing).
public struct CellTarget: Sendable, Hashable {
  /// `os/arch[/variant]`.
  public let platform: Platform
  /// `gnu`, `gnu-2.31`, `musl`, `musl-1.2`, `static` or `system`.
  public let libc: LibcRequirement
  /// The CPU the cell's binaries must run on (`cpu:`): a level (`x86-64-v2`, `armv6`) or a qemu
  /// model; nil when the matrix names none.
  public let cpu: CPULevel?
  /// The release of the OS the cell's binaries must start on (`os_version:`); nil for the OS's
  /// default (``OSVersion/defaultVersion(for:)``).
  public let osVersion: OSVersion?

  /// The target of `platform` with `libc`, on `cpu`, running `osVersion`.
  package init(platform: Platform, libc: LibcRequirement, cpu: CPULevel? = nil, osVersion: OSVersion? = nil) {
    (self.platform, self.libc, self.cpu, self.osVersion) = (platform, libc, cpu, osVersion)
  }

  /// `linux`, `darwin`, `windows`.
  package var os: String { platform.os }
  /// The OCI architecture.
  package var arch: String { platform.arch }
  /// The OCI variant, if any.
  package var variant: String? { platform.variant }

  /// The qemu model that runs the cell's binaries when they are emulated: the `cpu:`'s, else for
  /// arm the model of the variant (never qemu's `max`, which runs every instruction).
  package var qemuModel: String? {
    if let cpu { return cpu.qemuModel }
    return CPULevel.defaultModel(arch: arch, variant: variant)
  }
}

extension CellTarget: Codable {
  enum CodingKeys: String, CodingKey {
    case platform, os, arch, variant, libc, cpu
    case osVersion = "os_version"
  }

  /// Decodes what ``encode(to:)`` writes, refusing a platform, libc or CPU Archway does not know.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    func parsed<Value>(_ key: CodingKeys, _ parse: (String) throws(TargetError) -> Value) throws -> Value {
      let text = try c.decode(String.self, forKey: key)
      do {
        return try parse(text)
      } catch {
        throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: error.description)
      }
    }
    platform = try parsed(.platform, Platform.parse)
    libc = try parsed(.libc, LibcRequirement.parse)
    if try c.decodeNil(forKey: .cpu) {
      cpu = nil
    } else {
      let arch = platform.arch
      cpu = try parsed(.cpu) { (text) throws(TargetError) in try CPULevel.parse(text, arch: arch) }
    }
    let os = platform.os
    osVersion =
      try c.decodeIfPresent(String.self, forKey: .osVersion) == nil
      ? nil : try parsed(.osVersion) { (text) throws(TargetError) in try OSVersion.parse(text, os: os) }
  }

  /// Every key, as text: the platform and its parts, the libc, the CPU (null when there is none),
  /// the OS release when the matrix names one.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(platform.description, forKey: .platform)
    try c.encode(os, forKey: .os)
    try c.encode(arch, forKey: .arch)
    try c.encode(variant, forKey: .variant)
    try c.encode(libc.description, forKey: .libc)
    try c.encode(cpu?.name, forKey: .cpu)
    try c.encodeIfPresent(osVersion?.name, forKey: .osVersion)
  }
}
