#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Turns what a plugin child prints on stdout and stderr (a library's own
/// warnings) into log lines tagged with the plugin, at most `linesPerSecond`
/// a second so a chatty library cannot flood the journal. A crash message
/// and everything after it (the Swift runtime's backtrace) is kept for a
/// crash report instead; once the child has ended, a crash is written to
/// `crashDirectory` and logged as one line.
struct ChildOutputLog {
    let fd: Int32
    let logger: Logger
    let ending: ChildEnding
    let crashDirectory: String
    var linesPerSecond = 50
    /// How long output may keep coming after the child ended (from something
    /// that left its process group) before the report is written without it.
    var drainMilliseconds: Int32 = 2000

    func run() {
        defer { close(fd) }
        var capture = CrashCapture()
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        var budget = LineBudget(perSecond: linesPerSecond)
        func emit(_ line: ArraySlice<UInt8>) {
            // Blank lines say nothing in a journal (the backtracer starts with one).
            guard capture.take(line), line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
            let (allowed, heldBack) = budget.admit(now: MonotonicTime.milliseconds())
            if heldBack > 0 { logger.warning("\(heldBack) more output lines suppressed") }
            if allowed { logger.notice("output: \(String(decoding: line.prefix(2048), as: UTF8.self))") }
        }
        var deadline: UInt64?
        while true {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: ending.wakeFD, events: Int16(POLLIN), revents: 0)]
            let timeout = deadline.map { Int32(clamping: Int64($0) - Int64(MonotonicTime.milliseconds())) } ?? -1
            if deadline != nil && timeout <= 0 { break }
            let ready = poll(&fds, deadline == nil ? 2 : 1, timeout)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { break }
            if deadline == nil && fds[1].revents != 0 {
                deadline = MonotonicTime.milliseconds() + UInt64(drainMilliseconds)
                if fds[0].revents == 0 { continue }
            }
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            pending.append(contentsOf: chunk[0..<n])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                emit(pending[..<newline])
                pending.removeSubrange(...newline)
            }
            if pending.count > 8192 {
                emit(pending[...])
                pending.removeAll()
            }
        }
        if !pending.isEmpty { emit(pending[...]) }
        if budget.suppressed > 0 { logger.warning("\(budget.suppressed) more output lines suppressed") }
        report(ending.wait(), capture: capture)
    }

    /// Writes and logs a crash: a death by a signal the agent did not send,
    /// or any end after a crash message.
    private func report(_ end: ChildEnding.End, capture: CrashCapture) {
        guard capture.crashSeen || (end.status.signal != nil && end.killReason == nil) else { return }
        let report = CrashReport(end: end, output: capture.text)
        do {
            let path = try report.write(in: crashDirectory)
            logger.error("plugin \(end.plugin) crashed with \(report.how); crash report: \(path)")
        } catch {
            logger.error("plugin \(end.plugin) crashed with \(report.how); crash report not kept: \(error.description)")
        }
    }
}
