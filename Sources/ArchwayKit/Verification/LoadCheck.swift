import Foundation

extension ArtifactVerifier {
  /// `verdicts` with a `loads` violation for each ELF program that would not load in `recipe`'s root
  /// filesystem of its arch (``LoadPredictor``). Throws an ``EnvironmentError`` (the host's shortfall)
  /// when that root filesystem is not built, or the recipe has no such arch.
  package static func checkLoads(
    _ verdicts: [ArtifactVerdict], in recipe: EnvironmentRecipe, store: EnvironmentStore
  ) throws(EnvironmentError) -> [ArtifactVerdict] {
    var checked: [ArtifactVerdict] = []
    for verdict in verdicts {
      guard let arch = LoadPredictor.debianArch(of: verdict.facts), verdict.facts.error == nil else {
        checked.append(verdict)
        continue
      }
      guard recipe.arches.contains(arch) else {
        throw EnvironmentError(
          "\(recipe.name) has no arch \(arch); it exists for \(recipe.arches.joined(separator: ", "))")
      }
      guard let built = store.cached(recipe, arch: arch) else {
        throw EnvironmentError(
          "the environment \(recipe.name)/\(arch) is not built (archway env build \(recipe.name) --arch \(arch))",
          hostLacksIt: true)
      }
      let prediction = LoadPredictor.predict(verdict.path, facts: verdict.facts, root: built.rootfs)
      let found = prediction.problems.map { problem in
        Violation(
          check: .loads, expected: "loads in \(recipe.name)", found: problem,
          message: "would not load in \(recipe.name)/\(arch): \(problem)")
      }
      checked.append(ArtifactVerdict(path: verdict.path, facts: verdict.facts, violations: verdict.violations + found))
    }
    return checked
  }
}
