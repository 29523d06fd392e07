import PluginABI
import ProctorJSON

/// The instance behind a `proctor_plugin_t *`: the Swift plugin plus the C
/// strings it last handed to the host, kept alive as the ABI promises.
final class PluginBox {
    let plugin: any Plugin
    private var response: CString?
    private var lastError: CString?
    private var fileSource: UnsafeMutablePointer<proctor_file_source_t>?

    init(_ plugin: any Plugin) { self.plugin = plugin }

    static func retain(_ box: PluginBox) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(box).toOpaque())
    }

    static func from(_ pointer: OpaquePointer?) -> PluginBox {
        Unmanaged<PluginBox>.fromOpaque(UnsafeRawPointer(pointer!)).takeUnretainedValue()
    }

    static func release(_ pointer: OpaquePointer?) {
        Unmanaged<PluginBox>.fromOpaque(UnsafeRawPointer(pointer!)).release()
    }

    var lastErrorPointer: UnsafePointer<CChar>? { lastError?.pointer }

    func fail(_ error: any Error) -> proctor_status_t {
        lastError = CString("\(error)")
        return PROCTOR_ERROR
    }

    func start() -> proctor_status_t {
        do {
            try plugin.start()
            return PROCTOR_OK
        } catch {
            return fail(error)
        }
    }

    func stop() { plugin.stop() }

    func request(_ json: UnsafePointer<CChar>?) -> UnsafePointer<CChar>? {
        let answer: JSONValue
        do {
            let request = try JSONParser.parse(String(cString: json!))
            guard let method = request["method"]?.stringValue else {
                throw PluginRequestError(code: "invalid_request", message: "the request has no string \"method\"")
            }
            answer = ["result": try plugin.handle(method: method, params: request["params"], caller: RequestCaller(request: request))]
        } catch let error as PluginRequestError {
            answer = ["error": ["code": .string(error.code), "message": .string(error.message)]]
        } catch {
            answer = ["error": ["code": "failed", "message": .string("\(error)")]]
        }
        response = CString(JSONWriter.compact(answer))
        return response!.pointer
    }

    func extensionPointer(_ id: UnsafePointer<CChar>?) -> UnsafeRawPointer? {
        guard let id, String(cString: id) == PROCTOR_EXT_FILE_SOURCE, plugin is any FileSourcePlugin else {
            return nil
        }
        if fileSource == nil {
            let table = UnsafeMutablePointer<proctor_file_source_t>.allocate(capacity: 1)
            table.initialize(to: proctor_file_source_t(
                struct_size: UInt32(MemoryLayout<proctor_file_source_t>.size),
                replay: { instance, path, options in PluginBox.from(instance).replay(path, options) }))
            fileSource = table
        }
        return UnsafeRawPointer(fileSource)
    }

    private func replay(_ path: UnsafePointer<CChar>?, _ options: UnsafePointer<CChar>?) -> proctor_status_t {
        guard let source = plugin as? any FileSourcePlugin else { return PROCTOR_ERROR }
        do {
            let parsed = options.map { (try? JSONParser.parse(String(cString: $0))) ?? [:] } ?? [:]
            try source.replay(path: String(cString: path!), options: parsed)
            return PROCTOR_OK
        } catch {
            return fail(error)
        }
    }

    deinit { fileSource?.deallocate() }
}
