import ArchwayKit
import Testing

/// Bad matrix files and the exact error and location each must give.
@Suite struct MatrixErrorTests {
  static func error(_ yaml: String) -> String? {
    do {
      let file = try MatrixFile.parse(yaml: yaml, file: "bad.yml")
      _ = try Planner(host: Platform(os: "linux", arch: "amd64")).plan(file)
      return nil
    } catch {
      return error.description
    }
  }

  @Test(arguments: [
    (
      "matrix:\n  platform: [linux/armv9]\n",
      "bad.yml:2:14: unknown platform 'linux/armv9'; did you mean 'linux/armv8'?"
    ),
    ("matrix:\n  arch: [arm64, mips]\n", "bad.yml:2:17: unknown platform 'linux/mips'; did you mean 'linux/mips64le'?"),
    (
      "matrix:\n  platform: [linux/arm64]\n  libc: [gnu, muls]\n",
      "bad.yml:3:15: unknown libc 'muls'; did you mean 'musl'?"
    ),
    (
      "matrix:\n  platform: [darwin/arm64]\n  libc: [musl]\n",
      "bad.yml:3:10: darwin/arm64 with libc 'musl': darwin targets use the system libc; 'musl' is only for linux"
    ),
    (
      "matrix:\n  platform: [windows/amd64]\n  libc: [gnu-2.31]\n",
      "bad.yml:3:10: windows/amd64 with libc 'gnu-2.31': windows targets use the system libc; 'gnu-2.31' is only for linux"
    ),
    (
      "matrix:\n  platform: linux/arm64\n",
      "bad.yml:2:13: axis 'platform' must be a list, not a string; write 'platform: [linux/arm64]'"
    ),
    ("matrix:\n  opt: []\n", "bad.yml:2:8: axis 'opt' has no values"),
    // A step's environment is a map of names to text: a list, a null or a nested value is no value.
    (
      "matrix:\n  x: [a]\nrun:\n  - argv: [\"true\"]\n    env: [A=B]\n",
      "bad.yml:5:10: 'env' must be a map of variables, not a list; write env: {NAME: value}"
    ),
    (
      "matrix:\n  x: [a]\nrun:\n  - argv: [\"true\"]\n    env: {PATH: ~}\n",
      "bad.yml:5:17: 'env' value of PATH must be text, not null; write PATH: '' for an empty value"
    ),
    (
      "matrix:\n  x: [a]\nrun:\n  - argv: [\"true\"]\n    env: {A: [1, 2]}\n",
      "bad.yml:5:14: 'env' value of A must be text, not a list; write A: '' for an empty value"
    ),
    (
      "matrix:\n  x: [a]\nrun:\n  - argv: [\"true\"]\n    env: {\"A=B\": c}\n",
      "bad.yml:5:11: 'env' variable name \"A=B\" must be non-empty, without '=' or NUL"
    ),
    (
      "matrix:\n  platform: [windows/amd64]\nverify:\n  signed: maybe\n",
      "bad.yml:4:11: 'signed' must be true or false, not 'maybe'"
    ),
    (
      "matrix:\n  platform: [linux/arm64]\nverify:\n  page_size: 3k\n",
      "bad.yml:4:14: 'page_size' '3k' must be 4k, 16k or 64k"
    ),
    (
      "matrix:\n  platform: [linux/amd64]\n  cpu: [x86-64-v2, x86-64v3]\n",
      "bad.yml:3:20: unknown cpu 'x86-64v3'; did you mean 'x86-64-v3'? (a qemu model is written as qemu lists it)"
    ),
    (
      """
      matrix:
        platform: [linux/amd64]
      build:
        argv: [true]
      verify:
        same_as: {cell: linux-amd64-gnx}

      """,
      "bad.yml:6:19: 'same_as' names no cell of the plan: 'linux-amd64-gnx'; did you mean 'linux-amd64-gnu'?"
    ),
    (
      "matrix:\n  include:\n    - {platform: linux/amd64, same_as: nowhere}\n",
      "bad.yml:3:40: 'same_as' names no cell of the plan: 'nowhere'"
    ),
    (
      """
      matrix:
        platform: [linux/amd64]
        env: [debian-11]
      build:
        in: target
        argv: [true]
      verify:
        reproducible: true

      """,
      "bad.yml:5:7: 'in: target' with 'reproducible:' is not supported: the rebuilds would run on the host, with another compiler; compare two cells with 'same_as:' instead"
    ),
    (
      "matrix:\n  platform: [linux/amd64]\nbuild:\n  in: somewhere\n  argv: [true]\n",
      "bad.yml:4:7: 'in' must be 'host' or 'target', not 'somewhere'"
    ),
    (
      "matrix:\n  platform: [linux/amd64]\n  cpu: [armv7]\n",
      "bad.yml:3:9: cpu 'armv7' is a level of arm, not amd64; amd64 has x86-64, x86-64-v2, x86-64-v3, x86-64-v4"
    ),
    (
      "matrix:\n  platform: [darwin/arm64]\n  cpu: [cortex-a53]\n",
      "bad.yml:3:9: cpu 'cortex-a53': a CPU is chosen for linux cells, which run under qemu; darwin/arm64 is not"
    ),
    (
      "matrix:\n  opt: [O2]\nbuidl:\n  argv: [make]\n",
      "bad.yml:3:1: unknown key 'buidl' in a matrix file; did you mean 'build'?"
    ),
    (
      "matrix:\n  opt: [O2, O2]\n",
      "bad.yml:2:13: duplicate cell 'linux-amd64-gnu-opt=O2': the same values as the cell from line 2"
    ),
    (
      "matrix:\n  opt: [O2]\n  exclude:\n    - opt: O2\n",
      "bad.yml:2:3: the matrix expands to no cells: every combination is excluded"
    ),
    (
      "matrix:\n  opt: [O2]\n  exclude:\n    - opts: O2\n",
      "bad.yml:4:7: exclude names 'opts', which is not an axis of this matrix; did you mean 'opt'?"
    ),
    ("matrix:\n  opt: [O2]\n  include: {opt: O3}\n", "bad.yml:3:12: 'include' must be a list of maps, not a map"),
    (
      "matrix:\n  opt: [O2]\n  include:\n    - O3\n",
      "bad.yml:4:7: each 'include' entry must be a map like 'arch: arm64', not a string"
    ),
    (
      "matrix:\n  opt: [O2]\nbuild:\n  argv: [cc, '-${opt}', '${opts}']\n",
      "bad.yml:4:26: unknown placeholder '${opts}'; did you mean '${opt}'?"
    ),
    (
      "matrix:\n  opt: [O2]\nbuild:\n  argv: [cc, -o, \"${target.gcc}\"]\n",
      "bad.yml:4:19: unknown placeholder '${target.gcc}'; did you mean '${target.gcc_prefix}'?"
    ),
    ("matrix:\n  opt: [O2]\nrun:\n  - argv: [\"${cell.out\"]\n", "bad.yml:4:13: '${' has no closing '}'"),
    // Issue 37: inside a `script: |` block the error named the `|`, lines above the placeholder.
    (
      "matrix:\n  opt: [O2]\nbuild:\n  shell: sh\n  script: |\n    echo one\n\n    echo \"${opt}\" ${target.nosuch}\n",
      "bad.yml:8:19: unknown placeholder '${target.nosuch}'; did you mean '${target.goarch}'?"
    ),
    (
      "matrix:\n  opt: [O2]\nrun:\n  - shell: sh\n    script: |2\n        echo ${opts}\n",
      "bad.yml:6:14: unknown placeholder '${opts}'; did you mean '${opt}'?"
    ),
    (
      "matrix:\n  platfrom: [linux/arm64]\n",
      "bad.yml:2:3: unknown axis 'platfrom' and no platform; did you mean 'platform'?"
    ),
    (
      "matrix:\n  platform: [linux/arm64]\n  arch: [arm64]\n",
      "bad.yml:3:10: a cell has both 'platform' and 'arch'; give one or the other"
    ),
    (
      "matrix:\n  platform: [[linux/arm64]]\n", "bad.yml:2:14: 'platform' must be a word like 'linux/arm64', not a list"
    ),
    (
      "matrix:\n  opt: [O2\n",
      "bad.yml:3:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"
    ),
    ("matrix:\n  opt: [O2]\n  opt: [O3]\n", "bad.yml:3:3: duplicate key 'opt'"),
    ("- matrix\n", "bad.yml:1:1: a matrix file is a map with 'matrix:' and more, not a list"),
    ("name: x\n", "bad.yml:1:1: 'matrix:' is missing"),
    ("", "bad.yml:1:1: the file is empty; it needs at least a 'matrix:'"),
    (
      "matrix:\n  platform: [linux/amd64]\n  libc: [any]\n",
      "bad.yml:3:10: libc 'any' is only for 'archway verify'; a cell needs a libc"
    ),
  ])
  func badFilesAreReportedAtTheirLocation(yaml: String, message: String) {
    #expect(Self.error(yaml) == message)
  }

  @Test func placeholdersResolveInsideArgvWithoutAShell() throws {
    let file = try MatrixFile.parse(
      yaml: """
        matrix:
          platform: [linux/arm/v7]
          opt: [O2]
        build:
          argv: ["${target.gcc_prefix}gcc", "-${opt}", "-o", "${cell.out}/a b", "$${HOME}"]
          artifacts: {x: "${cell.out}/a b"}
        run:
          - name: show
            argv: ["${artifact:x}", "$${artifact:x}", "$${cell.out}"]
        """, file: "m.yml")
    let planner = Planner(host: Platform(os: "linux", arch: "amd64"), outputRoot: "out", directory: "/w")
    let cell = try #require(try planner.plan(file).first)
    #expect(cell.out == "/w/out/linux-arm-v7-gnu-opt=O2")
    #expect(
      cell.steps.build?.argv == [
        "arm-linux-gnueabihf-gcc", "-O2", "-o", "/w/out/linux-arm-v7-gnu-opt=O2/a b", "${HOME}",
      ])
    #expect(cell.steps.artifacts == ["x": "/w/out/linux-arm-v7-gnu-opt=O2/a b"])
    // `$${` is a literal `${`, and nothing after the planner reads placeholders again.
    #expect(
      cell.steps.run.first?.command.argv == ["/w/out/linux-arm-v7-gnu-opt=O2/a b", "${artifact:x}", "${cell.out}"])
  }
}
