#if canImport(Glibc)
import Glibc
#endif
import LinuxShim
import PluginHosting

/// `proctord-plugin-host`: the agent starts it, people don't. It hosts one
/// plugin on the socket `--fd` or, with `--describe`, prints the library's
/// manifest and exits. Its few options are parsed by hand: an argument parser
/// would be the largest thing in a process that should stay small.
@main
enum PluginHostMain {
    static let usage = """
        usage: proctord-plugin-host --library PATH [--describe] [--fd N] [--parent PID]
                                    [--state-dir DIR] [--runtime-dir DIR] [--data-dir DIR]
        """

    static func main() {
        var options: [String: String] = [:]
        var describe = false
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--describe":
                describe = true
            case "--library", "--fd", "--parent", "--state-dir", "--runtime-dir", "--data-dir":
                guard let value = arguments.popFirst() else { fail("\(argument) needs a value") }
                options[argument] = value
            default:
                fail("unknown argument \(argument)")
            }
        }
        guard let library = options["--library"] else { fail("--library is required") }
        let parent = number(options, "--parent", default: 0)
        if describe { exit(PluginProcess.describe(library: library, parent: parent)) }
        // The agent passes its own directories: where this binary is says
        // nothing about them (it lives in <prefix>/lib/proctord when installed).
        var paths = AgentPaths.fromEnvironment()
        if let directory = options["--state-dir"] { paths.stateDirectory = directory }
        if let directory = options["--runtime-dir"] { paths.runtimeDirectory = directory }
        if let directory = options["--data-dir"] { paths.dataDirectory = directory }
        PluginProcess.serve(library: library, fd: number(options, "--fd", default: 3), parent: parent, paths: paths)
    }

    static func number(_ options: [String: String], _ name: String, default value: Int32) -> Int32 {
        guard let text = options[name] else { return value }
        guard let parsed = Int32(text) else { fail("\(name): \(text) is not a number") }
        return parsed
    }

    /// Exits 64 (EX_USAGE) with the reason and the usage on stderr.
    static func fail(_ message: String) -> Never {
        var text = "proctord-plugin-host: \(message)\n\(usage)\n"
        text.withUTF8 { linux_write_stderr($0.baseAddress, UInt($0.count)) }
        exit(64)
    }
}
