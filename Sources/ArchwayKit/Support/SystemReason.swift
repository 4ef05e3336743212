import Foundation

/// The system's own words for why a file operation failed (`No space left on device`), taken from
/// the POSIX error beneath a Foundation error: Foundation's sentences ("The operation could not be
/// completed…", NSCocoaErrorDomain codes) tell a user nothing they can act on.
package func systemReason(_ error: any Error) -> String {
  if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
  let bridged = error as NSError
  if bridged.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(bridged.code))) }
  if let underlying = bridged.userInfo[NSUnderlyingErrorKey] as? NSError { return systemReason(underlying) }
  guard bridged.domain == NSCocoaErrorDomain else { return "\(error)" }
  // Foundation on Linux often gives only the Cocoa code: the errno it stands for.
  let errnos: [CocoaError.Code: Int32] = [
    .fileNoSuchFile: ENOENT, .fileReadNoSuchFile: ENOENT, .fileReadNoPermission: EACCES,
    .fileWriteNoPermission: EACCES, .fileWriteOutOfSpace: ENOSPC, .fileWriteVolumeReadOnly: EROFS,
    .fileWriteFileExists: EEXIST, .fileReadTooLarge: EFBIG,
  ]
  if let number = errnos[CocoaError.Code(rawValue: bridged.code)] { return String(cString: strerror(number)) }
  return bridged.localizedDescription
}
