import Foundation

/// One plain HTTP GET over a raw socket, with the Host header the test
/// chooses (URLSession would not let a test lie about Host).
public enum HTTPGet {
    public static func get(port: Int, path: String, host: String? = nil, headers: [String: String] = [:]) async throws -> (status: Int, body: String) {
        try await offPool { try requestNow("GET", port: port, path: path, host: host, headers: headers) }
    }

    public static func requestNow(_ method: String, port: Int, path: String, host: String? = nil, headers: [String: String] = [:]) throws -> (status: Int, body: String) {
        let connection = try RawTCP(port: port)
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\nContent-Length: 0\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        try connection.send(text)
        let response = connection.readToEnd()
        let whole = String(decoding: response, as: UTF8.self)
        let parts = whole.components(separatedBy: "\r\n\r\n")
        let status = Int(parts[0].split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n").trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Runs a program and returns what it printed on stdout.
public enum Shell {
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> String {
        try await offPool { try runNow(program, arguments, environment: environment) }
    }

    public static func runNow(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws -> String {
        try runNowWithStatus(program, arguments, environment: environment).output
    }

    /// Runs a program; returns its exit status with what it printed on
    /// stdout, for tests where an empty output alone proves nothing.
    public static func runWithStatus(_ program: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await offPool { try runNowWithStatus(program, arguments) }
    }

    static func runNowWithStatus(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
