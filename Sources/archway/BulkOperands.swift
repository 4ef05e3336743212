import ArgumentParser

/// A command whose trailing operands (files) may come by the thousand: `archway inspect $(find …)`.
/// Its options take at most one value each.
protocol TakesBulkOperands: ParsableCommand {
  /// The operands, in the order given.
  var operands: [String] { get set }
}

/// ArgumentParser stores each value of an array argument by copying the ones before it, so a
/// command line of N files costs it N² (936 paths: 35 ms, more than reading the 936 binaries).
/// Past a few dozen, the trailing operands of a ``TakesBulkOperands`` command are taken aside
/// before parsing and handed to the parsed command whole, in their order.
enum BulkOperands {
  /// How many trailing operands are parsed as usual before the rest is taken aside.
  static let threshold = 32

  /// `arguments` (without the program's name) to parse, and the operands taken aside; nothing is
  /// taken aside unless the first word names a command in `bulk`. Of the trailing run of words that
  /// are not options, the first two stay: one may be an option's value, and at least one operand
  /// must reach the parser.
  static func split(_ arguments: [String], bulk: [any TakesBulkOperands.Type]) -> ([String], [String]) {
    guard let name = arguments.first, bulk.contains(where: { $0.configuration.commandName == name }) else {
      return (arguments, [])
    }
    var start = arguments.count
    while start > 1, !arguments[start - 1].hasPrefix("-") { start -= 1 }
    guard arguments.count - start > threshold else { return (arguments, []) }
    return (Array(arguments[..<(start + 2)]), Array(arguments[(start + 2)...]))
  }

  /// `command` with `aside` appended to its operands.
  static func handOver(_ aside: [String], to command: any ParsableCommand) -> any ParsableCommand {
    guard !aside.isEmpty, var taking = command as? any TakesBulkOperands else { return command }
    taking.operands += aside
    return taking
  }
}
