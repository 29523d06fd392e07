#if canImport(Glibc)
import Glibc
#endif
import PluginABI
import ProctorJSON

/// A live instance of a loaded plugin: the host struct it was given, and the
/// calls the ABI allows, each made from the caller's thread (the caller is
/// the control thread and never calls concurrently).
public final class PluginInstance: @unchecked Sendable {
    public let library: PluginLibrary
    private let host: UnsafeMutablePointer<proctor_host_t>
    private let paths: UnsafeMutablePointer<proctor_host_paths_t>
    private let context: HostContext
    private var instance: OpaquePointer?
    private var started = false

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(library: PluginLibrary, config: String, output: PluginOutput, paths dirs: AgentPaths) throws {
        self.library = library
        self.context = HostContext(output: output)
        paths = .allocate(capacity: 1)
        paths.initialize(to: proctor_host_paths_t(
            struct_size: UInt32(MemoryLayout<proctor_host_paths_t>.size),
            state_dir: strdup(dirs.stateDirectory), runtime_dir: strdup(dirs.runtimeDirectory),
            data_dir: strdup(dirs.dataDirectory)))
        host = .allocate(capacity: 1)
        host.initialize(to: proctor_host_t(
            struct_size: UInt32(MemoryLayout<proctor_host_t>.size),
            abi_major: UInt32(PROCTOR_ABI_MAJOR), abi_minor: UInt32(PROCTOR_ABI_MINOR),
            name: strdup("proctord"), version: strdup(ProctorVersion.string),
            context: Unmanaged.passRetained(context).toOpaque(),  // never released: see deinit
            emit: { host, topic, data in
                guard let host, let topic, let data else { return PROCTOR_INVALID }
                return HostContext.from(host).output.emit(topic: topic, data: data)
            },
            log: { host, level, message in
                guard let host, let message else { return }
                HostContext.from(host).output.log(level: level, message: String(cString: message))
            },
            report_health: { host, health, reason in
                guard let host else { return }
                let text = reason.map { String(cString: $0) }
                HostContext.from(host).output.reportHealth(
                    degraded: health == PROCTOR_HEALTH_RUNNING ? nil : (text ?? "degraded"))
            },
            get_extension: { host, id in
                guard let host, let id, String(cString: id) == PROCTOR_HOST_EXT_PATHS else { return nil }
                return UnsafeRawPointer(HostContext.from(host).paths)
            }))
        context.paths = UnsafePointer(paths)

        var error: UnsafePointer<CChar>? = nil
        instance = library.descriptor.pointee.create(UnsafePointer(host), config, &error)
        guard instance != nil else {
            throw Failure(description: "create refused the config: \(error.map { String(cString: $0) } ?? "no reason given")")
        }
    }

    public func start() throws {
        guard library.descriptor.pointee.start(instance) == PROCTOR_OK else {
            throw Failure(description: lastError ?? "start failed without a reason")
        }
        started = true
    }

    public func stop() {
        guard started else { return }
        library.descriptor.pointee.stop(instance)
        started = false
    }

    /// The plugin's answer as JSON text; failures become the protocol's error
    /// form so the caller always gets an object.
    public func request(_ json: String) -> String {
        guard let request = library.descriptor.pointee.request else {
            return Self.error("unsupported", "plugin \(library.manifest.id) takes no requests")
        }
        guard let answer = request(instance, json) else {
            return Self.error("failed", lastError ?? "the request failed without a reason")
        }
        let text = String(cString: answer)
        guard JSONSyntax.isObject(text) else {
            return Self.error("bad_response", "plugin \(library.manifest.id) answered with something that is not a JSON object")
        }
        return text
    }

    /// Runs the plugin over a recorded file (the file-source extension).
    public func replay(path: String, options: String) throws {
        guard let lookup = library.descriptor.pointee.get_extension,
            let raw = lookup(instance, PROCTOR_EXT_FILE_SOURCE)
        else {
            throw Failure(description: "plugin \(library.manifest.id) cannot read a file source (it has no \"file-source\" capability)")
        }
        let table = raw.assumingMemoryBound(to: proctor_file_source_t.self)
        guard table.pointee.struct_size >= MemoryLayout<proctor_file_source_t>.size, let replay = table.pointee.replay else {
            throw Failure(description: "plugin \(library.manifest.id): malformed file-source extension")
        }
        guard replay(instance, path, options) == PROCTOR_OK else {
            throw Failure(description: lastError ?? "replay failed without a reason")
        }
    }

    public var lastError: String? {
        library.descriptor.pointee.last_error(instance).map { String(cString: $0) }
    }

    static func error(_ code: String, _ message: String) -> String {
        JSONWriter.compact(["error": ["code": .string(code), "message": .string(message)]])
    }

    deinit {
        stop()
        if let instance { library.descriptor.pointee.destroy(instance) }
        // The host struct and its strings are kept: a misbehaving plugin thread
        // could still hold the pointer, and leaking a few bytes is the safe side.
    }
}

/// What `proctor_host_t.context` points at.
final class HostContext: @unchecked Sendable {
    let output: PluginOutput
    var paths: UnsafePointer<proctor_host_paths_t>?

    init(output: PluginOutput) { self.output = output }

    static func from(_ host: UnsafePointer<proctor_host_t>) -> HostContext {
        Unmanaged<HostContext>.fromOpaque(host.pointee.context).takeUnretainedValue()
    }
}
