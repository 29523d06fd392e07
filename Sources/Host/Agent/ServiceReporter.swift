#if canImport(Glibc)
import Glibc
#endif

/// What the agent tells systemd while it runs as a service: READY=1 only once
/// every plugin has left `starting` and the API answers an HTTP request on its
/// port; STATUS= lines that say what is degraded whenever a plugin's state
/// changes; WATCHDOG=1 at half the interval only while the agent's actors and
/// the API's event loops still turn; STOPPING=1 on the way out.
public struct ServiceReporter: Sendable {
    public let notifier: SystemdNotifier

    public init(notifier: SystemdNotifier = SystemdNotifier()) { self.notifier = notifier }

    /// Waits until no plugin is `starting` (running, degraded, failed, ...),
    /// or `limit` passed. `updates` must be subscribed to `plugin.state`
    /// before the agent started, so no change falls between; it may be
    /// cancelled when this returns.
    public static func waitForPlugins(_ agent: Agent, updates: Subscription, limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        let timer = Task {
            try? await Task.sleep(until: deadline)
            updates.cancel()
        }
        defer { timer.cancel() }
        while await agent.enabledPluginStates().contains(where: { $0.name == .starting }) {
            guard await updates.next() != nil else { return }
        }
    }

    /// Whether `GET /healthz` on 127.0.0.1:`port` answers 200: the listening
    /// socket exists and the event loop behind it serves. Blocking, bounded by `timeoutSeconds`.
    public static func apiAnswers(port: Int, timeoutSeconds: Int = 5) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return false }
        let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
        let sent = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, request.utf8.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.utf8.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        var got = 0
        while got < 12 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, 64 - got, 0) }
            guard n > 0 else { break }
            got += n
        }
        return String(decoding: buffer[0..<got], as: UTF8.self).hasPrefix("HTTP/1.1 200")
    }

    /// One STATUS= line: where the API is and which plugins are not running, and why.
    public static func status(port: Int, states: [PluginState], socketActivated: Bool = false) -> String {
        let running = states.filter { $0.name == .running }.count
        var text = "serving on 127.0.0.1:\(port)\(socketActivated ? " (socket from systemd)" : ""); \(running) of \(states.count) plugins running"
        let troubled = states.filter { $0.name != .running }
        if !troubled.isEmpty {
            text += "; " + troubled.map { state in
                "\(state.plugin) \(state.name.rawValue)" + (state.reason.map { ": \($0)" } ?? "")
            }.joined(separator: "; ")
        }
        // One line: systemd shows STATUS= as a single line.
        return String(text.map { $0 == "\n" ? " " : $0 }.prefix(400))
    }

    public func ready(status: String) { notifier.notify("READY=1\nSTATUS=\(status)") }

    public func status(_ status: String) { notifier.notify("STATUS=\(status)") }

    public func stopping() { notifier.notify("STOPPING=1") }

    /// Sends STATUS= each time a plugin's state changes, until cancelled.
    public func followStatus(_ agent: Agent, updates: Subscription, port: Int, socketActivated: Bool) async {
        guard notifier.isActive else { return }
        var last = ""
        while await updates.next() != nil {
            let text = Self.status(port: port, states: await agent.enabledPluginStates(), socketActivated: socketActivated)
            if text != last { status(text) }
            last = text
        }
    }

    /// Sends WATCHDOG=1 at half systemd's interval, each time after `probe`
    /// returned: a probe that hangs (a stuck actor, a blocked event loop)
    /// stops the pings and systemd restarts the agent. Until cancelled.
    public func feedWatchdog(probe: @escaping @Sendable () async -> Void) async {
        guard let interval = notifier.watchdogInterval else { return }
        while (try? await Task.sleep(for: interval / 2)) != nil {
            await probe()
            guard !Task.isCancelled else { return }
            notifier.notify("WATCHDOG=1")
        }
    }
}
