import Synchronization

/// Who the server is to browsers: the origin its pages come from (which a
/// WebSocket's `Origin` must equal) and the `Host` values it answers to
/// (anything else may be a DNS-rebinding page). Known once the port is bound.
public final class CallSite: Sendable {
    private let state = Mutex<(origin: String, hosts: Set<String>)>(("", []))

    public init() {}

    public var origin: String { state.withLock { $0.origin } }

    /// Fixes the origin and hosts for the bound port: `public_origin` if
    /// configured, else the listen address; the listen address itself (and
    /// the loopback names for a loopback or wildcard one) are accepted as Host too.
    public func bind(config: CallConfig, port: Int) {
        let scheme = config.tlsEnabled ? "https" : "http"
        let listenHost = config.host.contains(":") ? "[\(config.host)]" : config.host
        let origin = config.publicOrigin ?? Self.normalizeOrigin("\(scheme)://\(listenHost):\(port)") ?? "\(scheme)://\(listenHost):\(port)"
        var hosts: Set<String> = [String(origin.split(separator: "://", maxSplits: 1).last ?? ""), "\(listenHost):\(port)"]
        // A loopback or wildcard address is reached on this machine by its loopback names (the CLI does so).
        if ["127.0.0.1", "::1", "localhost", "0.0.0.0", "::"].contains(config.host) {
            hosts.formUnion(["localhost:\(port)", "127.0.0.1:\(port)", "[::1]:\(port)"])
        }
        state.withLock { $0 = (origin, hosts) }
    }

    public func accepts(host: String?) -> Bool {
        guard let host else { return false }
        return state.withLock { $0.hosts.contains(host.lowercased()) }
    }

    public func accepts(origin: String?) -> Bool {
        guard let origin, let normalized = Self.normalizeOrigin(origin) else { return false }
        return normalized == self.origin
    }

    /// `scheme://host[:port]`, lower case, without the scheme's default port; nil when `text` is not one.
    public static func normalizeOrigin(_ text: String) -> String? {
        var rest = Substring(text)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let separator = rest.range(of: "://") else { return nil }
        let scheme = rest[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let authority = rest[separator.upperBound...].lowercased()
        guard !authority.isEmpty, !authority.contains(where: { "/?#@ \\".contains($0) }) else { return nil }
        let defaultPort = scheme == "https" ? ":443" : ":80"
        let host = authority.hasSuffix(defaultPort) ? String(authority.dropLast(defaultPort.count)) : authority
        return scheme + "://" + host
    }
}
