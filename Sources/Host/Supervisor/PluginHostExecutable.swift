#if canImport(Glibc)
import Glibc
#endif

/// The program every plugin child and load probe runs: `proctord-plugin-host`,
/// beside the agent in a build tree, in `<prefix>/lib/proctord` (with the
/// plugins and the Swift runtime) in an installed tree or the package.
public enum PluginHostExecutable {
    public static let name = "proctord-plugin-host"

    /// Where it is looked for, in order, for the agent binary at `agent`.
    public static func candidates(agent: String) -> [String] {
        let directory = AgentPaths.directory(of: agent)
        return [directory + "/" + name, directory + "/../lib/proctord/" + name]
    }

    public static func locate(agent: String) -> Result<String, PluginLoadError> {
        let places = candidates(agent: agent)
        if let found = places.first(where: { access($0, X_OK) == 0 }) { return .success(found) }
        return .failure(.hostMissing(searched: places))
    }
}
