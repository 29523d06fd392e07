/// Why a plugin library cannot be used, in words that tell its owner what to
/// do about it.
public enum PluginLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    case cannotOpen(path: String, reason: String)
    case notAPlugin(path: String)
    case abiMajorMismatch(path: String, pluginMajor: Int, hostMajor: Int)
    case abiMinorTooNew(path: String, plugin: String, host: String)
    case refused(path: String, host: String)
    case malformed(path: String, problem: String)
    case crashedWhileLoading(path: String, reason: String)
    case hungWhileLoading(path: String, seconds: Int)
    /// The program that runs plugins is not where the agent looks for it.
    case hostMissing(searched: [String])
    /// An error a plugin child described in its own words (already complete).
    case relayed(String)

    public var description: String {
        switch self {
        case .missing(let path):
            "\(path): no such plugin library (build it, or fix \"library\" / \"plugin_dir\" in the config)"
        case .cannotOpen(let path, let reason):
            "\(path): cannot be loaded: \(reason)"
        case .notAPlugin(let path):
            "\(path): not a proctord plugin: it exports no proctor_plugin_entry_v* symbol"
        case .abiMajorMismatch(let path, let plugin, let host):
            "\(path): ABI major mismatch: the plugin was built for ABI \(plugin).x, this proctord speaks ABI \(host).x; rebuild the plugin against this proctord's proctor_plugin.h"
        case .abiMinorTooNew(let path, let plugin, let host):
            "\(path): the plugin needs ABI \(plugin), newer than this proctord's ABI \(host); update proctord"
        case .refused(let path, let host):
            "\(path): the plugin refused to run under ABI \(host) (it was probably built for a newer proctord)"
        case .malformed(let path, let problem):
            "\(path): malformed plugin descriptor: \(problem)"
        case .crashedWhileLoading(let path, let reason):
            "\(path): the plugin crashed while loading: \(reason)"
        case .hungWhileLoading(let path, let seconds):
            "\(path): the plugin did not finish loading within \(seconds) s (stuck in its initialisers?); killed"
        case .hostMissing(let searched):
            "proctord-plugin-host, the program that runs each plugin, is missing (looked for \(searched.joined(separator: " and "))); build it with swift build, or reinstall proctord"
        case .relayed(let message):
            message
        }
    }
}
