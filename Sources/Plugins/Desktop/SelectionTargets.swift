/// What a selection owner offers (its TARGETS), and which of those targets
/// the plugin converts to measure the size (and, when configured, to read).
enum SelectionTargets {
    /// Targets of the selection protocol itself, not content types.
    static let protocolTargets: Set<String> = [
        "TARGETS", "MULTIPLE", "TIMESTAMP", "SAVE_TARGETS", "DELETE", "INSERT_PROPERTY", "INSERT_SELECTION", "LENGTH",
    ]

    /// Text targets, best first.
    static let textTargets = ["UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT", "text/plain"]

    /// The content types among `targets`, in the owner's order.
    static func contentTypes(_ targets: [String]) -> [String] {
        targets.filter { !protocolTargets.contains($0) }
    }

    /// The target to convert: the best text target, else the first content type.
    static func measured(_ targets: [String]) -> String? {
        textTargets.first { targets.contains($0) } ?? contentTypes(targets).first
    }

    static func isText(_ target: String) -> Bool { textTargets.contains(target) }
}
