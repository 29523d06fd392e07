import ArgumentParser
import ProctorAPI
import ProctorHost
import ProctorJSON

struct PairingCodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairing-code",
        abstract: "Print the running agent's pairing code, for the person at this machine or a script.")

    @Flag(help: "Print JSON instead of text: {\"code\", \"expires_at\", \"locked\": [{\"origin\", \"seconds_left\"}]}.")
    var json = false
    @Flag(help: "End every pairing lock that wrong codes caused, then print the code.")
    var unlock = false

    func run() throws {
        if unlock {
            let ended = try askAgent(["command": "unlock-pairing"])["unlocked"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if !json { print(ended.isEmpty ? "pairing was not locked" : "pairing unlocked for \(ended.joined(separator: ", "))") }
        }
        let answer = try askAgent(["command": "pairing-code"])
        if json { return print(JSONWriter.compact(answer)) }
        guard let code = answer["code"]?.stringValue else { return }
        print("\(code.prefix(3)) \(code.dropFirst(3))  (valid until \(answer["expires_at"]?.stringValue ?? "?"))")
        for lock in answer["locked"]?.arrayValue ?? [] {
            print("pairing locked for \(lock["origin"]?.stringValue ?? "?") for \(lock["seconds_left"]?.intValue ?? 0) s after wrong codes; `proctord pairing-code --unlock` ends it")
        }
    }
}

struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List the paired pages, or revoke their access.",
        subcommands: [List.self, Revoke.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List paired sessions and connected pages.")
        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            let answer = try askAgent(["command": "sessions"])
            if json { return print(JSONWriter.compact(answer)) }
            let sessions = answer["sessions"]?.arrayValue ?? []
            if sessions.isEmpty { print("no paired sessions") }
            for session in sessions {
                print("\(session["session"]?.stringValue ?? "?")  \(session["origin"]?.stringValue ?? "?")  \(session["client"]?.stringValue ?? "")  expires \(session["token_expires_at"]?.stringValue ?? "?")")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke one session's token (its pages are disconnected), or all with --all.")
        @Argument(help: "The session id, as `proctord sessions` lists it.")
        var session: String?
        @Flag(help: "Revoke every session.")
        var all = false

        func validate() throws {
            if (session == nil) == !all { throw ValidationError("name one session, or pass --all") }
        }

        func run() throws {
            let answer = try askAgent(["command": "revoke", "session": session.map(JSONValue.string) ?? .null])
            let revoked = answer["revoked"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard !revoked.isEmpty else {
                printError(session.map { "no session \($0)" } ?? "no sessions to revoke")
                throw ExitStatusCode.failure
            }
            print("revoked \(revoked.joined(separator: ", "))")
        }
    }
}

/// Sends one command to the running agent's control socket.
func askAgent(_ request: JSONValue) throws -> JSONValue {
    let path = AgentPaths.fromEnvironment().runtimeDirectory + "/control.sock"
    do {
        let answer = try ControlClient.send(request, to: path)
        if let error = answer["error"]?.stringValue {
            printError(error)
            throw ExitStatusCode.failure
        }
        return answer
    } catch let error as ExitCode {
        throw error
    } catch {
        printError("\(error)")
        throw ExitStatusCode.failure
    }
}
