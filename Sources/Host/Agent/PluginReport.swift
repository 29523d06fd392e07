import ProctorJSON

/// What the agent found when it looked at one configured plugin: its
/// library, and either the manifest or why it cannot load.
public struct PluginReport: Sendable {
    public var entry: AgentConfig.PluginEntry
    public var libraryPath: String
    public var outcome: Result<PluginManifest, PluginLoadError>?

    public var manifest: PluginManifest? { try? outcome?.get() }

    public var loadError: PluginLoadError? {
        if case .failure(let error) = outcome { return error }
        return nil
    }

    public var json: JSONValue {
        var object: JSONObject = [
            "id": .string(entry.id), "library": .string(libraryPath), "enabled": .bool(entry.enabled),
        ]
        switch outcome {
        case .success(let manifest)?:
            object["loads"] = true
            object["abi"] = .string("\(manifest.abiMajor).\(manifest.abiMinor)")
            object["name"] = .string(manifest.name)
            object["version"] = .string(manifest.version)
            object["capabilities"] = .array(manifest.capabilities.map(JSONValue.string))
            object["topics"] = .array(manifest.topics.map(JSONValue.string))
        case .failure(let error)?:
            object["loads"] = false
            object["error"] = .string(error.description)
        case nil:
            object["loads"] = .null
        }
        return .object(object)
    }
}
