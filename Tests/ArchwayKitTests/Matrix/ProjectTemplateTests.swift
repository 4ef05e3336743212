import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// The matrix `archway init` writes for a make project names as artifacts only files the build
/// makes: a `.PHONY` target (lz4's `all: allmost examples manuals build_tests`) is no file, and
/// naming it failed every cell with a missing artifact.
@Suite struct ProjectTemplateTests {
  static func matrix(makefile: String, _ name: String = #function) throws -> String {
    let folder = Fixtures.scratch("template-" + name.prefix { $0 != "(" })
    try makefile.write(toFile: folder + "/Makefile", atomically: true, encoding: .utf8)
    return ProjectTemplate.matrix(for: .make, in: folder, schema: nil, glibc: "2.36")
  }

  @Test func phonyTargetsAreNotArtifacts() throws {
    let text = try Self.matrix(
      makefile: """
        .PHONY: default
        default: lib-release lz4-release
        .PHONY: all
        all: allmost examples manuals build_tests
        .PHONY: allmost examples
        allmost: lib lz4
        .PHONY: manuals build_tests check
        check:
        \tmake -C tests test

        """)
    #expect(
      !text.contains("    allmost:") && !text.contains("    examples:") && !text.contains("build_tests:"), "\(text)")
    #expect(text.contains("# artifacts: {NAME:"), "\(text)")
    #expect(text.contains("- name: check"))
  }

  @Test func realProgramsBesidePhonyOnesStay() throws {
    let text = try Self.matrix(
      makefile: """
        all: hello docs tool
        .PHONY: all docs clean
        hello: hello.c
        \t$(CC) -o $@ hello.c

        """)
    #expect(text.contains("    hello: \"${cell.out}/src/hello\""), "\(text)")
    #expect(text.contains("    tool: \"${cell.out}/src/tool\""), "\(text)")
    #expect(!text.contains("    docs:"), "\(text)")
  }
}
