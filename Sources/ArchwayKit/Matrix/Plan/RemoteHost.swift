/// A machine a cell's run steps go to over ssh (`hosts:` in a matrix, `runner: ssh`): where it is,
/// who logs in with which key, the host keys it must show, and the platform it is.
package struct RemoteHost: Sendable, Hashable, Codable {
  /// The name the matrix gives it (`host: mac-mini`).
  package var name: String
  /// Its address or DNS name (`host:`).
  package var address: String
  /// The ssh port (22 unless given).
  package var port: Int
  /// Who logs in; ssh's default (the local user) when nil.
  package var user: String?
  /// The private key to log in with, absolute; ssh's defaults when nil. Its path is recorded, never
  /// its contents.
  package var identityFile: String?
  /// The host keys the machine must show (`known_hosts:`), absolute. Without one, ssh learns the key
  /// on first use only when ``trustNewHostKey`` says so, into the cell's own file.
  package var knownHosts: String?
  /// Whether a host key not yet known is accepted and remembered (`trust_new_host_key: true`; never
  /// a changed one).
  package var trustNewHostKey: Bool
  /// What the machine is (`platform: darwin/arm64`): the cells of that platform that nothing on the
  /// local machine runs go to it, and `doctor` checks its `uname -sm` against it. Nil: any.
  package var platform: Platform?

  enum CodingKeys: String, CodingKey {
    case name, address = "host", port, user, identityFile = "identity_file", knownHosts = "known_hosts"
    case trustNewHostKey = "trust_new_host_key", platform
  }

  /// A host from its parts.
  package init(
    name: String, address: String, port: Int = 22, user: String? = nil, identityFile: String? = nil,
    knownHosts: String? = nil, trustNewHostKey: Bool = false, platform: Platform? = nil
  ) {
    self.name = name
    self.address = address
    self.port = port
    self.user = user
    self.identityFile = identityFile
    self.knownHosts = knownHosts
    self.trustNewHostKey = trustNewHostKey
    self.platform = platform
  }

  /// `user@address:port`, as reports and `doctor` name the machine.
  package var destination: String {
    (user.map { "\($0)@" } ?? "") + (address.contains(":") ? "[\(address)]" : address) + ":\(port)"
  }

  /// `NAME (user@address:port)`.
  package var label: String { "\(name) (\(destination))" }
}
