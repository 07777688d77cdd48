import Digest
import Foundation

/// The forms of a secret that a command's output may show it in, all kept out of the journal
/// and the terminal: the value itself, its base64 (as `base64 FILE` prints a password file, with
/// its newline), and its SHA-256 in hex (as `sha256sum` does).
///
/// A value shorter than `minimumLength` is refused rather than redacted: replacing every "ab"
/// in outputs would mangle them, and leaving it would journal it in clear.
public enum SecretForms {
    public static let minimumLength = 8

    public static func all(_ value: String) -> [String] {
        var forms = [value]
        for text in [value, value + "\n", value + "\r\n"] {
            let base64 = Data(text.utf8).base64EncodedString()
            let unpadded = base64.trimmingCharacters(in: CharacterSet(charactersIn: "="))
            let urlSafe = unpadded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            let hex = SHA256.hash(text).hexString
            forms += [base64, unpadded, urlSafe, hex, hex.uppercased()]
        }
        var seen = Set<String>()
        // Longest first: a form inside a longer one must not be replaced before the longer one is.
        return forms.filter { seen.insert($0).inserted }.sorted { $0.count > $1.count }
    }
}
