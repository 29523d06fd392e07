import Foundation
import HTTPTypes
import Hummingbird

/// The two pages and their files, read from the web directory on each
/// request (`web/call/` and the agent's `proctor-client.js` and
/// `calibration.js` beside it), at `/static/` as in `web/`: `/static/call/...`.
/// Only plain file names under `call/` are served: no dot files, no `..`.
struct StaticPages {
    let webDirectory: String?

    static let types = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8", "json": "application/json", "svg": "image/svg+xml", "png": "image/png",
        "jpg": "image/jpeg", "webp": "image/webp", "ico": "image/x-icon", "woff2": "font/woff2", "txt": "text/plain; charset=utf-8",
    ]
    /// The agent's scripts the pages use, served from `web/` itself.
    static let shared = ["proctor-client.js", "calibration.js"]

    func add(to router: Router<CallRequestContext>) {
        router.get("/") { _, _ in try serve("call/index.html") }
        router.get("/interviewer") { _, _ in try serve("call/interviewer.html") }
        router.get("/static/**") { request, _ in
            let relative = String(request.uri.path.dropFirst("/static/".count))
            if Self.shared.contains(relative) { return try serve(relative) }
            // web/ as one tree, limited to call/: the proctoring modules' ../../proctor-client.js resolves as on disk.
            guard relative.hasPrefix("call/"), Self.isPlain(relative) else { throw HTTPError(.notFound, message: "no such file") }
            return try serve(relative)
        }
    }

    /// Letters, digits, `-`, `_` and `.` in each part, no part starting with a dot.
    static func isPlain(_ relative: String) -> Bool {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.count <= 4 && parts.allSatisfy { part in
            !part.isEmpty && !part.hasPrefix(".") && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
    }

    private func serve(_ relative: String) throws -> Response {
        guard let webDirectory else { throw HTTPError(.notFound, message: "the call pages are not installed (no web directory found)") }
        let path = webDirectory + "/" + relative
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HTTPError(.notFound, message: relative.hasPrefix("call/") && relative.hasSuffix(".html")
                ? "the call pages are not installed (no web/\(relative))" : "no such file")
        }
        let type = Self.types[(relative as NSString).pathExtension.lowercased()] ?? "application/octet-stream"
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: .init(bytes: data)))
    }
}
