#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ProctorTestSupport
import Testing
@testable import Session

/// A notify must answer before the agent's 5 s hang timeout even when the
/// link's thread is stuck in a blocking call. The "bus" here is a socket
/// that takes the connection and never says a word: the link's thread waits
/// in dbus_bus_register (libdbus's own 25 s) while notify is asked.
@Suite struct BusyLinkTests {
    @Test func aNotifyWhileTheLinkIsStuckAnswersBusyInsteadOfWaiting() throws {
        let directory = TemporaryDirectory("proctord-session-busy")
        let path = directory.path + "/silent-bus"
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        #expect(listener >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            _ = path.utf8CString.withUnsafeBytes { memcpy(bytes.baseAddress!, $0.baseAddress!, min($0.count, bytes.count - 1)) }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0 && listen(listener, 4) == 0, "\(String(cString: strerror(errno)))")
        let link = try SessionBusLink(system: false, address: "unix:path=" + path, reconnectMaxMs: 250) { _ in }
        try link.start()
        defer { link.stop() }
        defer { close(listener) }
        // The link's thread has connected once this accepts: it is in its connect step, waiting for an answer
        // that never comes, and runs no notify until that ends.
        var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        #expect(poll(&ready, 1, 15_000) == 1, "the link never connected")
        let peer = accept(listener, nil, nil)
        #expect(peer >= 0)
        defer { close(peer) }  // first of all: the link's thread sees the bus gone, so stop need not wait out libdbus
        var answer = "shown"
        do {
            _ = try link.notify(.init(summary: "Stuck", body: "", icon: "", actions: [], urgency: 1, expireMs: -1))
        } catch {
            answer = "\(error)"
        }
        // Without the bound this waited for libdbus to give up (25 s) and then said "not connected".
        #expect(answer.hasPrefix("busy"), "\(answer)")
    }
}
