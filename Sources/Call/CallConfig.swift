import Foundation
import ProctorJSON

/// `call.json`: where the call server listens, its certificate, its origin,
/// its admin secret, the ICE servers handed to the pages and its limits.
/// Every key is optional; an unknown key or a wrong value is an error that
/// names the file, the key and the value.
public struct CallConfig: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8444
    public var certificate: String?
    public var privateKey: String?
    /// `scheme://host[:port]` the pages are served from; derived from `listen` when nil.
    public var publicOrigin: String?
    public var adminSecretFile: String
    public var iceServers: [JSONValue] = []
    public var maximumRooms = 5000
    public var maximumFileBytes = 52_428_800

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public init(adminSecretFile: String = CallConfig.defaultAdminSecretFile()) {
        self.adminSecretFile = adminSecretFile
    }

    public var tlsEnabled: Bool { certificate != nil && privateKey != nil }

    /// `$XDG_STATE_HOME/proctord-call/admin-secret` (`~/.local/state/...` without it).
    public static func defaultAdminSecretFile(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let state = env["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? ((env["HOME"] ?? "/") + "/.local/state")
        return state + "/proctord-call/admin-secret"
    }

    /// Reads `path`; relative paths in it are taken from the file's directory.
    public static func load(_ path: String) throws(Invalid) -> CallConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Invalid(description: "\(path): cannot read the file")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(Array(data)) } catch { throw Invalid(description: "\(path): not JSON: \(error)") }
        return try parse(value, file: path)
    }

    public static func parse(_ value: JSONValue, file: String) throws(Invalid) -> CallConfig {
        let base = (file as NSString).deletingLastPathComponent
        func fail(_ key: String, _ value: JSONValue, _ why: String) -> Invalid {
            Invalid(description: "\(file): \(key): \(JSONWriter.compact(value).prefix(120)) \(why)")
        }
        func path(_ key: String, _ value: JSONValue) throws(Invalid) -> String {
            guard let text = value.stringValue, !text.isEmpty else { throw fail(key, value, "is not a path (a non-empty string)") }
            return text.hasPrefix("/") || base.isEmpty ? text : base + "/" + text
        }
        /// `{"<key>": <whole number at least minimum>}`, the shape of `rooms` and `files`.
        func limit(in value: JSONValue, section: String, key: String, minimum: Int, unit: String) throws(Invalid) -> Int? {
            guard case .object(let object) = value else { throw fail(section, value, "is not an object with \(key)") }
            var found: Int?
            for (inner, item) in object.members {
                guard inner == key else { throw fail("\(section).\(inner)", item, "is not a known key (\(key))") }
                guard let number = item.intValue, number >= minimum else {
                    throw fail("\(section).\(key)", item, "is not a whole number of \(unit), at least \(minimum)")
                }
                found = number
            }
            return found
        }
        guard case .object(let root) = value else { throw Invalid(description: "\(file): the top level must be an object") }
        var config = CallConfig()
        for (key, value) in root.members {
            switch key {
            case "listen":
                guard case .object(let listen) = value else { throw fail("listen", value, "is not an object with host and port") }
                for (inner, item) in listen.members {
                    switch inner {
                    case "host":
                        guard let host = item.stringValue, !host.isEmpty else { throw fail("listen.host", item, "is not an address (a string)") }
                        config.host = host
                    case "port":
                        guard let port = item.intValue, (0...65535).contains(port) else { throw fail("listen.port", item, "is not a port (0 to 65535; 0 picks a free one)") }
                        config.port = port
                    default: throw fail("listen.\(inner)", item, "is not a known key (host, port)")
                    }
                }
            case "tls":
                guard case .object(let tls) = value else { throw fail("tls", value, "is not an object with certificate and private_key") }
                for (inner, item) in tls.members {
                    switch inner {
                    case "certificate": config.certificate = try path("tls.certificate", item)
                    case "private_key": config.privateKey = try path("tls.private_key", item)
                    default: throw fail("tls.\(inner)", item, "is not a known key (certificate, private_key)")
                    }
                }
                guard (config.certificate == nil) == (config.privateKey == nil) else {
                    throw fail("tls", value, "needs both certificate and private_key")
                }
            case "public_origin":
                guard let text = value.stringValue, let origin = CallSite.normalizeOrigin(text) else {
                    throw fail("public_origin", value, "is not an origin (http(s)://host[:port], no path)")
                }
                config.publicOrigin = origin
            case "admin_secret_file": config.adminSecretFile = try path("admin_secret_file", value)
            case "ice_servers":
                guard let servers = value.arrayValue else { throw fail("ice_servers", value, "is not an array of RTCIceServer objects") }
                for (index, server) in servers.enumerated() {
                    guard let urls = server["urls"], urls.stringValue != nil || (urls.arrayValue.map { !$0.isEmpty && $0.allSatisfy { $0.stringValue != nil } } ?? false) else {
                        throw fail("ice_servers[\(index)]", server, "is not an RTCIceServer (an object with urls: a string or an array of strings)")
                    }
                }
                config.iceServers = servers
            case "rooms":
                config.maximumRooms = try limit(in: value, section: "rooms", key: "max", minimum: 1, unit: "rooms") ?? config.maximumRooms
            case "files":
                config.maximumFileBytes = try limit(in: value, section: "files", key: "max_bytes", minimum: 0, unit: "bytes") ?? config.maximumFileBytes
            default:
                throw fail(key, value, "is not a known key (listen, tls, public_origin, admin_secret_file, ice_servers, rooms, files)")
            }
        }
        return config
    }
}
