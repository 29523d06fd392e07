import ProctorJSON

/// A program that matters in an interview, as the config lists it.
struct CatalogueEntry: Sendable, Equatable {
    var name: String
    /// remote_control, screen_recorder, assistant, or what the platform adds.
    var category: String
    /// Executable file names and process names, compared without case.
    var executables: [String]
    /// Absolute paths; one ending in "/" covers everything under it.
    var paths: [String]
    /// GNU build ids (hex) of the program's binaries: a renamed copy anywhere still matches.
    var buildIds: [String]
}

/// What is known about a process when it is looked at.
struct ProcessFacts: Sendable, Equatable {
    var pid: Int32
    /// /proc/PID/exe, without a " (deleted)" suffix; nil when not readable (another user's process).
    var path: String?
    /// /proc/PID/comm: the kernel's 15-character name.
    var comm: String
    /// The first argument's file name, read only when the path is unknown.
    var argv0: String?
}

/// How a process was recognised, strongest first.
enum MatchReason: String, Sendable {
    case path, buildId = "build_id", executable, comm, argv0
}

/// The catalogue of programs, with its lookups prepared once.
struct Catalogue: Sendable {
    let entries: [CatalogueEntry]
    private let byExecutable: [String: Int]
    private let exactPaths: [String: Int]
    private let directories: [(prefix: String, index: Int)]
    private let byBuildId: [String: Int]

    init(_ entries: [CatalogueEntry]) {
        self.entries = entries
        var executables: [String: Int] = [:], paths: [String: Int] = [:], buildIds: [String: Int] = [:]
        var directories: [(String, Int)] = []
        for (index, entry) in entries.enumerated() {
            for name in entry.executables where executables[name.lowercased()] == nil { executables[name.lowercased()] = index }
            for path in entry.paths {
                if path.hasSuffix("/") { directories.append((path, index)) } else if paths[path] == nil { paths[path] = index }
            }
            for id in entry.buildIds where buildIds[id.lowercased()] == nil { buildIds[id.lowercased()] = index }
        }
        byExecutable = executables
        exactPaths = paths
        self.directories = directories
        byBuildId = buildIds
    }

    var usesBuildIds: Bool { !byBuildId.isEmpty }

    /// The entry `facts` belong to and why; `buildId` is asked for only when
    /// nothing cheaper matched and the catalogue has build ids.
    func match(_ facts: ProcessFacts, buildId: (String) -> String?) -> (entry: CatalogueEntry, reason: MatchReason)? {
        if let path = facts.path {
            if let index = exactPaths[path] { return (entries[index], .path) }
            if let found = directories.first(where: { path.hasPrefix($0.prefix) }) { return (entries[found.index], .path) }
            if usesBuildIds, let id = buildId(path), let index = byBuildId[id] { return (entries[index], .buildId) }
            if let index = byExecutable[Self.fileName(path).lowercased()] { return (entries[index], .executable) }
        }
        // comm is cut to 15 bytes: a longer catalogued name matches on its first 15.
        let comm = facts.comm.lowercased()
        if let index = byExecutable[comm] { return (entries[index], .comm) }
        if comm.utf8.count == 15, let found = byExecutable.first(where: { $0.key.utf8.count > 15 && $0.key.hasPrefix(comm) }) {
            return (entries[found.value], .comm)
        }
        if let argv0 = facts.argv0, let index = byExecutable[Self.fileName(argv0).lowercased()] { return (entries[index], .argv0) }
        return nil
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

extension CatalogueEntry {
    init(json: JSONValue) {
        name = json["name"]?.stringValue ?? ""
        category = json["category"]?.stringValue ?? ""
        executables = json["executables"]?.arrayValue?.compactMap(\.stringValue) ?? []
        paths = json["paths"]?.arrayValue?.compactMap(\.stringValue) ?? []
        buildIds = json["build_ids"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    var json: JSONValue {
        var object: JSONObject = ["name": .string(name), "category": .string(category),
                                  "executables": .array(executables.map { .string($0) })]
        if !paths.isEmpty { object["paths"] = .array(paths.map { .string($0) }) }
        if !buildIds.isEmpty { object["build_ids"] = .array(buildIds.map { .string($0) }) }
        return .object(object)
    }
}
