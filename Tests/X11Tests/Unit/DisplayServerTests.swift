import Testing
import WaylandSupport
import X11Support

/// Which display server a plugin watches, decided once at start.
@Suite struct DisplayServerTests {
    func choose(_ configured: String = "auto", x11: String = "", wayland: String = "", env: [String: String] = [:]) -> DisplayServer {
        DisplayServer.choose(configured: configured, x11Display: x11, waylandDisplay: wayland, environment: env)
    }

    @Test func autoFollowsTheConfigThenTheSession() {
        #expect(choose() == .x11, "nothing known: X11, which then says there is no display")
        #expect(choose(env: ["DISPLAY": ":0"]) == .x11)
        #expect(choose(env: ["DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"]) == .wayland, "a Wayland session")
        #expect(choose(env: ["WAYLAND_DISPLAY": ""]) == .x11, "an empty socket name is no session")
        #expect(choose(x11: ":7", env: ["WAYLAND_DISPLAY": "wayland-0"]) == .x11, "a configured X display wins over the session")
        #expect(choose(x11: ":7", wayland: "/run/user/1000/wayland-1") == .wayland, "a configured Wayland socket wins")
    }

    /// The compositor named in problems is the one libwayland connects to.
    @Test func theWaylandSocketIsNamedAsLibwaylandChoosesIt() {
        #expect(WaylandConnection.shownName("/run/user/1000/wayland-1", waylandDisplay: "wayland-0") == "/run/user/1000/wayland-1")
        #expect(WaylandConnection.shownName(nil, waylandDisplay: "wayland-3") == "wayland-3", "the environment's socket when none is configured")
        #expect(WaylandConnection.shownName(nil, waylandDisplay: nil) == "wayland-0")
        #expect(WaylandConnection.shownName(nil, waylandDisplay: "") == "wayland-0")
    }

    @Test func aConfiguredServerIsTaken() {
        #expect(choose("x11", wayland: "wayland-1", env: ["WAYLAND_DISPLAY": "wayland-0"]) == .x11)
        #expect(choose("wayland", x11: ":0") == .wayland)
    }
}
