import ProctorHost
import ProctorTestSupport
import Testing

/// The audio plugin's topics are the documented ones.
@Suite struct AudioTopicTests {
    @Test func everyAudioTopicIsDocumented() throws {
        let schemas = try TopicSchemas.load()
        let manifest = try PluginLibrary.open(path: TestBuild.plugin("audio")).manifest
        #expect(manifest.topics.sorted() == ["audio.capture", "audio.devices", "audio.voice"])
        for topic in manifest.topics {
            #expect(schemas.schemas[topic] != nil, "audio declares \(topic), which docs/topics.json does not define")
        }
    }

}
