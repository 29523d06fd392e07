#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A python3-dbus program standing in for a service this machine lacks: it
/// owns `name` on a test's bus and takes the test's commands, one a line,
/// through a FIFO. Its output (what it answered and sent) is its log.
final class BusStandInProcess: @unchecked Sendable {
    private let process: SpawnedProcess
    private let commands: Int32

    /// Returns once the program owns `name` on `bus`. `file` names its script, FIFO and log.
    init(name: String, script: String, file: String, bus: DBusSessionBus, directory: TemporaryDirectory) async throws {
        let path = directory.write("\(file).py", script)
        let fifo = directory.path + "/\(file)-commands"
        unlink(fifo)
        guard mkfifo(fifo, 0o600) == 0 else { throw HarnessError("mkfifo \(fifo): \(String(cString: strerror(errno)))") }
        // Read and write: opening never waits for the program to open its end.
        commands = open(fifo, O_RDWR | O_CLOEXEC)
        let process = try SpawnedProcess("/usr/bin/python3", ["-u", path, bus.address, fifo], log: directory.path + "/\(file).log")
        self.process = process
        guard await eventually(timeout: .seconds(15), { bus.hasOwner(name) || !process.isRunning }), process.isRunning else {
            process.stop()
            throw HarnessError("the stand-in \(file) did not take \(name): \(process.log.suffix(800))")
        }
    }

    /// The end of a stand-in's script that runs a GLib main loop: for each
    /// line of the FIFO it calls the script's `on_command(words)` and prints
    /// "sent <line>"; the FIFO's end ends the program. The FIFO is read
    /// unbuffered, a byte at a time: a buffered readline would take two
    /// commands sent together and leave the second unseen in its buffer.
    static let glibCommandLoop = """
        def command(source, condition):
            line = source.readline().decode()
            if not line:
                loop.quit()
                return False
            on_command(line.split())
            print("sent", line.strip(), flush=True)
            return True

        commands = open(sys.argv[2], "rb", buffering=0)
        GLib.io_add_watch(commands, GLib.IO_IN | GLib.IO_HUP, command)
        loop = GLib.MainLoop()
        loop.run()
        """

    var log: String { process.log }

    func send(_ command: String) {
        let line = command + "\n"
        _ = line.withCString { write(commands, $0, strlen($0)) }
    }

    func stop() { process.stop() }

    deinit {
        stop()
        close(commands)
    }
}
