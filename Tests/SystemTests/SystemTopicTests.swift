import ProctorHost
import ProctorTestSupport
import Testing

/// The system plugin's topics are the documented ones.
@Suite struct SystemTopicTests {
    @Test func everySystemTopicIsDocumented() throws {
        let schemas = try TopicSchemas.load()
        let manifest = try PluginLibrary.open(path: TestBuild.plugin("system")).manifest
        #expect(manifest.topics.sorted() == ["system.camera", "system.environment", "system.process", "system.remote_control",
                                             "system.tamper", "system.virtual_camera", "system.vm"])
        for topic in manifest.topics {
            #expect(schemas.schemas[topic] != nil, "system declares \(topic), which docs/topics.json does not define")
        }
    }
}
