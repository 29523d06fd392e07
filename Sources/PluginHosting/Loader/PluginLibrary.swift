#if canImport(Glibc)
import Glibc
#endif
import PluginABI
import ProctorJSON

/// A plugin library opened with dlopen and checked against the ABI. The host
/// process itself never does this (a library's constructors could crash it):
/// plugin children and `replay` do. Libraries are never closed.
public struct PluginLibrary: @unchecked Sendable {
    public let manifest: PluginManifest
    public let descriptor: UnsafePointer<proctor_plugin_descriptor_t>

    public static let hostABI = (major: Int(PROCTOR_ABI_MAJOR), minor: Int(PROCTOR_ABI_MINOR))

    public static func open(path: String) throws(PluginLoadError) -> PluginLibrary {
        guard access(path, F_OK) == 0 else { throw .missing(path: path) }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            var reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            if reason.hasPrefix(path + ": ") { reason.removeFirst(path.count + 2) }  // dlerror repeats the path
            throw .cannotOpen(path: path, reason: reason)
        }
        guard let symbol = dlsym(handle, PROCTOR_ENTRY_SYMBOL) else {
            if let other = (0..<32).first(where: { $0 != hostABI.major && dlsym(handle, "proctor_plugin_entry_v\($0)") != nil }) {
                throw .abiMajorMismatch(path: path, pluginMajor: other, hostMajor: hostABI.major)
            }
            throw .notAPlugin(path: path)
        }
        let entry = unsafeBitCast(symbol, to: proctor_plugin_entry_fn.self)
        guard let descriptor = entry(UInt32(hostABI.major), UInt32(hostABI.minor)) else {
            throw .refused(path: path, host: "\(hostABI.major).\(hostABI.minor)")
        }
        return PluginLibrary(manifest: try manifest(of: descriptor, path: path), descriptor: descriptor)
    }

    private static func manifest(
        of d: UnsafePointer<proctor_plugin_descriptor_t>, path: String
    ) throws(PluginLoadError) -> PluginManifest {
        let descriptor = d.pointee
        // Every field of ABI 1.0 must be present; later minors append.
        guard descriptor.struct_size >= MemoryLayout<proctor_plugin_descriptor_t>.size else {
            throw .malformed(path: path, problem: "struct_size \(descriptor.struct_size) is smaller than ABI 1.0's \(MemoryLayout<proctor_plugin_descriptor_t>.size)")
        }
        let major = Int(descriptor.abi_major), minor = Int(descriptor.abi_minor)
        guard major == hostABI.major else {
            throw .abiMajorMismatch(path: path, pluginMajor: major, hostMajor: hostABI.major)
        }
        guard minor <= hostABI.minor else {
            throw .abiMinorTooNew(path: path, plugin: "\(major).\(minor)", host: "\(hostABI.major).\(hostABI.minor)")
        }
        guard let id = descriptor.id.map({ String(cString: $0) }), isValidPluginID(id) else {
            throw .malformed(path: path, problem: "id must be 1-32 characters of [a-z0-9_-]")
        }
        guard descriptor.create != nil, descriptor.start != nil, descriptor.stop != nil, descriptor.destroy != nil,
            descriptor.last_error != nil
        else { throw .malformed(path: path, problem: "create, start, stop, destroy and last_error are required") }
        let schemaText = descriptor.config_schema.map { String(cString: $0) } ?? "{\"type\":\"object\"}"
        let schema: JSONValue
        do { schema = try JSONSchema(text: schemaText).root } catch {
            throw .malformed(path: path, problem: "config_schema: \(error.message) at \(error.path)")
        }
        let capabilities = stringList(descriptor.capabilities)
        if capabilities.contains("requests") && descriptor.request == nil {
            throw .malformed(path: path, problem: "declares \"requests\" but has no request function")
        }
        let topics = stringList(descriptor.topics)
        if let bad = topics.first(where: { TopicPattern($0) == nil || $0 == "*" }) {
            throw .malformed(path: path, problem: "topic \(JSONWriter.quoted(bad)) is not a dotted lowercase topic")
        }
        return PluginManifest(
            id: id, name: descriptor.name.map { String(cString: $0) } ?? id,
            version: descriptor.version.map { String(cString: $0) } ?? "0",
            summary: descriptor.description.map { String(cString: $0) } ?? "",
            capabilities: capabilities, topics: topics, configSchema: schema,
            abiMajor: major, abiMinor: minor, library: path)
    }

    private static func stringList(_ list: UnsafePointer<UnsafePointer<CChar>?>?) -> [String] {
        guard var cursor = list else { return [] }
        var out: [String] = []
        while let item = cursor.pointee, out.count < 256 {
            out.append(String(cString: item))
            cursor += 1
        }
        return out
    }
}

/// Plugin ids name processes, log lines and JSON keys: keep them plain.
public func isValidPluginID(_ id: String) -> Bool {
    !id.isEmpty && id.utf8.count <= 32
        && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D }
}
