import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ProctorJSON

/// The admin API over HTTP(S), for the room commands.
struct AdminClient {
    let base: String
    let secret: String

    /// Sends one request; the JSON answer, or a clear error with the server's own message.
    func send(_ method: String, _ path: String, body: JSONValue? = nil, expecting status: Int) async throws -> JSONValue {
        guard let url = URL(string: base + path) else { throw ValidationError("--server: \(base) is not a URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(JSONWriter.compact(body).utf8)
        }
        let (data, response): (Data, URLResponse)
        do { (data, response) = try await URLSession.shared.data(for: request) } catch {
            FileHandle.standardError.write(Data("proctord-call: cannot reach \(base): \(error.localizedDescription)\n".utf8))
            throw ExitCode.failure
        }
        let code = (response as? HTTPURLResponse)?.statusCode ?? 0
        let answer = (try? JSONParser.parse(Array(data))) ?? .null
        guard code == status else {
            let message = answer["error"]?["message"]?.stringValue ?? String(decoding: data.prefix(200), as: UTF8.self)
            FileHandle.standardError.write(Data("proctord-call: \(method) \(path): HTTP \(code): \(message)\n".utf8))
            throw ExitCode.failure
        }
        return answer
    }
}
