#if canImport(Glibc)
import Glibc
#endif

/// A plugin child's crash, kept as a file in `<state dir>/crashes/` (mode
/// 0600 in a 0700 directory) so the journal gets one line instead of the
/// Swift runtime's backtrace. Only the newest `keep` reports are kept.
struct CrashReport {
    var end: ChildEnding.End
    /// What the child printed (see `CrashCapture`).
    var output: String

    static let keep = 20

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `chaos-20261207T001502.123Z-4242.txt`: sorts by time within a plugin.
    var fileName: String {
        "\(end.plugin)-\(end.time.rfc3339.filter { $0 != "-" && $0 != ":" })-\(end.pid).txt"
    }

    /// "SIGSEGV (signal 11)", or "exit status 1" when no signal ended it.
    var how: String {
        guard let signal = end.status.signal else { return "exit status \(end.status.exitCode ?? -1)" }
        return "\(ExitStatus.signalName(signal)) (signal \(signal))"
    }

    var text: String {
        """
        proctord crash report
        plugin: \(end.plugin)
        library: \(end.library)
        pid: \(end.pid)
        signal: \(end.status.signal == nil ? "none" : how)
        exit: \(end.status.description)\(end.killReason.map { " (\($0))" } ?? "")
        time: \(end.time.rfc3339)
        agent: proctord \(ProctorVersion.string)

        --- output of the plugin child ---
        \(output.isEmpty ? "(none)\n" : output)
        """
    }

    /// Writes the report into `directory` (made private if it is not), then
    /// removes all but the newest `keep` reports there. Returns the path.
    func write(in directory: String, keep: Int = Self.keep) throws(Failure) -> String {
        do { try PrivateDirectory.create(directory) } catch { throw Failure(description: error.description) }
        let path = directory + "/" + fileName
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "\(path): \(String(cString: strerror(errno)))") }
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(n < 0 ? errno : EIO))
                close(fd)
                unlink(path)
                throw Failure(description: "\(path): \(reason)")
            }
            written += n
        }
        bytes.removeAll()
        if close(fd) != 0 && errno != EINTR {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw Failure(description: "\(path): \(reason)")
        }
        Self.prune(directory, keep: keep)
        return path
    }

    /// Removes the oldest reports (by modification time) beyond `keep`.
    static func prune(_ directory: String, keep: Int) {
        guard let dir = opendir(directory) else { return }
        var reports: [(mtime: timespec, name: String)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard name.hasSuffix(".txt") else { continue }
            var info = stat()
            guard lstat(directory + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            reports.append((info.st_mtim, name))
        }
        closedir(dir)
        reports.sort { ($0.mtime.tv_sec, $0.mtime.tv_nsec, $0.name) < ($1.mtime.tv_sec, $1.mtime.tv_nsec, $1.name) }
        for report in reports.dropLast(keep) { unlink(directory + "/" + report.name) }
    }

    /// What a plugin child's environment gets on top of the agent's.
    static var childEnvironment: [String: String] {
        ["SWIFT_BACKTRACE": backtraceSettings(inherited: getenv("SWIFT_BACKTRACE").map { String(cString: $0) }, backtracer: bundledBacktracer)]
    }

    /// The backtracer an installed tree bundles beside its Swift runtime
    /// (scripts/stage-install.sh): the runtime looks for it only where a
    /// toolchain keeps it, so without this an installed agent's crash
    /// reports would have no backtrace.
    static var bundledBacktracer: String? {
        let path = AgentPaths.directory(of: Environment.executablePath) + "/../lib/proctord/swift-backtrace"
        return access(path, X_OK) == 0 ? path : nil
    }

    /// The Swift runtime's crash settings for a plugin child: a backtrace
    /// on stderr (which the agent reads), never waiting for a debugger, no
    /// colour codes. The user's own `SWIFT_BACKTRACE` sits in between, so
    /// `enable=no` there still turns it off.
    static func backtraceSettings(inherited: String?, backtracer: String? = nil) -> String {
        ["enable=yes", backtracer.map { "swift-backtrace=\($0)" }, inherited, "interactive=no,color=no,output-to=stderr"]
            .compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: ",")
    }
}
