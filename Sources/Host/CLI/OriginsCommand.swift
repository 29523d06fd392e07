import ArgumentParser
import Logging
import ProctorAPI
import ProctorHost
import ProctorJSON

/// `proctord origins`: which sites may ask to pair, from a terminal. Through
/// the running agent when there is one (it owns the file and takes the change
/// at once); otherwise on the file itself, for the agent's next start.
struct OriginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "origins",
        abstract: "List the sites that may ask to pair, allow one, or remove one.",
        discussion: """
            A call page from a site that is not allowed is refused before it can ask for the pairing code; \
            the agent remembers it so you can allow it here or on the agent's page. Allowing a site only \
            lets its page ask: it still needs the pairing code shown on this computer.
            """,
        subcommands: [List.self, Allow.self, Remove.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List allowed sites and the sites that asked and were refused.")
        @Flag(help: "Print JSON instead of text.")
        var json = false
        @OptionGroup var options: ConfigOption

        func run() throws {
            let (answer, live) = try OriginsCommand.ask(["command": "origins"]) { consent, configured in
                consent.json(configured: configured)
            } options: { options }
            if json { return print(JSONWriter.compact(answer)) }
            func list(_ key: String) -> [String] { answer[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            for origin in list("configured") { print("allowed   \(origin)  (api.allowed_origins in the config)") }
            for seed in answer["seeded"]?.arrayValue ?? [] {
                print("allowed   \(seed["origin"]?.stringValue ?? "?")  (\(seed["file"]?.stringValue ?? "?"))")
            }
            for origin in list("allowed") { print("allowed   \(origin)") }
            for asking in answer["asking"]?.arrayValue ?? [] {
                print("asking    \(asking["origin"]?.stringValue ?? "?")  (refused \(asking["attempts"]?.intValue ?? 0) times, last \(asking["last_seen"]?.stringValue ?? "?"))")
            }
            for origin in list("ignored") { print("ignored   \(origin)") }
            if !live { print("(the agent is not running: sites that asked are known only while it runs)") }
        }
    }

    struct Allow: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let pages from a site ask to pair (they still need the pairing code).")
        @Argument(help: "The site's origin, e.g. https://interviews.example.com")
        var origin: String
        @OptionGroup var options: ConfigOption

        func run() throws {
            try OriginsCommand.change("origins-allow", origin, options: options) { try $0.allow($1) }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a site off the allowed (or ignored) list.")
        @Argument(help: "The site's origin, as `proctord origins` lists it.")
        var origin: String
        @OptionGroup var options: ConfigOption

        func run() throws {
            try OriginsCommand.change("origins-remove", origin, options: options) { try $0.remove($1) }
        }
    }

    static func change(
        _ command: String, _ origin: String, options: ConfigOption,
        _ apply: @escaping (OriginConsent, String) throws -> (origin: String, change: OriginConsent.Change)
    ) throws {
        let (answer, live) = try ask(["command": .string(command), "origin": .string(origin)]) { consent, _ in
            let (origin, change) = try apply(consent, origin)
            return ["origin": .string(origin), "change": .string("\(change)")]
        } options: { options }
        let name = answer["origin"]?.stringValue ?? origin
        switch answer["change"]?.stringValue {
        case "allowed": print("\(name) may now ask to pair (it still needs the pairing code)")
        case "alreadyAllowed": print("\(name) was already allowed")
        case "removed": print("\(name) removed")
        default:
            printError("\(name) is not on the allowed or ignored list")
            throw ExitStatusCode.failure
        }
        if !live { print("(the agent is not running: this takes effect when it starts)") }
    }

    /// Asks the running agent; when none answers, does the same on the file.
    /// Returns the answer and whether an agent gave it.
    static func ask(
        _ request: JSONValue, offline: (OriginConsent, [String]) throws -> JSONValue, options: () -> ConfigOption
    ) throws -> (JSONValue, Bool) {
        let paths = AgentPaths.fromEnvironment()
        if let answer = try? ControlClient.send(request, to: paths.runtimeDirectory + "/control.sock") {
            if let error = answer["error"]?.stringValue {
                printError(error)
                throw ExitStatusCode.failure
            }
            return (answer, true)
        }
        let (config, _) = try loadConfig(options(), paths: paths)
        let logger = Logger(label: "proctord") { StreamLogHandler.standardError(label: $0) }
        let consent = OriginConsent(
            file: paths.configDirectory + "/origins.json", seedDirectory: paths.systemConfigDirectory + "/origins.d", logger: logger)
        do {
            if request["command"]?.stringValue != "origins" { try PrivateDirectory.create(paths.configDirectory) }
            return (try offline(consent, config.api.allowedOrigins), false)
        } catch {
            printError("\(error)")
            throw ExitStatusCode.failure
        }
    }
}
