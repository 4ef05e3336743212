import Foundation

/// Where Archway keeps what it builds once for many runs: environments, the wine prefix template.
public enum CacheFolder {
  /// Archway's cache: `$XDG_CACHE_HOME/archway`, else `~/.cache/archway`, for Archway's `environment`.
  public static func archway(environment: [String: String]) -> String {
    (environment["XDG_CACHE_HOME"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.cache")) + "/archway"
  }

  /// The environments' cache (`archway env`): `CACHE/environments`.
  public static func environments(environment: [String: String]) -> String {
    archway(environment: environment) + "/environments"
  }
}
