extension Array where Element: Sendable {
  /// `transform` applied to every element, at most `jobs` at once, results in the elements' order.
  func concurrentMap<Result: Sendable>(
    jobs: Int, _ transform: @escaping @Sendable (Element) async -> Result
  ) async -> [Result] {
    await withTaskGroup(of: (Int, Result).self) { group in
      var results = [Result?](repeating: nil, count: count)
      var next = 0
      func submit() {
        guard next < count else { return }
        let (index, element) = (next, self[next])
        group.addTask { (index, await transform(element)) }
        next += 1
      }
      for _ in 0..<Swift.max(1, jobs) { submit() }
      while let (index, result) = await group.next() {
        results[index] = result
        submit()
      }
      return results.map { $0! }
    }
  }
}
