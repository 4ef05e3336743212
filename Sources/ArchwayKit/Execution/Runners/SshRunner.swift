import Foundation

/// ``RunnerChoice/ssh(_:)``'s setup: the machine and the ssh client that reaches it.
package struct SshSetup: RunnerSetup {
  package var basis: RunnerBasis
  /// The ssh client, as found on the PATH.
  package var ssh: String
  /// The machine.
  package var host: RemoteHost

  var record: RunnerRecord { basis.record(.ssh) { ($0.launcher, $0.remoteHost) = (ssh, host) } }

  func runner(context: RunnerContext) -> any StepRunner { SshRunner(setup: self, context: context) }
}

/// Runs a cell's steps on a real machine over ssh. ``prepare()`` opens one connection that every
/// step reuses (`ControlMaster`), checks that the machine is the cell's platform, makes a private
/// folder there and copies into it, by tar over ssh, the cell's folder (but its logs) and what the
/// steps name of the project. A local path `P` is `REMOTE/P` there, in every word, variable and
/// workdir of a step. Each step runs in a POSIX `sh` that records its process group, so a time limit
/// or an interrupt ends the whole group there, not only the local client; when ssh says 255, a file
/// beside it says whether that was the program's exit or a dropped connection (never read as one);
/// its result file (`tests: {file:}`) is copied back after it (``collect(after:)``). ``finish()`` removes the folder and
/// closes the connection. Host keys are always checked; no agent or X11 is forwarded.
struct SshRunner: StepRunner, SetupBacked {
  let setup: SshSetup
  let context: RunnerContext
  /// Where the connection's socket is (a short private folder: a socket path has at most 104 bytes).
  private(set) var control: String?
  /// The cell's folder on the machine (`mktemp -d`), once prepared.
  private(set) var remote: String?
  /// The connection every step shares (`ssh -M -N`), supervised like a step until ``finish()``.
  private(set) var master: Task<ProcessOutcome, Never>?

  private var host: RemoteHost { setup.host }

  /// What a real machine is cannot be known before connecting: its kernel (and so its page size),
  /// libraries and CPU change under the same name. A value no other key holds: its cells always run.
  func identity() async -> [String: String] {
    ["machine": ReuseKey.unknown("\(host.name)'s kernel, page size and libraries are not known before connecting")]
  }

  /// The most that is copied to the machine for a cell: 2 GiB in at most 100,000 files.
  static let uploadLimit = (bytes: 2 << 30, files: 100_000)
  /// What a step's script starts with, so ``run(_:)`` knows a step from a probe.
  static let stepMark = "# archway step"

  // MARK: The connection

  /// ssh's options: no configuration file but these, batch mode (never a prompt), host keys checked
  /// against the host's `known_hosts` (or, with `trust_new_host_key`, learnt once into the cell's
  /// own), no agent, X11 or port forwarding, the shared connection, and keep-alives that notice a
  /// machine gone within about 15 seconds.
  func options(master: Bool = false) -> [String] {
    Self.options(host, learnt: context.logs + "/known_hosts", control: control, master: master)
  }

  /// ssh's options for `host`, with `learnt` the known-hosts file of a host that names none.
  static func options(_ host: RemoteHost, learnt: String, control: String?, master: Bool) -> [String] {
    var words = [
      "-F", "none", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "-o", "ServerAliveInterval=5",
      "-o", "ServerAliveCountMax=3", "-o", "StrictHostKeyChecking=" + (host.trustNewHostKey ? "accept-new" : "yes"),
      "-o", "UserKnownHostsFile=" + (host.knownHosts ?? learnt),
      "-o", "GlobalKnownHostsFile=/dev/null", "-o", "ForwardAgent=no", "-o", "ForwardX11=no",
      "-o", "ClearAllForwardings=yes", "-o", "PermitLocalCommand=no", "-o", "IdentityAgent=none",
      "-o", "LogLevel=ERROR",
    ]
    if let identity = host.identityFile { words += ["-o", "IdentitiesOnly=yes", "-i", identity] }
    if let control { words += ["-o", "ControlPath=\(control)/socket", "-o", "ControlMaster=\(master ? "yes" : "no")"] }
    if master { words += ["-N"] }
    if let user = host.user { words += ["-l", user] }
    return words + ["-p", String(host.port), "--", host.address]
  }

  /// The argv that runs `script` with the machine's `/bin/sh`, whatever its login shell is.
  func sshArgv(_ script: String) -> [String] { [setup.ssh] + options() + ["/bin/sh -c " + script.shellQuoted] }

  /// Runs `script` there, as Archway's own (logged under `name`), within `seconds`; its output and
  /// status. Not cancelled with the calling task: what it undoes must be undone after an interrupt.
  private func ask(_ name: String, _ script: String, seconds: Int = 30) async -> ProcessOutcome {
    let launch = ProcessLaunch(
      argv: sshArgv(script), environment: context.environment, timeout: .seconds(seconds),
      logs: "\(context.logs)/ssh-\(name)")
    return await Task.detached { await ProcessSupervisor.run(launch) }.value
  }

  /// Why ssh failed, from what it wrote to stderr: a refused host key, a refused login key, a machine
  /// that does not answer.
  func reason(_ outcome: ProcessOutcome) -> String { Self.reason(outcome, host: host) }

  /// Why ssh to `host` failed, from what it wrote to stderr.
  static func reason(_ outcome: ProcessOutcome, host: RemoteHost) -> String {
    let said = (outcome.stderrHead + "\n" + outcome.stderrTail).split(separator: "\n").map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
    let text = said.joined(separator: " ")
    let known = host.knownHosts ?? "the cell's known_hosts"
    if text.contains("Host key verification failed") || text.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") {
      return "its host key is not the one in \(known): refused (check the machine, then its key)"
    }
    if text.contains("Permission denied") {
      return "it refused the login of \(host.user ?? "the local user")"
        + (host.identityFile.map { " with the key \($0)" } ?? "") + ": \(said.last ?? "")"
    }
    if case .timedOut = outcome.status { return "it did not answer in time" }
    return said.last.map { $0.hasPrefix("ssh:") ? $0 : "ssh: \($0)" } ?? "ssh ended with \(outcome.status)"
  }

  /// The problem of a step on this host, naming it: never a pass or a plain failure.
  private func problem(_ why: String) -> StepStatus { .infrastructure("host \(host.label): \(why)") }

  // MARK: StepRunner

  /// Opens the connection, checks the machine's platform, makes its folder and copies the files.
  mutating func prepare() async -> StepOutcome? {
    var folder = [CChar]("/tmp/archway-ssh.XXXXXX".utf8CString)
    guard mkdtemp(&folder) != nil else { return failed("ssh", .infrastructure("cannot make a private folder in /tmp")) }
    control = String(decoding: folder.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    if let refused = await connect() { return refused }
    let made = await ask("mkdir", "umask 077 && uname -sm && mktemp -d \"${TMPDIR:-/tmp}/archway.XXXXXX\"")
    // The last two lines: a login shell's startup files may print before them.
    let lines = made.stdoutHead.split(separator: "\n").suffix(2).map(String.init)
    guard made.status.succeeded, lines.count == 2, let folder = Self.safeFolder(lines[1]) else {
      return failed("mkdir", problem("cannot make a folder there: " + reason(made)), made)
    }
    remote = folder
    if let mismatch = Self.mismatch(uname: lines[0], target: context.target.platform) {
      return failed("uname", problem(mismatch), made)
    }
    return await upload()
  }

  /// Opens the shared connection: its master runs, supervised, until ``finish()`` closes it, and is
  /// ready when its socket is there. Returns the outcome when it ended first (refused, unreachable).
  private mutating func connect() async -> StepOutcome? {
    guard let control else { return nil }
    let launch = ProcessLaunch(
      argv: [setup.ssh] + options(master: true), environment: context.environment,
      timeout: .seconds(Int(StepCommand.longestTimeout)), logs: "\(context.logs)/ssh-connect")
    let ended = Ended()
    master = Task.detached {
      let outcome = await ProcessSupervisor.run(launch)
      ended.set(outcome)
      return outcome
    }
    let deadline = ContinuousClock.now + .seconds(45)
    while ContinuousClock.now < deadline {
      if let outcome = ended.outcome {
        return failed("connect", problem(reason(outcome)), outcome)
      }
      if FileManager.default.fileExists(atPath: control + "/socket") { return nil }
      try? await Task.sleep(for: .milliseconds(20))
    }
    return failed("connect", problem("it did not answer within 45 seconds"))
  }

  /// What the connection's master ended with, once it has.
  // @unchecked Sendable: the one stored value is guarded by the lock.
  private final class Ended: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ProcessOutcome?
    var outcome: ProcessOutcome? { lock.withLock { value } }
    func set(_ outcome: ProcessOutcome) { lock.withLock { value = outcome } }
  }

  /// Copies the cell's folder (but its logs) and what its steps name of the project to the machine,
  /// as one tar over the connection.
  private func upload() async -> StepOutcome? {
    guard let remote, let control else { return nil }
    let list: [String]
    do {
      list = try Self.uploadList(for: context)
    } catch {
      return failed("upload", problem(error.description))
    }
    let names = list.map { String($0.dropFirst()) }.joined(separator: "\0") + "\0"
    let listFile = control + "/files"
    guard FileManager.default.createFile(atPath: listFile, contents: Data(names.utf8)) else {
      return failed("upload", .infrastructure("cannot write \(listFile)"))
    }
    // Packed as it is sent: nothing as large as the files is written here first.
    let pack = "tar -C / --null --no-recursion -T \"$0\" -cf - | \"$@\""
    let sent = await ProcessSupervisor.run(
      ProcessLaunch(
        argv: ["bash", "-o", "pipefail", "-c", pack, listFile] + sshArgv("cd \(remote.shellQuoted) && tar -xf -"),
        environment: context.environment, timeout: .seconds(3600), logs: "\(context.logs)/ssh-upload"))
    guard sent.status.succeeded else { return failed("upload", problem("the copy failed: " + reason(sent)), sent) }
    return nil
  }

  /// The outcome of a preparation that failed at `what`.
  private func failed(_ what: String, _ status: StepStatus, _ process: ProcessOutcome? = nil) -> StepOutcome {
    var outcome = process ?? ProcessOutcome(argv: [setup.ssh, host.address], status: status)
    outcome.status = status
    return StepOutcome(id: .run("ssh-\(what)"), process: outcome)
  }

  func launch(_ command: StepCommand) -> StepLaunch {
    guard let remote else { return .cannotRun(problem("the connection is not open")) }
    return .run(argv: sshArgv(Self.script(for: command, context: context, remote: remote)), workingDirectory: nil)
  }

  /// A step's script, with every local path of the cell or the project made the remote one.
  static func script(for command: StepCommand, context: RunnerContext, remote: String) -> String {
    let map = { (word: String) in Self.mapped(word, context: context, remote: remote) }
    // Where Archway runs, as a step without a workdir starts here.
    let workdir = map(command.workingDirectory ?? context.host.project ?? context.folder)
    var variables = command.environment.mapValues(map)
    // A variable's name must be one the shell can export.
    variables = variables.filter { key, _ in
      key.first.map { !$0.isNumber } ?? false
        && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
    variables["ARCHWAY_CELL"] = context.cellID
    variables["ARCHWAY_CELL_OUT"] = remote + context.folder
    let assignments = variables.sorted { $0.key < $1.key }.map { "export " + "\($0.key)=\($0.value)".shellQuoted }
    let status = (remote + "/.archway-status").shellQuoted
    let script =
      [
        stepMark,
        "cd \(workdir.shellQuoted) || exit 125",
        "pgid=$(ps -o pgid= -p $$ 2>/dev/null | tr -d ' ') ; echo \"${pgid:-$$}\" > \((remote + "/.archway-pgid").shellQuoted)",
        "rm -f \(status)",
      ] + ulimits(command.limits) + assignments + [
        command.argv.map(map).map(\.shellQuoted).joined(separator: " "),
        "s=$?", "echo \"$s\" > \(status)", "exit \"$s\"",
      ]
    return script.joined(separator: "\n")
  }

  /// `ulimit` lines for `limits` (`-c` and `-f` count 512-byte blocks in `sh`).
  static func ulimits(_ limits: [String: Int]) -> [String] {
    let flags: [String: (String, Int)] = [
      "nofile": ("-n", 1), "nproc": ("-u", 1), "stack": ("-s", 1), "as": ("-v", 1), "core": ("-c", 2),
      "cpu": ("-t", 1), "fsize": ("-f", 2),
    ]
    return limits.keys.sorted().compactMap { key in
      guard let (flag, scale) = flags[key], let value = limits[key] else { return nil }
      return "ulimit \(flag) \(value == ResourceLimit.unlimited ? "unlimited" : String(value * scale)) || exit 125"
    }
  }

  /// Runs a step (or a probe) through the connection. After a step that ran past its limit or was
  /// interrupted, its process group there is ended; after ssh's 255 the step's status file is read
  /// (without one, the connection failed: never the program's exit); a shell's 128 + N is signal N.
  func run(_ launch: ProcessLaunch) async -> ProcessOutcome {
    var outcome = await ProcessSupervisor.run(launch)
    guard let remote, launch.argv.last?.contains(Self.stepMark) == true else { return outcome }
    switch outcome.status {
    case .timedOut, .interrupted:
      await endGroup(remote)
    case .exited(255):
      // ssh's own failure, or the program's exit 255: the file beside the step says which.
      let said = await ask("status", "cat \((remote + "/.archway-status").shellQuoted)")
      if !said.status.succeeded || Int32(said.stdoutHead.trimmingCharacters(in: .whitespacesAndNewlines)) != 255 {
        await endGroup(remote)  // What the dropped connection left running there.
        outcome.status = problem("the connection failed during the step (\(reason(outcome)))")
      }
    case .exited(let code):
      // The server's exit status of the step's shell, which exits with the program's.
      if let signal = Self.signal(code) { outcome.status = .signaled(signal) }
    default: break
    }
    return outcome
  }

  /// Ends the step's process group there: SIGTERM, two seconds, SIGKILL.
  private func endGroup(_ remote: String) async {
    let group = (remote + "/.archway-pgid").shellQuoted
    _ = await ask(
      "kill",
      "g=$(cat \(group)) && [ -n \"$g\" ] && { kill -s TERM -- \"-$g\" 2>/dev/null; sleep 2;"
        + " kill -s KILL -- \"-$g\" 2>/dev/null; true; }")
  }

  /// `SIGSEGV` for a shell's status 139 (128 + the signal's number), named as the supervisor names a
  /// signal a local step dies of; nil for a status that names none.
  static func signal(_ status: Int32) -> String? {
    guard status > 128, status < 128 + 32 else { return nil }
    let name = ProcessSupervisor.signalName(status - 128)
    return name.hasPrefix("SIG") ? name : nil
  }

  /// Copies the step's result file (`tests: {file:}`) back from the machine into the cell's folder,
  /// replacing what is there; one the machine does not have is removed here too, so an earlier
  /// run's is never read.
  func collect(after step: RunStep) async {
    guard let remote, let path = step.expect.outputs?.tests?.file, PathText.isInside(path, folder: context.folder)
    else { return }
    let part = path + ".archway-part"
    try? FileManager.default.createDirectory(
      atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
    let launch = ProcessLaunch(
      argv: sshArgv("cat \((remote + path).shellQuoted)"), environment: context.environment, timeout: .seconds(600),
      stdoutLog: part, stderrLog: "\(context.logs)/ssh-fetch.stderr.log")
    let fetched = await Task.detached { await ProcessSupervisor.run(launch) }.value
    if fetched.status.succeeded {
      rename(part, path)
    } else {
      unlink(part)
      unlink(path)
    }
  }

  /// Removes the cell's folder on the machine and closes the connection, also after an interrupt.
  func finish() async {
    if let remote { _ = await ask("cleanup", "rm -rf \(remote.shellQuoted)") }
    guard let control else { return }
    let close = ProcessLaunch(
      argv: [setup.ssh, "-O", "exit"] + options(), environment: context.environment, timeout: .seconds(10),
      logs: "\(context.logs)/ssh-close")
    _ = await Task.detached { await ProcessSupervisor.run(close) }.value
    _ = await master?.value
    try? FileManager.default.removeItem(atPath: control)
  }

  func probe(_ argv: [String], limits: [String]) -> [String]? {
    sshArgv(argv.map(\.shellQuoted).joined(separator: " "))
  }

  /// The machine's own: its arch, kernel, libc (glibc's version, or macOS's), page size, and the
  /// limits a step meets there with the cell's `ulimit:` (`/proc/self/limits`, or where there is
  /// none, as macOS has none, `ulimit` in its rows' form).
  func fingerprint(limits: [String], ask: Fingerprint.Asker) async -> Fingerprint? {
    let script =
      (Self.ulimits(context.steps.limits) + [
        "uname -m", "uname -r",
        "if [ \"$(uname -s)\" = Darwin ]; then echo \"macOS $(sw_vers -productVersion)\";"
          + " else getconf GNU_LIBC_VERSION 2>/dev/null || echo; fi",
        "getconf PAGESIZE 2>/dev/null || pagesize",
        "if [ -r /proc/self/limits ]; then cat /proc/self/limits; else echo \"Max open files $(ulimit -n)\";"
          + " s=$(ulimit -s); [ \"$s\" = unlimited ] || s=$((s * 1024)); echo \"Max stack size $s\";"
          + " echo \"Max processes $(ulimit -u 2>/dev/null)\"; fi",
      ]).joined(separator: "\n")
    let lines = await ask("fingerprint", sshArgv(script))
    guard var fingerprint = Fingerprint(limitsProbe: lines) else { return nil }
    if lines.count > 3, !lines[3].isEmpty { fingerprint.pageSize = lines[3] }
    return fingerprint
  }
}

extension SshRunner {
  /// `path` without `.` and `..`, when it is an absolute folder of plain characters (what `mktemp -d`
  /// prints); nil for anything else a machine could answer.
  static func safeFolder(_ path: String) -> String? {
    guard path.hasPrefix("/"), path.count > 1, !path.contains(".."),
      path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/._-".contains($0)) })
    else { return nil }
    return path
  }

  /// Why a machine whose `uname -sm` says `uname` cannot run `target`'s programs as the target
  /// does, or nil when it is the target (or runs it: a 64-bit arm runs 32-bit arm, amd64 runs 386).
  static func mismatch(uname: String, target: Platform) -> String? {
    let parts = uname.split(separator: " ").map(String.init)
    guard parts.count == 2 else { return "its uname -sm said \(uname.jsonQuoted)" }
    let os = ["Linux": "linux", "Darwin": "darwin"][parts[0]] ?? parts[0].lowercased()
    let arch =
      [
        "x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm", "armv8l": "arm", "i686": "386",
        "i386": "386", "riscv64": "riscv64", "ppc64le": "ppc64le", "s390x": "s390x",
      ][parts[1]] ?? parts[1]
    let runs =
      arch == target.arch || (arch == "arm64" && target.arch == "arm") || (arch == "amd64" && target.arch == "386")
    guard os != target.os || !runs else { return nil }
    return "it is \(os)/\(arch) (uname -sm: \(uname)), not \(target): it would not prove the cell's target"
  }

  /// A word as the machine knows it: every path in it under the cell's folder or the project (a
  /// whole path, in a shell script's text too) made `REMOTE/PATH`; every other path as it is (the
  /// machine's own programs: `/bin/sh`).
  static func mapped(_ word: String, context: RunnerContext, remote: String) -> String {
    var result = ""
    var rest = word[...]
    for (range, _) in paths(in: word, under: roots(of: context)) {
      result += rest[..<range.lowerBound] + remote
      rest = word[range.lowerBound...]
    }
    return result + rest
  }

  /// The folders whose paths are the machine's too: the cell's and the project's.
  static func roots(of context: RunnerContext) -> [String] {
    [context.folder] + (context.host.project.map { [$0] } ?? [])
  }

  /// The paths in `word` that start with one of `roots` as whole folders: each one's range, to the
  /// end of the path (the first character no path of a script holds: a space, a quote, `;`, `|`…).
  static func paths(in word: String, under roots: [String]) -> [(Range<String.Index>, String)] {
    let pathCharacter = { (c: Character) in c.isLetter || c.isNumber || "/._-+~@%,=".contains(c) }
    var found: [(Range<String.Index>, String)] = []
    var index = word.startIndex
    while index < word.endIndex {
      let before = index == word.startIndex ? nil : word[word.index(before: index)]
      if word[index] == "/", before.map({ !pathCharacter($0) || $0 == "=" }) ?? true,
        let root = roots.first(where: { root in
          guard word[index...].hasPrefix(root) else { return false }
          let after = word.index(index, offsetBy: root.count)
          return after == word.endIndex || word[after] == "/" || !pathCharacter(word[after])
        })
      {
        var end = word.index(index, offsetBy: root.count)
        while end < word.endIndex, pathCharacter(word[end]) { end = word.index(after: end) }
        found.append((index..<end, String(word[index..<end])))
        index = end
      } else {
        index = word.index(after: index)
      }
    }
    return found
  }

  /// What goes to the machine, as absolute paths (folders before what they hold, none above what is
  /// named): the cell's folder
  /// but its `logs`, and every file or folder of the project a step names whole (an argv word, a
  /// variable's value or its workdir), but the folders of the other cells and `.git`. Throws an
  /// ``ExecError`` when that is more than ``uploadLimit``.
  static func uploadList(for context: RunnerContext) throws(ExecError) -> [String] {
    let folder = context.folder
    let outputRoot = URL(fileURLWithPath: folder).deletingLastPathComponent().path
    var named: [String] = [folder]
    if let project = context.host.project {
      for step in context.steps.run {
        let words =
          step.command.argv + step.command.environment.values + [step.command.workingDirectory].compactMap { $0 }
        for (_, path) in words.flatMap({ paths(in: $0, under: [project]) }) {
          if !PathText.isInside(path, folder: outputRoot), FileManager.default.fileExists(atPath: path) {
            named.append(PathText.absolute(path, from: "/"))
          }
        }
      }
    }
    var list: [String] = []
    var seen: Set<String> = []
    var bytes = 0
    func add(_ path: String) throws(ExecError) {
      // Not the folders above what is named: tar makes them there, and reading a shared one (/tmp)
      // that changes meanwhile fails the copy ("file changed as we read it").
      guard seen.insert(path).inserted else { return }
      list.append(path)
      guard list.count <= uploadLimit.files else {
        throw ExecError("the files to copy there are more than \(uploadLimit.files)")
      }
    }
    // Where a step without a workdir starts: the project's folder itself, without what it holds.
    if let project = context.host.project, project != "/" { try add(project) }
    for root in named {
      var status = stat()
      guard lstat(root, &status) == 0 else { continue }
      try add(root)
      guard status.st_mode & S_IFMT == S_IFDIR else {
        bytes += Int(status.st_size)
        continue
      }
      let skipped = root == folder ? [folder + "/logs"] : [outputRoot]
      guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
      while let relative = walker.nextObject() as? String {
        let path = root + "/" + relative
        if skipped.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) || relative.hasSuffix(".git")
          || relative.contains(".git/")
        {
          walker.skipDescendants()
          continue
        }
        guard lstat(path, &status) == 0 else { continue }
        try add(path)
        if status.st_mode & S_IFMT == S_IFREG { bytes += Int(status.st_size) }
        guard bytes <= uploadLimit.bytes else {
          throw ExecError("the files to copy there are more than \(uploadLimit.bytes >> 30) GiB (at \(path))")
        }
      }
    }
    return list
  }
}

extension SshSetup {
  /// What `archway doctor` says of the machine: whether it answers with its key checked, and its
  /// system, CPU, page size and libc; or the problem, named.
  package func check() async -> HostCheck {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("archway-doctor-\(UUID().uuidString)")
      .path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let script = [
      "uname -sm", "getconf PAGESIZE 2>/dev/null || pagesize",
      "getconf GNU_LIBC_VERSION 2>/dev/null || { sw_vers -productVersion 2>/dev/null | sed 's/^/macOS /'; } || echo '?'",
      "sysctl -n machdep.cpu.brand_string 2>/dev/null || sed -n 's/^\\(model name\\|uarch\\|cpu model\\|cpu\\)[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1",
    ].joined(separator: "; ")
    let argv =
      [ssh] + SshRunner.options(host, learnt: folder + "/known_hosts", control: nil, master: false)
      + ["/bin/sh -c " + script.shellQuoted]
    let outcome = await ProcessSupervisor.run(
      ProcessLaunch(
        argv: argv, environment: ProcessInfo.processInfo.environment, timeout: .seconds(30), logs: folder + "/ssh"))
    let name = "host \(host.name)"
    guard outcome.status.succeeded else {
      return HostCheck(
        name: name, ok: false, detail: "\(host.destination) does not answer: \(SshRunner.reason(outcome, host: host))",
        fix: "ssh -o BatchMode=yes -p \(host.port) \(host.user.map { "\($0)@" } ?? "")\(host.address) true")
    }
    let lines = outcome.stdoutHead.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let field = { (index: Int) in lines.count > index && !lines[index].isEmpty ? lines[index] : "?" }
    var detail = "\(host.destination): \(field(0)), page size \(field(1)), \(field(2)), CPU \(field(3))"
    var ok = true
    if let platform = host.platform, SshRunner.mismatch(uname: field(0), target: platform) != nil {
      let mismatch = "the cells of \(platform) that go there are errors"
      (ok, detail) = (false, detail + "; but its platform: says \(platform) (\(mismatch))")
    }
    return HostCheck(name: name, ok: ok, detail: detail, fix: nil)
  }
}
