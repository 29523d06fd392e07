import X11Support

/// The compositor's outputs as monitors, in the order they appeared.
public struct WaylandOutputs: Equatable, Sendable {
    private var byID: [(id: UInt32, monitor: Monitor)] = []

    public init() {}

    public var monitors: [Monitor] { byID.map(\.monitor) }

    public func monitor(_ id: UInt32?) -> Monitor? { id.flatMap { id in byID.first { $0.id == id }?.monitor } }

    /// Records an output's description; true when the monitors changed.
    public mutating func update(_ id: UInt32, _ monitor: Monitor) -> Bool {
        if let index = byID.firstIndex(where: { $0.id == id }) {
            guard byID[index].monitor != monitor else { return false }
            byID[index].monitor = monitor
        } else {
            byID.append((id, monitor))
        }
        return true
    }

    /// Forgets an output; true when it was known.
    public mutating func remove(_ id: UInt32) -> Bool {
        let before = byID.count
        byID.removeAll { $0.id == id }
        return byID.count != before
    }

    public static func == (a: WaylandOutputs, b: WaylandOutputs) -> Bool { a.monitors == b.monitors }
}
