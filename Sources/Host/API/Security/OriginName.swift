import ProctorJSON

/// A web origin as a browser sends it in `Origin`: `scheme://host[:port]`,
/// lower case, without the scheme's default port. What a person types
/// ("https://Interviews.Example.com/", "https://example.com:443") is brought to
/// that form, so the agent compares it with what browsers send byte for byte.
public enum OriginName {
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Longer origins are not remembered: no real site needs one.
    public static let maximumLength = 200

    /// The origin in the form browsers send, or why `text` is not one.
    public static func normalize(_ text: String) throws(Invalid) -> String {
        var rest = Substring(text.trimmingASCIISpaces())
        let quoted = JSONWriter.quoted(String(text.prefix(maximumLength)))
        guard !rest.isEmpty, rest.count <= maximumLength else {
            throw Invalid(description: "\(quoted) is not an origin: give scheme://host[:port], at most \(maximumLength) characters")
        }
        guard let separator = rest.range(of: "://") else {
            throw Invalid(description: "\(quoted) is not an origin: it has no scheme (write it as https://host)")
        }
        let scheme = rest[..<separator.lowerBound].lowercased()
        let defaultPort: String
        switch scheme {
        case "https": defaultPort = "443"
        case "http": defaultPort = "80"
        default: throw Invalid(description: "\(quoted) is not an origin a call page has: the scheme must be http or https, not \(scheme)")
        }
        rest = rest[separator.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }  // "https://host/" as copied from the address bar
        guard !rest.isEmpty else { throw Invalid(description: "\(quoted) is not an origin: it has no host") }
        if rest.contains(where: { "/?#@ \\".contains($0) }) {
            throw Invalid(description: "\(quoted) is not an origin: an origin has no path, query, fragment or user name (only scheme://host[:port])")
        }
        var host = Substring(rest)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw Invalid(description: "\(quoted) is not an origin: an IPv6 host lacks its closing ]") }
            let after = host[host.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Invalid(description: "\(quoted) is not an origin: unexpected text after the IPv6 host") }
                port = after.dropFirst()
            }
            host = host[...close]
        } else if let colon = host.lastIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.[]:".contains($0)) }) else {
            throw Invalid(description: "\(quoted) is not an origin: the host may hold only letters, digits, '-' and '.' (use the punycode form of a non-ASCII name)")
        }
        var result = scheme + "://" + host.lowercased()
        if let port {
            guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isASCII) else {
                throw Invalid(description: "\(quoted) is not an origin: the port must be a number from 1 to 65535")
            }
            if String(number) != defaultPort { result += ":" + String(number) }
        }
        return result
    }
}

extension String {
    fileprivate func trimmingASCIISpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
