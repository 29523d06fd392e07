import ProctorJSON

/// How much of a window title leaves the plugin: all of it, a SHA-256 of it
/// (equal titles compare equal, but a short common title can be guessed back
/// from its hash), or nothing.
enum TitlePolicy: String, Sendable {
    case full, hashed, none

    /// Adds the title to `object` as the policy allows.
    func add(_ title: String?, to object: inout JSONObject) {
        guard let title else { return }
        switch self {
        case .full: object["title"] = .string(title)
        case .hashed: object["title_sha256"] = .string(SHA256.hex(Array(title.utf8)))
        case .none: break
        }
    }
}
