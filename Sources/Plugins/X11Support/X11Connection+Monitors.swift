import X11Shim

extension X11Connection {
    /// The active monitors (RandR 1.5), in the server's order. Without RandR,
    /// the whole screen as one monitor named "screen".
    public func monitors() -> [Monitor] {
        var count: Int32 = 0
        guard hasRandR, let list = XRRGetMonitors(display, Window(root.raw), 1, &count) else {
            return screenRect().map { [Monitor(name: "screen", rect: $0, primary: true)] } ?? []
        }
        defer { XRRFreeMonitors(list) }
        return (0..<Int(count)).map { i in
            let m = list[i]
            return Monitor(
                name: atoms.name(of: UInt(m.name)) ?? "monitor-\(i)",
                rect: Rect(x: Int(m.x), y: Int(m.y), width: Int(m.width), height: Int(m.height)),
                primary: m.primary != 0, widthMillimetres: Int(m.mwidth), heightMillimetres: Int(m.mheight))
        }
    }

    private func screenRect() -> Rect? {
        var attributes = XWindowAttributes()
        guard XGetWindowAttributes(display, Window(root.raw), &attributes) != 0 else { return nil }
        return Rect(x: 0, y: 0, width: Int(attributes.width), height: Int(attributes.height))
    }
}
