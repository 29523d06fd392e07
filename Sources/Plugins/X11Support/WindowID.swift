/// An X window id, written the way xprop and wmctrl show it ("0x00400002").
public struct WindowID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let raw: UInt

    public init(_ raw: UInt) { self.raw = raw }

    /// X's `None`: no window (nobody focused, nobody owns the selection).
    public static let none = WindowID(0)

    public var isNone: Bool { raw == 0 }

    public var description: String {
        let hex = String(raw, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }

    public static func < (a: WindowID, b: WindowID) -> Bool { a.raw < b.raw }
}

/// An interned X atom.
public typealias X11Atom = UInt
