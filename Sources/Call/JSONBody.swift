import Hummingbird
import ProctorJSON

/// Request bodies as JSON objects, and JSON answers.
enum JSONBody {
    static let maximumBytes = 16 * 1024

    /// The body as an object; an empty body is an empty object when `emptyIsObject`.
    static func object(_ request: Request, context: CallRequestContext, emptyIsObject: Bool = false) async throws -> JSONObject {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBytes)
        if buffer.readableBytes == 0 && emptyIsObject { return [:] }
        guard case .object(let object) = try? JSONParser.parse(Array(buffer.readableBytesView)) else {
            throw CallError.badRequest("the body must be a JSON object")
        }
        return object
    }

    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: .init(byteBuffer: .init(string: JSONWriter.compact(value))))
    }
}
