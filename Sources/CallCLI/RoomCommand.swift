import ArgumentParser
import Foundation
import ProctorCall
import ProctorJSON

struct RoomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room", abstract: "Create, list and delete rooms through a running server's admin API.",
        subcommands: [CreateRoom.self, ListRooms.self, DeleteRoom.self])
}

/// Where the server is and the admin secret that opens its API.
struct ServerOptions: ParsableArguments {
    @OptionGroup var config: ConfigOption

    @Option(name: .long, help: "The server's URL (default: its origin from call.json, else http://127.0.0.1:8444).")
    var server: String?

    @Option(name: .long, help: "The file holding the admin secret (default: admin_secret_file from call.json).")
    var adminSecretFile: String?

    func client() throws -> AdminClient {
        let config = try config.load()
        let scheme = config.tlsEnabled ? "https" : "http"
        let host = switch config.host {
        case "0.0.0.0": "127.0.0.1"
        case "::": "[::1]"
        case let address where address.contains(":"): "[\(address)]"
        case let name: name
        }
        let url = server ?? config.publicOrigin ?? "\(scheme)://\(host):\(config.port)"
        let file = adminSecretFile ?? config.adminSecretFile
        let secret: String?
        do { secret = try AdminSecret.read(file) } catch {
            throw ValidationError("\(error)")
        }
        guard let secret else { throw ValidationError("\(file): no admin secret (the server creates it on its first start)") }
        return AdminClient(base: url.hasSuffix("/") ? String(url.dropLast()) : url, secret: secret)
    }
}

struct CreateRoom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a room; prints its codes, interviewer secret and links (shown only now).")

    @OptionGroup var server: ServerOptions
    @Option(help: "The room's title.") var title: String?
    @Option(name: .customLong("starts-at"), help: "Its start, RFC 3339 (2026-12-07T14:00:00Z); default now.") var startsAt: String?
    @Option(help: "How long its codes last from the start: 90m, 1h30m, 45s (default 90m).") var duration: String?
    @Flag(help: "Print the server's JSON answer as it is.") var json = false

    func run() async throws {
        var body: JSONObject = [:]
        if let title { body["title"] = .string(title) }
        if let startsAt { body["startsAt"] = .string(startsAt) }
        if let duration {
            guard let seconds = DurationText.seconds(duration) else {
                throw ValidationError("--duration: \(duration) is not a duration such as 90m, 1h30m or 45s")
            }
            body["durationSeconds"] = .number(Double(seconds))
        }
        let answer = try await server.client().send("POST", "/api/admin/rooms", body: .object(body), expecting: 201)
        if json {
            print(JSONWriter.compact(answer))
            return
        }
        let room = answer["room"]
        print("""
            room \(room?["id"]?.stringValue ?? "?"): \(room?["title"]?.stringValue ?? "")
              starts \(room?["startsAt"]?.stringValue ?? "?"), codes expire \(room?["expiresAt"]?.stringValue ?? "?")
              interviewee code:   \(answer["codes"]?["interviewee"]?.stringValue ?? "?")
              interviewer code:   \(answer["codes"]?["interviewer"]?.stringValue ?? "?")
              interviewer secret: \(answer["interviewerSecret"]?.stringValue ?? "?")
              interviewee link:   \(answer["links"]?["interviewee"]?.stringValue ?? "?")
              interviewer link:   \(answer["links"]?["interviewer"]?.stringValue ?? "?")
            The codes and the secret are shown only now.
            """)
    }
}

struct ListRooms: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the rooms, their times and who is connected.")

    @OptionGroup var server: ServerOptions
    @Flag(help: "Print the server's JSON answer as it is.") var json = false

    func run() async throws {
        let answer = try await server.client().send("GET", "/api/admin/rooms", expecting: 200)
        if json {
            print(JSONWriter.compact(answer))
            return
        }
        let rooms = answer["rooms"]?.arrayValue ?? []
        if rooms.isEmpty { print("no rooms") }
        for room in rooms {
            let connected = (room["connected"]?.arrayValue ?? []).compactMap(\.stringValue)
            print("\(room["id"]?.stringValue ?? "?")  \(room["state"]?.stringValue ?? "?")  \(room["startsAt"]?.stringValue ?? "?") to \(room["expiresAt"]?.stringValue ?? "?")  connected: \(connected.isEmpty ? "nobody" : connected.joined(separator: ", "))  \(room["title"]?.stringValue ?? "")")
        }
    }
}

struct DeleteRoom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a room; its connected peers are told and disconnected.")

    @OptionGroup var server: ServerOptions
    @Argument(help: "The room's id (from room list).") var id: String

    func run() async throws {
        _ = try await server.client().send("DELETE", "/api/admin/rooms/\(id)", expecting: 204)
        print("room \(id) deleted")
    }
}

/// `90m`, `1h30m`, `45s`, `2h`: a duration in seconds.
enum DurationText {
    static func seconds(_ text: String) -> Int? {
        var total = 0, number = "", sawUnit = false
        for character in text.lowercased() {
            if character.isNumber { number.append(character); continue }
            // At most a year: no overflow for any number of digits.
            guard number.count <= 8, let value = Int(number) else { return nil }
            switch character {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            guard total <= 366 * 86400 else { return nil }
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, total > 0 else { return nil }
        return total
    }
}
