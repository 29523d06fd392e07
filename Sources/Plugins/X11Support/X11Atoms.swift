#if canImport(Glibc)
import Glibc
#endif
import X11Shim

/// The atoms the plugins use, interned in one round trip when a connection
/// opens, plus names of atoms the server hands back (selection targets).
public final class X11Atoms {
    private let display: OpaquePointer
    private var byName: [String: X11Atom] = [:]
    private var names: [X11Atom: String] = [:]

    static let known = [
        "_NET_ACTIVE_WINDOW", "_NET_CLIENT_LIST", "_NET_CLIENT_LIST_STACKING", "_NET_WM_STATE",
        "_NET_WM_STATE_FULLSCREEN", "_NET_WM_STATE_HIDDEN", "_NET_WM_STATE_ABOVE", "_NET_WM_PID", "_NET_WM_NAME",
        "_NET_FRAME_EXTENTS", "_NET_RESTACK_WINDOW", "_NET_SUPPORTING_WM_CHECK",
        "WM_CLASS", "WM_NAME", "WM_STATE", "WM_CLIENT_LEADER", "WM_CLIENT_MACHINE", "WM_TRANSIENT_FOR",
        "UTF8_STRING", "STRING", "CARDINAL", "WINDOW", "ATOM", "PRIMARY", "CLIPBOARD", "TARGETS", "INCR",
    ] + (0..<ClipboardProbeProperties.count).flatMap { ["_PROCTORD_CLIPBOARD_\($0)", "_PROCTORD_PRIMARY_\($0)"] }

    init(display: OpaquePointer) {
        self.display = display
        var pointers = Self.known.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        var atoms = [Atom](repeating: 0, count: Self.known.count)
        let ok = pointers.withUnsafeMutableBufferPointer { names in
            XInternAtoms(display, names.baseAddress, Int32(names.count), 0, &atoms)
        }
        if ok != 0 {
            for (name, atom) in zip(Self.known, atoms) { remember(name, UInt(atom)) }
        }
    }

    /// The atom for `name`, interning it on first use (one round trip).
    public subscript(_ name: String) -> X11Atom {
        if let atom = byName[name] { return atom }
        let atom = UInt(XInternAtom(display, name, 0))
        if atom != 0 { remember(name, atom) }
        return atom
    }

    /// The name of `atom`, asking the server once per atom.
    public func name(of atom: X11Atom) -> String? {
        if atom == 0 { return nil }
        if let name = names[atom] { return name }
        guard let raw = XGetAtomName(display, Atom(atom)) else { return nil }
        defer { XFree(raw) }
        let name = String(cString: raw)
        remember(name, atom)
        return name
    }

    private func remember(_ name: String, _ atom: X11Atom) {
        byName[name] = atom
        names[atom] = name
    }
}

/// The properties the desktop plugin has selection owners write into: a
/// few per selection, used in turn, so a slow previous owner's late answer
/// lands where the current question does not look.
public enum ClipboardProbeProperties {
    public static let count = 4

    public static func name(selection: String, probe: Int) -> String {
        "_PROCTORD_\(selection.uppercased())_\(probe % count)"
    }
}
