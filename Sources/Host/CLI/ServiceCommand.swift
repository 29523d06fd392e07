import ArgumentParser
import Foundation
import ProctorHost

/// `proctord service ...`: the user service for people who do not know
/// systemd, as the `systemctl --user` and `journalctl --user` commands it
/// runs (each printed before it runs, so they learn them).
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Start the agent with your desktop session (systemd user service), stop it, or look at it.",
        discussion: """
            Runs systemctl --user and journalctl --user for you, and prints each command first. \
            `enable` gives the user manager this session's DISPLAY, XAUTHORITY and WAYLAND_DISPLAY, \
            since the plugins need the display and a service does not inherit the terminal's environment.
            """,
        subcommands: [Enable.self, Disable.self, Status.self, Logs.self])

    /// The session variables the plugins need, of those this terminal has.
    static let sessionVariables = ["DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY"]

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the agent now and with every desktop session from now on.")
        @Flag(help: "Start the agent at the first connection to its port (proctord.socket) rather than at login.")
        var socket = false

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let present = ServiceCommand.sessionVariables.filter { environment[$0]?.isEmpty == false }
            if present.isEmpty {
                printError("service: neither DISPLAY nor WAYLAND_DISPLAY is set here; run this from a terminal in your desktop session, or the plugins will not see the display")
            } else {
                try SystemTool.run("systemctl", ["--user", "import-environment"] + present)
            }
            try SystemTool.run("systemctl", ["--user", "daemon-reload"])
            try SystemTool.run("systemctl", ["--user", "enable", "--now", socket ? "proctord.socket" : "proctord.service"])
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the agent and no longer start it with the session.")
        func run() async throws {
            try SystemTool.run("systemctl", ["--user", "disable", "--now", "proctord.service", "proctord.socket"])
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Whether the agent runs, and what it says about its plugins.")
        func run() async throws {
            try SystemTool.run("systemctl", ["--user", "status", "--no-pager", "--lines=20", "proctord.service", "proctord.socket"])
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The agent's log from the journal.")
        @Flag(name: .shortAndLong, help: "Keep printing new lines as they come.")
        var follow = false
        @Option(name: .shortAndLong, help: "How many of the last lines to print.")
        var lines = 100

        func run() async throws {
            try SystemTool.run("journalctl", ["--user", "--unit=proctord.service", "--no-pager", "--lines=\(lines)"] + (follow ? ["--follow"] : []))
        }
    }
}

/// Runs a system tool with the terminal's stdin/stdout/stderr, after printing
/// the command line; its failure becomes this command's exit status.
enum SystemTool {
    static func run(_ tool: String, _ arguments: [String]) throws {
        printError("+ \(tool) \(arguments.joined(separator: " "))")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        do { try process.run() } catch {
            printError("service: cannot run \(tool): \(error.localizedDescription)")
            throw ExitStatusCode.failure
        }
        process.waitUntilExit()
        // Its status is ours (systemctl status says 3 for a stopped unit).
        if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
    }
}
