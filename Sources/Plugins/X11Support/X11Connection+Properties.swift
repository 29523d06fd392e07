import X11Shim

/// Reading and watching window properties: the one place that calls
/// XGetWindowProperty. A window that vanished reads as nil, never as an error.
extension X11Connection {
    /// A property's raw value. Format-32 items arrive as C longs, so they are
    /// kept in `items`; format-8 and -16 data in `bytes`.
    public struct Property {
        public var type: X11Atom
        public var format: Int
        public var items: [UInt]
        public var bytes: [UInt8]
    }

    /// Reads up to `maxLongs` 32-bit units of `atom` on `window`; nil when the
    /// window or the property does not exist.
    public func property(_ window: WindowID, _ atom: X11Atom, type: X11Atom = 0, maxLongs: Int = 1 << 16) -> Property? {
        getProperty(window, atom, type: type, maxLongs: maxLongs) { actualType, format, count, _, data in
            guard let data else { return nil }
            var result = Property(type: actualType, format: format, items: [], bytes: [])
            switch format {
            case 32:
                let longs = UnsafeRawPointer(data).assumingMemoryBound(to: UInt.self)
                result.items = Array(UnsafeBufferPointer(start: longs, count: count))
            case 16:
                result.bytes = Array(UnsafeBufferPointer(start: data, count: count * 2))
            default:
                result.bytes = Array(UnsafeBufferPointer(start: data, count: count))
            }
            return result
        }
    }

    /// A property's type and length in bytes, without transferring its value:
    /// a zero-length read returns how much is left. nil when it does not exist.
    public func propertyLength(_ window: WindowID, _ atom: X11Atom) -> (type: X11Atom, bytes: Int)? {
        getProperty(window, atom, type: 0, maxLongs: 0) { actualType, _, _, after, _ in (actualType, after) }
    }

    /// XGetWindowProperty, its reply handed to `body` and freed afterwards;
    /// nil for a failed request or a missing property.
    private func getProperty<T>(
        _ window: WindowID, _ atom: X11Atom, type: X11Atom, maxLongs: Int,
        _ body: (_ type: X11Atom, _ format: Int, _ count: Int, _ after: Int, _ data: UnsafeMutablePointer<UInt8>?) -> T?
    ) -> T? {
        var actualType: Atom = 0
        var format: Int32 = 0
        var count: UInt = 0
        var after: UInt = 0
        var data: UnsafeMutablePointer<UInt8>?
        let status = XGetWindowProperty(
            display, Window(window.raw), Atom(atom), 0, maxLongs, 0, Atom(type), &actualType, &format, &count, &after, &data)
        defer { if let data { XFree(data) } }
        guard status == Success, actualType != 0 else { return nil }
        return body(UInt(actualType), Int(format), Int(count), Int(after), data)
    }

    public func deleteProperty(_ window: WindowID, _ atom: X11Atom) {
        XDeleteProperty(display, Window(window.raw), Atom(atom))
    }

    /// 32-bit values (CARDINAL, WINDOW, ATOM lists).
    public func longs(_ window: WindowID, _ atom: X11Atom, type: X11Atom = 0) -> [UInt]? {
        guard let value = property(window, atom, type: type), value.format == 32 else { return nil }
        // Xlib hands 32-bit items over in C longs, sign-extended on 64-bit: any
        // client can store 0xFFFFFFFF, which must not become a 64-bit value.
        return value.items.map { $0 & 0xFFFF_FFFF }
    }

    /// A text property as UTF-8 (UTF8_STRING) or Latin-1 (STRING).
    public func text(_ window: WindowID, _ atom: X11Atom) -> String? {
        guard let value = property(window, atom), value.format == 8 else { return nil }
        var bytes = value.bytes
        while bytes.last == 0 { bytes.removeLast() }
        if value.type == atoms["STRING"] { return String(bytes.map { Character(Unicode.Scalar($0)) }) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Asks for PropertyNotify and StructureNotify events of a window (another
    /// client's windows included: each client has its own event mask).
    public func watchWindow(_ window: WindowID) {
        XSelectInput(display, Window(window.raw), PropertyChangeMask | StructureNotifyMask)
    }

    /// Asks for the root window's property changes and the screen's layout changes.
    public func watchRoot() {
        XSelectInput(display, Window(root.raw), PropertyChangeMask | StructureNotifyMask)
        if hasRandR {
            XRRSelectInput(display, Window(root.raw),
                           Int32(RRScreenChangeNotifyMask | RRCrtcChangeNotifyMask | RROutputChangeNotifyMask))
        }
    }
}
