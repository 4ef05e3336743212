/// The machine a run happened on, as the report records it.
package struct HostInfo: Sendable, Hashable, Codable {
  /// `linux/amd64`.
  package var platform: String
  /// The kernel release (`uname -r`).
  package var kernel: String
  /// Program → the first line of its `--version`, for every emulator, engine and wine the cells used.
  package var tools: [String: String]
  /// binfmt_misc and its qemu registrations with flags.
  package var binfmt: String

  /// Creates a value.
  package init(platform: String, kernel: String, tools: [String: String], binfmt: String) {
    self.platform = platform
    self.kernel = kernel
    self.tools = tools
    self.binfmt = binfmt
  }
}
