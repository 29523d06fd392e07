import Foundation
import ProctorJSON

/// One DevTools protocol connection (a browser or a page): calls with ids,
/// answers matched by id, events skipped.
public final class DevToolsSession: @unchecked Sendable {
    private let socket: WebSocketTestClient
    private var nextID = 1
    /// The page's target id (for `Target.activateTarget`); nil for the browser's own session.
    public let targetID: String?

    init(socket: WebSocketTestClient, targetID: String?) {
        self.socket = socket
        self.targetID = targetID
    }

    static func connect(port: Int, path: String, targetID: String? = nil) async throws -> DevToolsSession {
        DevToolsSession(socket: try await WebSocketTestClient.connect(port: port, path: path, origin: nil), targetID: targetID)
    }

    /// Calls `method` and returns its `result`; throws the protocol's error.
    @discardableResult
    public func call(_ method: String, _ params: JSONValue = [:], timeout: Double = 20) async throws -> JSONValue {
        let id = nextID
        nextID += 1
        try await socket.send(JSONWriter.compact(["id": .number(Double(id)), "method": .string(method), "params": params]))
        let answer = try await JSONParser.parse(socket.receive(until: { $0.hasPrefix("{\"id\":\(id),") }, timeout: timeout))
        if let error = answer["error"] { throw Chromium.Unavailable(description: "\(method): \(error)") }
        return answer["result"] ?? [:]
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    public func evaluate(_ expression: String) async throws -> JSONValue {
        let result = try await call("Runtime.evaluate", ["expression": .string(expression), "returnByValue": true, "awaitPromise": true])
        return result["result"]?["value"] ?? .null
    }

    /// Clicks the middle of the first element `selector` matches with the
    /// mouse, as a person would: a trusted click, unlike `element.click()`.
    public func click(_ selector: String) async throws {
        let centre = try await evaluate("""
            (() => { const e = document.querySelector(\(JSONWriter.quoted(selector))); if (!e) return null;
              e.scrollIntoView({block: "center"}); const r = e.getBoundingClientRect();
              return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()
            """)
        guard let x = centre["x"]?.doubleValue, let y = centre["y"]?.doubleValue else {
            throw Chromium.Unavailable(description: "nothing on the page matches \(selector) to click")
        }
        for type in ["mouseMoved", "mousePressed", "mouseReleased"] {
            try await call("Input.dispatchMouseEvent", [
                "type": .string(type), "x": .number(x), "y": .number(y), "button": "left", "clickCount": type == "mouseMoved" ? 0 : 1,
            ])
        }
    }

    /// Polls `expression` until `done` accepts its value or `timeout` passes.
    public func waitFor(_ expression: String, timeout: Double = 20, _ done: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var value: JSONValue = .null
        repeat {
            value = try await evaluate(expression)
            if done(value) { return value }
            try await Task.sleep(for: .milliseconds(100))
        } while Date() < deadline
        return value
    }
}
