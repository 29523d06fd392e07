#if canImport(Glibc)
import Glibc
#endif
import GRDB

/// One interview's SQLite file: created 0600 before SQLite sees it (SQLite
/// gives its -wal and -shm files the main file's mode), in WAL mode so a
/// reader (`proctord interviews show`) never blocks the writer.
public enum InterviewFile {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `<directory>/<id>.sqlite`.
    public static func path(directory: String, id: String) -> String { directory + "/" + id + ".sqlite" }

    /// Creates a new, empty interview file with its tables.
    public static func create(_ path: String) throws(Failure) -> DatabaseQueue {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "\(path): cannot create: \(String(cString: strerror(errno)))") }
        close(fd)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration(readonly: false))
            try queue.write { try InterviewSchema.create($0) }
            return queue
        } catch {
            throw Failure(description: "\(path): \(describe(error))")
        }
    }

    /// Opens an existing file, for reading or for deleting rows.
    public static func open(_ path: String, readonly: Bool = true) throws(Failure) -> DatabaseQueue {
        guard access(path, F_OK) == 0 else { throw Failure(description: "\(path): \(String(cString: strerror(errno)))") }
        do { return try DatabaseQueue(path: path, configuration: configuration(readonly: readonly)) } catch {
            throw Failure(description: "\(path): \(describe(error))")
        }
    }

    static func configuration(readonly: Bool) -> Configuration {
        var config = Configuration()
        config.readonly = readonly
        if !readonly { config.journalMode = .wal }
        // The writer is the only writer; a reader waits briefly for a checkpoint.
        config.busyMode = .timeout(2)
        config.label = "interview"
        return config
    }

    /// SQLite's words for what went wrong: "database or disk is full (SQLite error 13)".
    /// The file-system steps before SQLite (the directory, the file) report errno's text.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        return "\(error.message ?? "error") (SQLite error \(error.extendedResultCode.rawValue))"
    }
}

/// Deletes a database file with its WAL companions.
func removeInterviewFiles(_ path: String) -> Bool {
    let removed = unlink(path) == 0
    _ = unlink(path + "-wal")
    _ = unlink(path + "-shm")
    return removed
}
