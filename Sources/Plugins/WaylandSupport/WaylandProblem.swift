/// How a plugin says what a compositor's missing protocol costs the interview.
public enum WaylandProblem {
    /// eg "the Wayland compositor at wayland-1 does not offer zwlr_data_control_manager_v1 (GNOME's Mutter and
    /// KDE's KWin do not): clipboard use is not seen".
    public static func missing(_ interface: String, on connection: WaylandConnection, _ consequence: String) -> String {
        "the Wayland compositor at \(connection.name) does not offer \(interface) (a wlroots protocol that GNOME's Mutter does not offer; docs/wayland.md lists which compositors do): \(consequence)"
    }
}
