import ArgumentParser
import Foundation
import ProctorHost
import ProctorJSON

/// `proctord doctor`: what on this machine works for the agent and what to
/// do about what does not. Exits 0 when the agent can do its job (warnings
/// allowed), 1 when something stops it.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this machine for the agent and say what to fix, in plain words.",
        discussion: """
            Looks at the display server and its extensions, the window manager, the cameras and who holds them, \
            the sound server, the session bus, the API's port, the config, each plugin, the models and their licences, \
            and the systemd user service. Exit status 0: the agent can do its job (there may be warnings); 1: it cannot.
            """)

    @OptionGroup var configOption: ConfigOption
    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let paths = AgentPaths.fromEnvironment()
        let session = SessionChecks(environment: environment)
        let (configFindings, config, pluginConfigs) = await AgentChecks.config(
            explicit: configOption.config, paths: paths, executable: Environment.executablePath)
        var display = session.display()
        // Only the screen and desktop plugins need a display; without them its absence stops nothing.
        let needsDisplay = config?.plugins.contains { entry in
            entry.enabled && (entry.library.contains("screen") || entry.library.contains("desktop"))
        } ?? true
        if display.level == .problem && !needsDisplay {
            display.level = .note
            display.summary += " (no configured plugin needs one)"
        }
        var findings = [display, session.windowManager(), session.cameras(), session.soundServer(), session.sessionBus()]
        let (service, serviceActive) = AgentChecks.service(environment: environment)
        findings.append(PortCheck.finding(port: config?.api.port ?? 47615, serviceActive: serviceActive))
        findings += configFindings
        findings += AgentChecks.models(pluginConfigs: pluginConfigs, dataDirectory: paths.dataDirectory)
        findings.append(service)
        // No config: assume the shipped one, which runs both.
        let watching = config.map { SignalCoverage.roles(of: $0.plugins.filter(\.enabled).map(\.library)) } ?? ["screen", "desktop"]
        findings.append(SignalCoverage.finding(environment: environment, enabledPlugins: watching))

        let worst = findings.map(\.level).max() ?? .ok
        let canWork = worst < .problem
        if json {
            print(JSONWriter.compact([
                "version": .string(ProctorVersion.string), "can_work": .bool(canWork),
                "findings": .array(findings.map(\.json)),
            ]))
        } else {
            for finding in findings {
                print("\(Self.mark(finding.level)) \(finding.check): \(finding.summary)")
                if let advice = finding.advice { print("      → \(advice)") }
            }
            print(canWork
                ? "\nThe agent can do its job here\(worst == .warning ? ", with the warnings above" : "")."
                : "\nThe agent cannot do its job here until the problems above are fixed.")
        }
        if !canWork { throw ExitStatusCode.failure }
    }

    static func mark(_ level: DoctorFinding.Level) -> String {
        switch level {
        case .ok: "ok   "
        case .note: "note "
        case .warning: "WARN "
        case .problem: "FAIL "
        }
    }
}
