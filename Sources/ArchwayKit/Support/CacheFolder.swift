import Foundation

/// Where Archway keeps what it builds once for many runs: environments, the wine prefix template.
package enum CacheFolder {
  /// Archway's cache: `$XDG_CACHE_HOME/archway`, else `~/.cache/archway`, for Archway's `environment`.
  package static func archway(environment: [String: String]) -> String {
    (environment["XDG_CACHE_HOME"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.cache")) + "/archway"
  }

  /// The environments' cache (`archway env`): `CACHE/environments`.
  package static func environments(environment: [String: String]) -> String {
    archway(environment: environment) + "/environments"
  }
}
