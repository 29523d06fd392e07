import ArgumentParser
import ProctorHost

@main
struct Proctord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proctord",
        abstract: "The proctoring agent: runs plugins that watch this desktop and serves what they see to the call page on localhost.",
        discussion: """
            Configuration is read from the first of: --config FILE, $XDG_CONFIG_HOME/proctord/plugins.json, \
            the plugins.json that ships with proctord.

            Exit codes: 0 done, 1 failed, 64 bad usage, 78 bad configuration.
            """,
        version: ProctorVersion.string,
        subcommands: [
            RunCommand.self, PluginsCommand.self, CheckConfigCommand.self, ReplayCommand.self, PairingCodeCommand.self,
            SessionsCommand.self, PluginHostCommand.self,
        ])
}

/// Exit codes from sysexits(3), which systemd and scripts understand.
enum ExitStatusCode {
    static let failure = ExitCode(1)
    static let usage = ExitCode(64)
    static let config = ExitCode(78)
}
