import Foundation

extension ResourceLimit {
  /// Linux's resource numbers (<bits/resource.h>), the same on every architecture it runs on.
  package static let linuxResources: [String: Int32] = [
    "cpu": 0, "fsize": 1, "stack": 3, "core": 4, "nproc": 6, "nofile": 7, "as": 9,
  ]

  /// Why this host cannot grant `limits` (`ulimit:` values), or nil when it can: a limit above the
  /// hard limit needs root, and no one gets more open files than `fs.nr_open`.
  static func hostProblem(_ limits: [String: Int]) -> String? {
    #if os(Linux)
      let resources = linuxResources
      for key in limits.keys.sorted() {
        guard let value = limits[key], let (_, scale) = known[key], let resource = resources[key] else { continue }
        let wanted = value == unlimited ? UInt64(rlim_t.max) : UInt64(value) * UInt64(scale)
        if key == "nofile",
          let text = try? String(contentsOfFile: "/proc/sys/fs/nr_open", encoding: .utf8),
          let most = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)), wanted > most
        {
          return "ulimit nofile \(value) is above what this host allows anyone (fs.nr_open is \(most))"
        }
        var current = rlimit()
        guard geteuid() != 0, getrlimit(__rlimit_resource_t(resource), &current) == 0, current.rlim_max != rlim_t.max
        else { continue }
        if wanted > UInt64(current.rlim_max) {
          return "ulimit \(key) \(value == unlimited ? "unlimited" : String(value)) is above this host's hard limit"
            + " (\(UInt64(current.rlim_max) / UInt64(scale)))"
            + " and only root may raise it"
        }
      }
    #endif
    return nil
  }
}
