/// The machine a run happened on, as the report records it.
public struct HostInfo: Sendable, Hashable, Codable {
  /// `linux/amd64`.
  public var platform: String
  /// The kernel release (`uname -r`).
  public var kernel: String
  /// Program → the first line of its `--version`, for every emulator, engine and wine the cells used.
  public var tools: [String: String]
  /// binfmt_misc and its qemu registrations with flags.
  public var binfmt: String

  /// Creates a value.
  public init(platform: String, kernel: String, tools: [String: String], binfmt: String) {
    self.platform = platform
    self.kernel = kernel
    self.tools = tools
    self.binfmt = binfmt
  }
}
