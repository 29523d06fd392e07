import X11Shim

/// Watching who owns CLIPBOARD and PRIMARY (XFixes), and asking an owner to
/// convert a selection into a property of a window of ours.
extension X11Connection {
    /// Asks XFixes to report every change of `selection`'s owner, including
    /// an owner that closed its window or its connection.
    public func watchSelection(_ selection: X11Atom) {
        guard hasXFixes else { return }
        let mask = XFixesSetSelectionOwnerNotifyMask | XFixesSelectionWindowDestroyNotifyMask
            | XFixesSelectionClientCloseNotifyMask
        XFixesSelectSelectionInput(display, Window(root.raw), Atom(selection), UInt(mask))
    }

    public func selectionOwner(_ selection: X11Atom) -> WindowID {
        WindowID(XGetSelectionOwner(display, Atom(selection)))
    }

    /// An unmapped window of ours that receives conversions (and their
    /// PropertyNotify events, for INCR transfers).
    public func createHelperWindow() -> WindowID {
        let window = XCreateSimpleWindow(display, Window(root.raw), -10, -10, 1, 1, 0, 0, 0)
        XSelectInput(display, window, PropertyChangeMask)
        return WindowID(window)
    }

    public func destroyWindow(_ window: WindowID) {
        XDestroyWindow(display, Window(window.raw))
    }

    /// Asks the owner of `selection` to put it, converted to `target`, into
    /// `property` on `requestor`; the answer comes as `.selectionNotify`.
    public func requestConversion(_ selection: X11Atom, to target: X11Atom, into property: X11Atom, on requestor: WindowID) {
        XConvertSelection(display, Atom(selection), Atom(target), Atom(property), Window(requestor.raw), 0)
    }

    /// Takes ownership of `selection` for `window` (tests and benchmarks).
    public func own(_ selection: X11Atom, by window: WindowID) {
        XSetSelectionOwner(display, Atom(selection), Window(window.raw), 0)
    }

    /// Writes a property of 8-bit data or of atoms (answers to conversions).
    public func setProperty(_ window: WindowID, _ atom: X11Atom, bytes: [UInt8], type: X11Atom) {
        XChangeProperty(display, Window(window.raw), Atom(atom), Atom(type), 8, PropModeReplace, bytes, Int32(bytes.count))
    }

    public func setProperty(_ window: WindowID, _ atom: X11Atom, atoms list: [X11Atom]) {
        let longs = list.map { UInt($0) }
        _ = longs.withUnsafeBytes { raw in
            XChangeProperty(display, Window(window.raw), Atom(atom), Atom(atoms["ATOM"]), 32, PropModeReplace,
                            raw.bindMemory(to: UInt8.self).baseAddress, Int32(list.count))
        }
    }

    /// Tells `requestor` its conversion is in `property` (0: refused).
    public func answerConversion(requestor: WindowID, selection: X11Atom, target: X11Atom, property: X11Atom, time: UInt) {
        _ = x11_shim_send_selection_notify(raw, Window(requestor.raw), Atom(selection), Atom(target), Atom(property), Time(time))
    }
}
