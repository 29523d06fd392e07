import ProctorHost

extension AgentPaths {
    /// The agent's directories inside `directory`, its runtime directory
    /// made (0700): never the real user's state, config or /etc, so the
    /// origins and tokens a test sets stay in the test.
    public static func isolated(in directory: TemporaryDirectory) throws -> AgentPaths {
        var paths = AgentPaths.fromEnvironment()
        paths.stateDirectory = directory.path + "/state"
        paths.runtimeDirectory = directory.path + "/runtime"
        paths.configDirectory = directory.path + "/config"
        paths.systemConfigDirectory = directory.path + "/etc"
        try PrivateDirectory.create(paths.runtimeDirectory)
        return paths
    }
}
