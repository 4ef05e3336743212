/// What a release artifact must be to run on a target: the release gate's expectations.
public struct ArtifactPolicy: Sendable, Hashable, Codable {
  public var platform: Platform
  public var libc: LibcRequirement
  /// The newest glibc the artifact may need: `--glibc-max`, else the libc's (`gnu-2.31`).
  public var glibcMax: DottedVersion?
  /// Library names or shell patterns (`libc.so.*`) the artifact may need; nil allows any.
  public var allowedNeeded: [String]?

  public init(
    platform: Platform, libc: LibcRequirement = .any, glibcMax: DottedVersion? = nil, allowedNeeded: [String]? = nil
  ) {
    self.platform = platform
    self.libc = libc
    self.glibcMax = glibcMax ?? libc.glibcCeiling
    self.allowedNeeded = allowedNeeded
  }

  /// The file format the platform's OS loads.
  var expectedFormats: [BinaryFormat] {
    switch platform.os {
    case "darwin": [.macho, .machoFat]
    case "windows": [.pe]
    default: [.elf]
    }
  }

  /// The float ABI an ARM variant requires: hard for armhf (v6, v7), soft for armel (v5).
  var armFloatABI: String? {
    guard platform.arch == "arm", platform.os == "linux" else { return nil }
    return platform.variant == "v5" ? "soft" : "hard"
  }
}
