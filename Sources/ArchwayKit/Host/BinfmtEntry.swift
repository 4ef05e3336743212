import Foundation

/// One registration of binfmt_misc (`/proc/sys/fs/binfmt_misc/qemu-aarch64`): whether it is
/// enabled, the interpreter the kernel starts for it and its flags (`PF`, `POCF`).
package struct BinfmtEntry: Sendable, Hashable {
  /// Where the kernel lists the registrations.
  package static let folder = "/proc/sys/fs/binfmt_misc"

  /// Whether the kernel uses it.
  package var enabled: Bool
  /// The program it starts (`/usr/libexec/qemu-binfmt/aarch64-binfmt-P`).
  package var interpreter: String?
  /// Its flags, without the `flags:` label; nil when the entry names none.
  package var flags: String?

  /// The registration `name` in `folder`; nil when there is none (or it cannot be read).
  package static func read(_ name: String, folder: String = folder) -> BinfmtEntry? {
    guard let text = try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8) else { return nil }
    let lines = text.split(separator: "\n")
    func field(_ label: String) -> String? {
      lines.first { $0.hasPrefix(label) }.map { $0.dropFirst(label.count).trimmingCharacters(in: .whitespaces) }
    }
    return BinfmtEntry(enabled: lines.first == "enabled", interpreter: field("interpreter "), flags: field("flags:"))
  }

  /// The names of the `qemu-*` registrations in `folder`, sorted.
  package static func qemuNames(folder: String = folder) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("qemu-") }.sorted()
  }
}
