import Foundation
import ProctorHost
import ProctorTestSupport
import Testing

/// Where the agent finds `proctord-plugin-host`, and what it says without it.
@Suite struct PluginHostExecutableTests {
    @Test func isFoundBesideTheAgentInABuildTree() throws {
        #expect(try PluginHostExecutable.locate(agent: TestBuild.proctord).get() == TestBuild.pluginHost)
    }

    @Test func isFoundWithThePluginsInAnInstalledTree() throws {
        // bin/proctord and lib/proctord/proctord-plugin-host, as scripts/stage-install.sh lays them out.
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path + "/lib/proctord", withIntermediateDirectories: true)
        let host = dir.write("lib/proctord/proctord-plugin-host", "#!/bin/sh\n")
        #expect(chmod(host, 0o755) == 0)
        let found = try PluginHostExecutable.locate(agent: dir.path + "/bin/proctord").get()
        #expect(found == dir.path + "/bin/../lib/proctord/proctord-plugin-host")
    }

    @Test func everyPluginSaysTheHostIsMissingAndWhereItWasLookedFor() async throws {
        let dir = TemporaryDirectory()
        var builder = ConfigBuilder()
        builder.add(id: "heartbeat", library: "heartbeat")
        builder.add(id: "sysinfo", library: "sysinfo")
        let config = try ConfigLoader.load(file: builder.write(to: dir))
        let agent = dir.path + "/bin/proctord"  // no proctord-plugin-host beside it or in lib/proctord
        let inspection = await Agent.inspect(config, paths: .fromEnvironment(), executable: agent, spawner: ProcessSpawner())
        #expect(inspection.reports.count == 2)
        for report in inspection.reports {
            let error = try #require(report.loadError, "\(report.entry.id) loaded without a plugin host")
            #expect(error == .hostMissing(searched: [dir.path + "/bin/proctord-plugin-host", dir.path + "/bin/../lib/proctord/proctord-plugin-host"]))
            #expect(error.description.contains("proctord-plugin-host, the program that runs each plugin, is missing"))
            #expect(error.description.contains(dir.path + "/bin/../lib/proctord/proctord-plugin-host"))
        }
    }
}
