import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// The container session's step server, run by the host's `sh` (what it does inside a container is
/// ContainerRunnerTests' part): the cases no timing in a real run reaches reliably.
@Suite struct ContainerSessionTests {
  /// A kill that arrives together with the step — before the server's shell has even written the
  /// step's pid — still ends it, rather than leaving it running until the container goes.
  @Test func aKillThatArrivesAsTheStepStartsEndsIt() async throws {
    let folder = Fixtures.scratch("session-race")
    #expect(mkfifo(folder + "/requests", 0o600) == 0)
    let session = ContainerSession(engine: "podman", id: "", folder: folder)
    let marker = "35\(Int.random(in: 100_000...999_999))"
    let client = session.exec(["sleep", marker], environment: [:], workdir: nil, limits: [], stdin: false)
    let step = try #require(client.dropLast().last)
    // The client's part, with the kill request written in the same breath as the step's id.
    let harness = """
      dir=$1 step=$1/$3
      sh -c "$2" server "$dir" & server=$!
      until [ -e "$dir/ready" ]; do sleep 0.01; done
      : >"$step/stdin"; cat "$step/stdout" & cat "$step/stderr" >&2 &
      printf '%s\\nkill:%s\\n' "$3" "$3" >"$dir/requests"
      read -r code <"$step/status"; echo "$code"; kill "$server"
      """
    let outcome = await ProcessSupervisor.run(
      ProcessLaunch(
        argv: ["sh", "-c", harness, "harness", folder, ContainerSession.server, step],
        environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(20), logs: folder + "/race"))
    #expect(outcome.status == .exited(0) && outcome.stdoutHead == "143\n", "\(outcome.status) \(outcome.stderrHead)")
    let left = await Survivors.matching(marker)
    #expect(left.isEmpty, "\(left)")
  }

  /// A client whose session is gone (no status FIFO: the container was removed under it) ends at
  /// once with 125 and says why, rather than polling for a status that never comes.
  @Test func aClientWhoseSessionIsGoneEndsAtOnce() async throws {
    let folder = Fixtures.scratch("session-gone")
    _ = FileManager.default.createFile(atPath: folder + "/requests", contents: nil)
    let session = ContainerSession(engine: "podman", id: "", folder: folder)
    let client = session.exec(["true"], environment: [:], workdir: nil, limits: [], stdin: false)
    let step = try #require(client.dropLast().last)
    for stream in ["stdout", "stderr", "status"] { unlink("\(folder)/\(step)/\(stream)") }
    for stream in ["stdout", "stderr"] {
      _ = FileManager.default.createFile(atPath: "\(folder)/\(step)/\(stream)", contents: nil)
    }
    let outcome = await ProcessSupervisor.run(
      ProcessLaunch(
        argv: client, environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(20),
        logs: folder + "/gone"))
    #expect(outcome.status == .exited(125), "\(outcome.status)")
    #expect(outcome.stderrHead.contains("the container session ended before the step reported"))
  }
}
