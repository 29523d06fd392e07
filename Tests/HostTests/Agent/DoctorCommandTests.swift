import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// `proctord doctor --json`, the real command on this machine: what it says
/// about a config, its plugins and a port another program holds, and its exit status.
@Suite(.serialized) struct DoctorCommandTests {
    let dir = TemporaryDirectory()

    func doctor(_ builder: ConfigBuilder, environment: [String: String?] = [:]) async throws -> (status: Int32?, report: JSONValue?) {
        let agent = try AgentProcess(arguments: ["doctor", "--json", "--config", builder.write(to: dir)], environment: environment)
        let status = await agent.waitForExit(timeout: .seconds(60))
        return (status, agent.events.first)
    }

    func finding(_ report: JSONValue?, _ check: String) -> JSONValue? {
        report?["findings"]?.arrayValue?.first { $0["check"]?.stringValue == check }
    }

    @Test func aPluginThatDoesNotLoadAndATakenPortMeanTheAgentCannotWork() async throws {
        // A port held by this test process: the doctor must name the holder.
        let port = try FreePort.pick()
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0 && listen(holder, 1) == 0)

        var builder = ConfigBuilder()
        builder.api = ["port": .number(Double(port)), "allowed_origins": []]
        builder.add(id: "heartbeat", library: "heartbeat")
        builder.add(id: "old", library: "test-abi-v2")
        let (status, report) = try await doctor(builder)
        #expect(status == 1)
        #expect(report?["can_work"] == false)
        #expect(finding(report, "config")?["level"] == "ok")
        #expect(finding(report, "plugin heartbeat")?["level"] == "ok")
        #expect(finding(report, "plugin old")?["level"] == "problem")
        let portFinding = finding(report, "port")
        #expect(portFinding?["level"] == "problem")
        #expect(portFinding?["details"]?["pid"]?.intValue == Int(getpid()), "\(String(describing: portFinding))")
    }

    @Test func aWorkingConfigOnAFreePortCanWorkWhateverTheDesktopLacks() async throws {
        var builder = ConfigBuilder()
        builder.api = ["port": .number(Double(try FreePort.pick())), "allowed_origins": []]
        builder.add(id: "heartbeat", library: "heartbeat")
        // No display here on purpose: only the screen and desktop plugins need one.
        let (status, report) = try await doctor(builder, environment: ["DISPLAY": nil, "WAYLAND_DISPLAY": nil])
        let display = finding(report, "display")
        #expect(display?["level"] == "note" && display?["details"]?["server"] == "none")
        #expect(finding(report, "port")?["level"] == "ok")
        #expect(finding(report, "cameras") != nil && finding(report, "session_bus") != nil && finding(report, "service") != nil)
        #expect(status == 0 && report?["can_work"] == true, "\(String(describing: report))")

        builder.add(id: "screen", library: "screen")
        let (withScreen, screenReport) = try await doctor(builder, environment: ["DISPLAY": nil, "WAYLAND_DISPLAY": nil])
        #expect(finding(screenReport, "display")?["level"] == "problem")
        #expect(withScreen == 1, "the screen plugin cannot work without a display")
    }

    /// Per desktop, which signals the plugins observe and which only the page reports.
    @Test func theDoctorSaysWhichSignalsComeFromTheDesktopAndWhichFromThePageOnly() async throws {
        var builder = ConfigBuilder()
        builder.api = ["port": .number(Double(try FreePort.pick())), "allowed_origins": []]
        builder.add(id: "screen", library: "screen")
        builder.add(id: "desktop", library: "desktop")
        func sources(_ report: JSONValue?) -> [String: String] {
            var table: [String: String] = [:]
            for row in finding(report, "signals")?["details"]?["signals"]?.arrayValue ?? [] {
                if let name = row["signal"]?.stringValue, let source = row["source"]?.stringValue { table[name] = source }
            }
            return table
        }
        let gnome = try await doctor(builder, environment: ["DISPLAY": nil, "WAYLAND_DISPLAY": "wayland-9", "XDG_CURRENT_DESKTOP": "GNOME"]).report
        let signals = finding(gnome, "signals")
        #expect(signals?["details"]?["desktop"] == "wayland_limited" && signals?["level"] == "note", "\(String(describing: signals))")
        #expect(sources(gnome) == ["focus": "page", "visibility": "page", "full_screen": "page", "windows": "none", "clipboard": "none",
                                   "monitors": "desktop", "covered": "none", "screen_share": "page"])
        #expect(signals?["summary"]?.stringValue?.contains("from the page only: focus, visibility, full_screen, screen_share") == true)

        let sway = try await doctor(builder, environment: ["DISPLAY": nil, "WAYLAND_DISPLAY": "wayland-9", "XDG_CURRENT_DESKTOP": "sway"]).report
        #expect(finding(sway, "signals")?["details"]?["desktop"] == "wayland_wlroots")
        #expect(sources(sway) == ["focus": "desktop", "visibility": "desktop", "full_screen": "desktop", "windows": "desktop", "clipboard": "desktop",
                                  "monitors": "desktop", "covered": "none", "screen_share": "page"])
    }
}
