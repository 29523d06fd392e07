import Foundation
import ProctorHost
import ProctorJSON

/// `docs/topics.json`, the one place where each topic's data is defined, so
/// tests check what plugins emit against what the documentation promises.
public struct TopicSchemas: Sendable {
    public let schemas: [String: JSONSchema]

    public static func load() throws -> TopicSchemas {
        let text = try String(contentsOfFile: TestBuild.repositoryRoot + "/docs/topics.json", encoding: .utf8)
        let root = try JSONParser.parse(text)
        var schemas: [String: JSONSchema] = [:]
        for (topic, entry) in root["topics"]?.objectValue?.members ?? [] {
            schemas[topic] = try JSONSchema(entry["schema"] ?? [:])
        }
        return TopicSchemas(schemas: schemas)
    }

    /// What is wrong with `event` against its topic's schema; a topic with no
    /// schema is itself a problem.
    public func problems(with event: Event) -> [String] {
        guard let schema = schemas[event.topic] else { return ["\(event.topic): no schema in docs/topics.json"] }
        guard let data = try? JSONParser.parse(event.data) else { return ["\(event.topic): data is not JSON"] }
        return schema.violations(of: data).map { "\(event.topic) \($0)" }
    }
}
