import Foundation

/// openbox on a test display: a real EWMH window manager (full-screen state,
/// `_NET_ACTIVE_WINDOW`, stacking, iconify), with a fixed config so tests do
/// not depend on the machine's: new windows get focus, no animations.
public final class WindowManager: @unchecked Sendable {
    private var process: SpawnedProcess?
    private let display: String
    private let config: String
    private let log: String

    static let rc = """
        <?xml version="1.0" encoding="UTF-8"?>
        <openbox_config xmlns="http://openbox.org/3.4/rc">
          <focus><focusNew>yes</focusNew><followMouse>no</followMouse></focus>
          <placement><policy>Smart</policy></placement>
          <theme><animateIconify>no</animateIconify></theme>
          <desktops><number>1</number></desktops>
        </openbox_config>
        """

    public init(display: String, directory: TemporaryDirectory) async throws {
        self.display = display
        config = directory.write("openbox-rc.xml", Self.rc)
        log = directory.path + "/openbox.log"
        try await start()
    }

    /// Starts openbox and returns once it manages the screen
    /// (`_NET_SUPPORTING_WM_CHECK` on the root window).
    public func start() async throws {
        process = try SpawnedProcess("/usr/bin/openbox", ["--sm-disable", "--config-file", config],
                                     environment: ["DISPLAY": display], log: log)
        let tools = XTools(display: display)
        let ready = await eventually(timeout: .seconds(15), every: .milliseconds(50)) {
            (try? tools.run("xprop", ["-root", "_NET_SUPPORTING_WM_CHECK"]))?.contains("window id #") == true
        }
        guard ready else { throw HarnessError("openbox did not start on \(display): \(process?.log.suffix(500) ?? "")") }
    }

    public func stop() {
        process?.stop()
        process = nil
    }

    deinit { stop() }
}
