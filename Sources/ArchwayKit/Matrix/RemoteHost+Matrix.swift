import Foundation

extension RemoteHost {
  /// The keys a host of `hosts:` may have.
  static let keys = ["host", "port", "user", "identity_file", "known_hosts", "trust_new_host_key", "platform"]

  /// The hosts of a matrix's `hosts:` (name → map), their files taken from `directory`. Throws a
  /// ``MatrixError`` at the first value that is not what it must be: a host without `host:`, a port
  /// out of range, a key or known-hosts file that is not there, a host without `known_hosts:` that
  /// does not say `trust_new_host_key: true`, a platform no target has.
  static func parse(_ value: MatrixValue, directory: String) throws(MatrixError) -> [RemoteHost] {
    guard let entries = value.entries else {
      throw MatrixError(
        "'hosts' must be a map of names to machines, like 'pi: {host: pi.lan, known_hosts: keys/known_hosts}',"
          + " not \(value.shapeName)", at: value.location)
    }
    var hosts: [RemoteHost] = []
    for entry in entries {
      hosts.append(try host(entry, directory: directory))
    }
    return hosts
  }

  private static func host(_ entry: MatrixEntry, directory: String) throws(MatrixError) -> RemoteHost {
    let name = entry.key
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
      throw MatrixError(
        "host name '\(name)' must be letters, digits, '-', '_' or '.'", at: entry.keyLocation ?? entry.value.location)
    }
    guard let fields = entry.value.entries else {
      throw MatrixError(
        "host '\(name)' must be a map like {host: ADDRESS, known_hosts: FILE}, not \(entry.value.shapeName)",
        at: entry.value.location)
    }
    for field in fields where !keys.contains(field.key) {
      throw MatrixFile.unknownKey(field, among: keys, in: "host '\(name)'")
    }
    func text(_ key: String) throws(MatrixError) -> String? {
      guard let value = entry.value[key] else { return nil }
      guard let text = value.scalarText, !text.isEmpty else {
        throw MatrixError("'\(key)' of host '\(name)' must be one word, not \(value.shapeName)", at: value.location)
      }
      // ssh reads a leading '-' as an option, and whitespace or a newline would split its arguments.
      guard !text.hasPrefix("-"), !text.contains(where: { $0.isWhitespace || $0.isNewline }) else {
        throw MatrixError(
          "'\(key)' of host '\(name)' is \(text.jsonQuoted): it may not start with '-' or hold spaces",
          at: value.location)
      }
      return text
    }
    func file(_ key: String) throws(MatrixError) -> String? {
      guard let written = try text(key) else { return nil }
      let path = PathText.absolute(written, from: directory)
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
        throw MatrixError(
          "the \(key) of host '\(name)' is not a file: '\(written)' (looked for \(path))",
          at: entry.value[key]?.location ?? entry.value.location)
      }
      return path
    }
    guard let address = try text("host") else {
      throw MatrixError(
        "host '\(name)' has no 'host:' (its address or DNS name)", at: entry.keyLocation ?? entry.value.location)
    }
    var host = RemoteHost(name: name, address: address)
    if let value = entry.value["port"] {
      guard let port = Int(value.description), (1...65535).contains(port) else {
        throw MatrixError("'port' of host '\(name)' must be 1 to 65535, not '\(value)'", at: value.location)
      }
      host.port = port
    }
    host.user = try text("user")
    host.identityFile = try file("identity_file")
    host.knownHosts = try file("known_hosts")
    if let value = entry.value["trust_new_host_key"] {
      guard case .bool(let flag) = value.kind else {
        throw MatrixError("'trust_new_host_key' must be true or false, not '\(value)'", at: value.location)
      }
      host.trustNewHostKey = flag
    }
    if host.knownHosts == nil, !host.trustNewHostKey {
      throw MatrixError(
        "host '\(name)' has no 'known_hosts:': Archway checks every host's key and trusts none on first use;"
          + " give the file its key is in (ssh-keyscan -p \(host.port) \(address) > known_hosts, then check it),"
          + " or say 'trust_new_host_key: true'", at: entry.keyLocation ?? entry.value.location)
    }
    if let value = entry.value["platform"] {
      do {
        host.platform = try Platform.parse(value.scalarText ?? value.description)
      } catch {
        throw MatrixError("the platform of host '\(name)': \(error)", at: value.location)
      }
    }
    return host
  }
}
