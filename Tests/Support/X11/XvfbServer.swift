#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A private X server for one test: Xvfb on a display number it picks itself
/// (`-displayfd`, so two test runs never collide), ready when `start`
/// returns. It can be crashed and brought back on the same number, to test
/// what the plugins do when the X server goes away.
public final class XvfbServer: @unchecked Sendable {
    public private(set) var number: Int
    public var display: String { ":\(number)" }
    private let directory: TemporaryDirectory
    private let size: String
    private let disabled: [String]
    private var process: SpawnedProcess?

    /// Starts Xvfb with one screen of `size` ("WxHxDepth"), without the
    /// extensions named in `disabling` (eg "X-Resource"), to test servers that lack them.
    public init(size: String = "1280x800x24", disabling: [String] = [], directory: TemporaryDirectory) throws {
        self.size = size
        disabled = disabling
        self.directory = directory
        number = -1
        try start(number: nil)
    }

    private func start(number wanted: Int?) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw HarnessError("pipe: \(String(cString: strerror(errno)))") }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        defer { close(fds[0]) }
        var arguments = ["-displayfd", "3", "-screen", "0", size, "-nolisten", "tcp", "-noreset", "+extension", "RANDR"]
        arguments += disabled.flatMap { ["-extension", $0] }
        if let wanted { arguments.insert(":\(wanted)", at: 0) }
        let server: SpawnedProcess
        do {
            server = try SpawnedProcess("/usr/bin/Xvfb", arguments, log: directory.path + "/xvfb.log",
                                        extraDescriptors: [(3, fds[1])])
        } catch {
            close(fds[1])
            throw error
        }
        close(fds[1])
        // Xvfb writes its display number once it accepts connections.
        var text = ""
        var poller = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
        let deadline = ContinuousClock.now + .seconds(15)
        while !text.hasSuffix("\n") && ContinuousClock.now < deadline {
            guard poll(&poller, 1, 100) > 0 else { continue }
            var byte: UInt8 = 0
            guard read(fds[0], &byte, 1) == 1 else { break }
            text.append(Character(Unicode.Scalar(byte)))
        }
        guard let found = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            server.stop()
            throw HarnessError("Xvfb did not report a display: \(server.log.suffix(500))")
        }
        number = found
        process = server
    }

    /// Kills the server as a crash would.
    public func crash() {
        process?.crash()
        process = nil
    }

    /// Starts the server again on the same display number.
    public func restart() throws {
        precondition(process == nil, "crash or stop the server first")
        // The dead server's lock and socket stay behind after SIGKILL; Xvfb
        // refuses a display whose lock names a live process only.
        try start(number: number)
    }

    public func stop() {
        process?.stop()
        process = nil
    }

    deinit { stop() }
}
