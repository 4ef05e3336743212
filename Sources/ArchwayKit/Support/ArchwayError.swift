/// What every error the kit throws is: a message that quotes the bad value and says where it came
/// from, and the exit code Archway ends with for it (docs: 2 bad usage or a bad file, 3 the host
/// lacks something required). The executable maps it once, at its top.
public protocol ArchwayError: Error, Sendable, CustomStringConvertible {
  /// The process exit code for this error.
  var exitCode: Int32 { get }
}

extension ArchwayError {
  /// A bad file, value or path: 2.
  public var exitCode: Int32 { 2 }
}
