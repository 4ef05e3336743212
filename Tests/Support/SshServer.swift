import Foundation

/// A real OpenSSH server (Debian's `openssh-server`) the tests start on the loopback address: its
/// own host key, configuration and port, logging in the user the tests run as with a key of its own.
/// Files for a matrix's `hosts:` entry are in ``folder``: `client` (the key), `known_hosts` (the
/// server's key), `wrong_known_hosts` (another key for the same address).
public struct SshServer: Sendable {
  /// Where its keys, configuration, log and pid file are.
  public let folder: String
  /// Its port on 127.0.0.1.
  public let port: Int

  /// Starts a server (`sshd` checks its configuration and binds before it goes to the background,
  /// so it answers once this returns). Throws when no port could be bound.
  public static func start(_ name: String) throws -> SshServer {
    let folder = Fixtures.scratch("sshd-" + name)
    for key in ["host", "client", "other"] {
      let made = try Command.runWaiting("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", "\(folder)/\(key)"])
      guard made.status == 0 else { throw Failure("ssh-keygen: \(made.stderr)") }
    }
    try FileManager.default.copyItem(atPath: folder + "/client.pub", toPath: folder + "/authorized_keys")
    // sshd as root needs its privilege-separation folder.
    try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
    for _ in 0..<20 {
      let port = Int.random(in: 20_000...60_000)
      try """
      Port \(port)
      ListenAddress 127.0.0.1
      HostKey \(folder)/host
      AuthorizedKeysFile \(folder)/authorized_keys
      PasswordAuthentication no
      KbdInteractiveAuthentication no
      PermitRootLogin prohibit-password
      StrictModes no
      UsePAM no
      MaxStartups 100
      MaxSessions 100
      PidFile \(folder)/pid
      """.write(toFile: folder + "/sshd_config", atomically: true, encoding: .utf8)
      let started = try Command.runWaiting("/usr/sbin/sshd", ["-f", folder + "/sshd_config", "-E", folder + "/log"])
      guard started.status == 0 else { continue }
      let server = SshServer(folder: folder, port: port)
      try server.knownHosts(key: "host").write(toFile: folder + "/known_hosts", atomically: true, encoding: .utf8)
      try server.knownHosts(key: "other").write(
        toFile: folder + "/wrong_known_hosts", atomically: true, encoding: .utf8)
      return server
    }
    throw Failure("sshd did not start: \((try? String(contentsOfFile: folder + "/log", encoding: .utf8)) ?? "")")
  }

  /// A known_hosts line that says the server's key is `key`'s public half.
  func knownHosts(key: String) throws -> String {
    let pub = try String(contentsOfFile: "\(folder)/\(key).pub", encoding: .utf8).split(separator: " ")
    return "[127.0.0.1]:\(port) \(pub[0]) \(pub[1])\n"
  }

  /// A matrix's `hosts:` entry named `name` for this server, with `knownHosts` its known-hosts file.
  public func hostEntry(_ name: String, knownHosts: String = "known_hosts", port: Int? = nil) -> String {
    """
      \(name):
        host: 127.0.0.1
        port: \(port ?? self.port)
        identity_file: \(folder)/client
        known_hosts: \(folder)/\(knownHosts)
    """
  }

  /// Stops the server (the connections it has end with it).
  public func stop() {
    guard let pid = try? String(contentsOfFile: folder + "/pid", encoding: .utf8),
      let number = Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines))
    else { return }
    kill(number, SIGTERM)
  }

  /// Kills the server's processes for its connections (not the server): each connection drops.
  public func dropConnections() {
    guard let pid = try? String(contentsOfFile: folder + "/pid", encoding: .utf8) else { return }
    let children =
      (try? Command.runWaiting("pgrep", ["-P", pid.trimmingCharacters(in: .whitespacesAndNewlines)]))?
      .stdout.split(separator: "\n").compactMap { Int32($0) } ?? []
    for child in children { kill(child, SIGKILL) }
  }

  struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }
}
