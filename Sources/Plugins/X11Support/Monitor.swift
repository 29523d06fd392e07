import ProctorJSON

/// A monitor as RandR reports it: an output, or a virtual monitor that
/// `xrandr --setmonitor` defined over part of the screen.
public struct Monitor: Equatable, Sendable {
    public var name: String
    public var rect: Rect
    public var primary: Bool
    public var widthMillimetres: Int
    public var heightMillimetres: Int

    public init(name: String, rect: Rect, primary: Bool, widthMillimetres: Int = 0, heightMillimetres: Int = 0) {
        self.name = name
        self.rect = rect
        self.primary = primary
        self.widthMillimetres = widthMillimetres
        self.heightMillimetres = heightMillimetres
    }

    public var json: JSONValue {
        ["name": .string(name), "x": .number(Double(rect.x)), "y": .number(Double(rect.y)),
         "width": .number(Double(rect.width)), "height": .number(Double(rect.height)), "primary": .bool(primary),
         "width_mm": .number(Double(widthMillimetres)), "height_mm": .number(Double(heightMillimetres))]
    }

    /// The monitor that shows most of `rect`, or nil when none shows any of it.
    public static func showing(_ rect: Rect, among monitors: [Monitor]) -> Monitor? {
        monitors.map { ($0, $0.rect.intersection(rect)?.area ?? 0) }.filter { $0.1 > 0 }
            .max { $0.1 < $1.1 }?.0
    }
}
