#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Turns what a plugin child prints on stdout and stderr (a library's own
/// warnings, a crash message) into log lines tagged with the plugin, at most
/// `linesPerSecond` a second so a chatty library cannot flood the journal.
struct ChildOutputLog {
    let fd: Int32
    let logger: Logger
    var linesPerSecond = 50

    func run() {
        defer { close(fd) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        var budget = LineBudget(perSecond: linesPerSecond)
        func emit(_ line: ArraySlice<UInt8>) {
            let (allowed, heldBack) = budget.admit(now: ChildPlugin.nowMilliseconds())
            if heldBack > 0 { logger.warning("\(heldBack) more output lines suppressed") }
            if allowed { logger.notice("output: \(String(decoding: line.prefix(2048), as: UTF8.self))") }
        }
        while true {
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
    }
}
