/// Text made safe for XML 1.0 (and HTML): markup characters escaped, and the characters XML 1.0
/// forbids (control characters other than tab, newline and carriage return, U+FFFE, U+FFFF)
/// written visibly as `\xNN` instead, so any bytes a program printed still make a valid document.
package enum XMLText {
  /// `text` escaped for element content or a double-quoted attribute.
  package static func escape(_ text: String, attribute: Bool = false) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += attribute ? "&quot;" : "\""
      case "\n": out += attribute ? "&#10;" : "\n"
      case "\r": out += "&#13;"
      case "\t": out += attribute ? "&#9;" : "\t"
      default:
        if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF
          || (0x7F...0x9F).contains(scalar.value)
        {
          let hex = String(scalar.value, radix: 16, uppercase: true)
          out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }
}
