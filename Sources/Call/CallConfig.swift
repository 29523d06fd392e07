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
                guard case .object(let rooms) = value else { throw fail("rooms", value, "is not an object with max") }
                for (inner, item) in rooms.members {
                    guard inner == "max" else { throw fail("rooms.\(inner)", item, "is not a known key (max)") }
                    guard let maximum = item.intValue, maximum >= 1 else { throw fail("rooms.max", item, "is not a whole number of rooms, at least 1") }
                    config.maximumRooms = maximum
                }
            case "files":
                guard case .object(let files) = value else { throw fail("files", value, "is not an object with max_bytes") }
                for (inner, item) in files.members {
                    guard inner == "max_bytes" else { throw fail("files.\(inner)", item, "is not a known key (max_bytes)") }
                    guard let maximum = item.intValue, maximum >= 0 else { throw fail("files.max_bytes", item, "is not a whole number of bytes") }
                    config.maximumFileBytes = maximum
                }
            default:
                throw fail(key, value, "is not a known key (listen, tls, public_origin, admin_secret_file, ice_servers, rooms, files)")
            }
        }
        return config
    }
}
