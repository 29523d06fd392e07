import ArgumentParser
import Dispatch
import ProctorHost

#if canImport(Glibc)
import Glibc
#endif

/// The entry point: every command is async. Plugin children are a program
/// of their own, `proctord-plugin-host`, which links none of this.
@main
enum Main {
    static func main() {
        Task(priority: .medium) {
            await Proctord.main()
            exit(0)
        }
        dispatchMain()
    }
}

struct Proctord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proctord",
        abstract: "The proctoring agent: runs plugins that watch this desktop and serves what they see to the call page on localhost.",
        discussion: """
            Configuration is read from the first of: --config FILE, $XDG_CONFIG_HOME/proctord/plugins.json, \
            /etc/proctord/plugins.json (for /usr/bin/proctord; <prefix>/etc/proctord otherwise), \
            the plugins.json that ships with proctord.

            Exit codes: 0 done, 1 failed, 64 bad usage, 78 bad configuration (or a socket from systemd that is not loopback).
            """,
        version: ProctorVersion.string,
        subcommands: [
            RunCommand.self, PluginsCommand.self, CheckConfigCommand.self, ReplayCommand.self, PairingCodeCommand.self,
            SessionsCommand.self, OriginsCommand.self, InterviewsCommand.self, ReportCommand.self, DoctorCommand.self,
            ServiceCommand.self,
        ])
}

/// Exit codes from sysexits(3), which systemd and scripts understand.
enum ExitStatusCode {
    static let failure = ExitCode(1)
    static let usage = ExitCode(64)
    static let config = ExitCode(78)
}
