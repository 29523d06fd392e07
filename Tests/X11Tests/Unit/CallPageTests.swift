import Testing
import X11Support

@testable import X11Support

/// How the plugins recognise the call page, and where they cannot see.
@Suite struct CallPageTests {
    let chromium = AppIdentity(className: "Chromium", instanceName: "chromium", processID: 4242, processName: "chromium")

    @Test func theMarkerIsStablePerAgentAndDiffersBetweenAgents() {
        let a = CallPageMarker.derive(agentPID: 100, agentStart: "5000", bootID: "boot")
        #expect(a == CallPageMarker.derive(agentPID: 100, agentStart: "5000", bootID: "boot"))
        #expect(a != CallPageMarker.derive(agentPID: 100, agentStart: "5001", bootID: "boot"))
        #expect(a != CallPageMarker.derive(agentPID: 101, agentStart: "5000", bootID: "boot"))
        #expect(a.hasPrefix("proctord-") && a.count == 21)
        #expect(a.dropFirst(9).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        let mine = CallPageMarker.forThisAgent()
        #expect(mine == CallPageMarker.forThisAgent(), "two plugins of one agent agree")
    }

    @Test func theTitleMarkerMatchesAnywhereInTheTitle() {
        let m = CallPageMatcher(marker: "proctord-0123456789ab")
        #expect(m.matches(chromium, title: "Interview · proctord-0123456789ab — Chromium"))
        #expect(!m.matches(chromium, title: "Interview — Chromium"))
        #expect(!m.matches(chromium, title: nil))
        #expect(!m.matches(.unknown, title: "proctord-0123456789"), "a prefix of the marker is not the marker")
    }

    @Test func classAndPidMustAllMatchWhenConfigured() {
        #expect(CallPageMatcher(marker: "m", windowClass: "chromium").matches(chromium, title: "x"))
        #expect(CallPageMatcher(marker: "m", windowClass: "CHROMIUM").matches(chromium, title: "x"), "any case")
        #expect(!CallPageMatcher(marker: "m", windowClass: "firefox").matches(chromium, title: "x"))
        #expect(CallPageMatcher(marker: "m", processID: 4242).matches(chromium, title: "x"))
        #expect(!CallPageMatcher(marker: "m", windowClass: "chromium", processID: 1).matches(chromium, title: "x"))
        #expect(CallPageMatcher(marker: "m", windowClass: "chromium", processID: 4242).matches(chromium, title: "x"))
        #expect(CallPageMatcher(marker: "m", windowClass: "firefox").matches(chromium, title: "has m in it"), "the marker alone suffices")
    }

    @Test func whereThePluginsCannotSee() {
        let none = DisplayEnvironment.resolve(configured: "", environment: [:])
        #expect(none.display == nil)
        #expect(none.noDisplayReason?.hasPrefix("no X display: DISPLAY is not set") == true)
        #expect(DisplayEnvironment.resolve(configured: "", environment: ["DISPLAY": ""]).display == nil)
        let configured = DisplayEnvironment.resolve(configured: ":7", environment: ["DISPLAY": ":0"])
        #expect(configured.display == ":7" && configured.noDisplayReason == nil && configured.waylandReason == nil)
        let wayland = DisplayEnvironment.resolve(configured: "", environment: ["DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"])
        #expect(wayland.display == ":0")
        #expect(wayland.waylandReason?.hasPrefix("Wayland session (WAYLAND_DISPLAY=wayland-0): only XWayland windows are visible") == true)
        let session = DisplayEnvironment.resolve(configured: "", environment: ["XDG_SESSION_TYPE": "wayland"])
        #expect(session.waylandSign == "XDG_SESSION_TYPE=wayland")
        #expect(DisplayEnvironment.resolve(configured: "", environment: ["XDG_SESSION_TYPE": "x11"]).waylandSign == nil)
    }

    @Test func reconnectDelaysDoubleUpToTheMaximumAndStartOver() {
        var backoff = ReconnectBackoff(initial: 0.25, maximum: 1.5)
        #expect((0..<5).map { _ in backoff.next() } == [0.25, 0.5, 1, 1.5, 1.5])
        backoff.reset()
        #expect(backoff.next() == 0.25)
    }
}
