#if canImport(Glibc)
import Glibc
#endif
import LinuxShim

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

    /// The C plugin host, beside `proctord-plugin-host` (see `host(for:swiftHost:)`).
    public static let cName = "proctord-plugin-host-c"

    /// The program to run the library at `library` in: `proctord-plugin-host-c`
    /// when the library does not link the Swift runtime (a plain C plugin) and
    /// that program is installed beside `swiftHost`, so the child holds no Swift
    /// runtime at all; else `swiftHost`, which runs any plugin (and gives a
    /// crash a Swift backtrace). A library that cannot be read goes to
    /// `swiftHost`, which says why.
    public static func host(for library: String, swiftHost: String) -> String {
        let cHost = AgentPaths.directory(of: swiftHost) + "/" + cName
        guard linux_elf_needs_library(library, "libswiftCore.so") == 0, access(cHost, X_OK) == 0 else { return swiftHost }
        return cHost
    }

    public static func locate(agent: String) -> Result<String, PluginLoadError> {
        let places = candidates(agent: agent)
        if let found = places.first(where: { access($0, X_OK) == 0 }) { return .success(found) }
        return .failure(.hostMissing(searched: places))
    }
}
