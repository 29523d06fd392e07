import ArgumentParser
import Foundation
import Logging
import PluginHosting
import ProctorCall

/// `proctord-call`: the reference interview app's call server and the
/// commands that create, list and delete its rooms through its admin API.
@main
struct ProctordCall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proctord-call",
        abstract: "The reference interview app's call server: serves the two pages, holds the rooms and relays WebRTC signalling.",
        discussion: "See docs/call.md. Exit codes: 0 done, 1 failed, 64 bad usage, 78 bad configuration.",
        subcommands: [ServeCommand.self, RoomCommand.self])
}

/// Options every command shares: where the configuration is.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The call server's configuration (call.json); defaults apply without one.")
    var config: String?

    func load() throws -> CallConfig {
        guard let config else { return CallConfig() }
        do { return try CallConfig.load(config) } catch {
            FileHandle.standardError.write(Data("proctord-call: \(error)\n".utf8))
            throw ExitCode(78)
        }
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the pages, the admin API and the signalling socket.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "proctord-call")
        logger.logLevel = .info
        let secret: AdminSecret
        do { secret = try AdminSecret.loadOrCreate(config.adminSecretFile) } catch {
            logger.error("\(error)")
            throw ExitCode(78)
        }
        let web = AgentPaths.fromEnvironment().webDirectory
        if web == nil { logger.warning("no web directory beside the executable: the pages will answer 404") }
        let services = CallServices(config: config, adminSecret: secret, webDirectory: web, logger: logger)
        logger.notice("admin secret in \(config.adminSecretFile)")
        do {
            try await CallServer(services: services).run()
        } catch let invalid as CallConfig.Invalid {  // an unusable certificate or key is the configuration's fault
            logger.error("\(invalid)")
            throw ExitCode(78)
        } catch {
            logger.error("cannot serve on \(config.host):\(config.port): \(error)")
            throw ExitCode.failure
        }
    }
}
