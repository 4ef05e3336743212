import Foundation

/// The processes whose command line holds a marker, as `PID: command line`: what a test that
/// ended a process tree looks for. The scan runs on a thread of its own: reading another process's
/// command line waits for its memory map's lock, which a busy process holds for milliseconds, and
/// a scan of every process on one of Swift concurrency's few threads held them from other tests.
public enum Survivors {
  /// The processes whose command line holds `marker`; without `shells`, not the `sh -c` ones (a
  /// script that names the marker, not a process it started).
  public static func matching(_ marker: String, shells: Bool = true) async -> [String] {
    await onAThreadOfItsOwn {
      let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
      return entries.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        return line.contains(marker) && (shells || !line.contains("sh -c")) ? "\(pid): \(line)" : nil
      }
    }
  }
}
