import PluginABI
import ProctorJSON
import Synchronization

/// Turns a `Plugin` type into the C descriptor the host loads. A Swift plugin
/// exports its entry symbol like this, and needs nothing else from the ABI:
///
///     @_cdecl("proctor_plugin_entry_v1")
///     public func proctorPluginEntry(_ major: UInt32, _ minor: UInt32) -> UnsafeRawPointer? {
///         PluginExport.entry(SysInfoPlugin.self, hostMajor: major, hostMinor: minor)
///     }
///
/// The C function pointers in the descriptor cannot capture the plugin type,
/// so the type is kept in one slot per loaded library. Each plugin library
/// links its own copy of PluginKit, so the slot holds exactly one type.
public enum PluginExport {
    private struct Registration: @unchecked Sendable {
        let type: any Plugin.Type
        let descriptor: UnsafeMutablePointer<proctor_plugin_descriptor_t>
    }

    private static let registration = Mutex<Registration?>(nil)
    /// The message `create` hands back on failure; lives until the next create.
    private static let createError = Mutex<CString?>(nil)

    public static func entry<P: Plugin>(_ type: P.Type, hostMajor: UInt32, hostMinor: UInt32) -> UnsafeRawPointer? {
        guard hostMajor == UInt32(PROCTOR_ABI_MAJOR), hostMinor >= UInt32(PROCTOR_ABI_MINOR) else { return nil }
        return registration.withLock { slot in
            if let slot { return UnsafeRawPointer(slot.descriptor) }
            let made = Registration(type: type, descriptor: makeDescriptor(P.description, fileSource: type is any FileSourcePlugin.Type))
            slot = made
            return UnsafeRawPointer(made.descriptor)
        }
    }

    static var pluginType: (any Plugin.Type)? { registration.withLock { $0?.type } }

    /// Builds the descriptor once; its strings live as long as the process.
    private static func makeDescriptor(_ d: PluginDescription, fileSource: Bool) -> UnsafeMutablePointer<proctor_plugin_descriptor_t> {
        var capabilities = d.capabilities
        if fileSource && !capabilities.contains("file-source") { capabilities.append("file-source") }
        var descriptor = proctor_plugin_descriptor_t()
        descriptor.struct_size = UInt32(MemoryLayout<proctor_plugin_descriptor_t>.size)
        descriptor.abi_major = UInt32(PROCTOR_ABI_MAJOR)
        descriptor.abi_minor = UInt32(PROCTOR_ABI_MINOR)
        descriptor.id = permanent(d.id)
        descriptor.name = permanent(d.name)
        descriptor.version = permanent(d.version)
        descriptor.description = permanent(d.summary)
        descriptor.capabilities = permanentList(capabilities)
        descriptor.topics = permanentList(d.topics)
        descriptor.config_schema = permanent(JSONWriter.compact(d.configSchema))
        descriptor.create = { host, config, error in PluginExport.create(host, config, error) }
        descriptor.start = { PluginBox.from($0).start() }
        descriptor.stop = { PluginBox.from($0).stop() }
        descriptor.destroy = { PluginBox.release($0) }
        descriptor.request = { PluginBox.from($0).request($1) }
        descriptor.last_error = { PluginBox.from($0).lastErrorPointer }
        descriptor.get_extension = { PluginBox.from($0).extensionPointer($1) }
        let pointer = UnsafeMutablePointer<proctor_plugin_descriptor_t>.allocate(capacity: 1)
        pointer.initialize(to: descriptor)
        return pointer
    }

    private static func create(
        _ host: UnsafePointer<proctor_host_t>?, _ config: UnsafePointer<CChar>?,
        _ error: UnsafeMutablePointer<UnsafePointer<CChar>?>?
    ) -> OpaquePointer? {
        func fail(_ message: String) -> OpaquePointer? {
            createError.withLock { slot in
                slot = CString(message)
                error?.pointee = slot!.pointer
            }
            return nil
        }
        guard let host, let config, let type = pluginType else { return fail("the plugin was not registered") }
        let configValue: JSONValue
        do { configValue = try JSONParser.parse(String(cString: config)) } catch {
            return fail("config is not JSON: \(error)")
        }
        do {
            let plugin = try type.init(host: PluginHost(host), config: configValue)
            return PluginBox.retain(PluginBox(plugin))
        } catch {
            return fail("\(error)")
        }
    }

    private static func permanent(_ s: String) -> UnsafePointer<CChar> {
        UnsafePointer(strdupSwift(s))
    }

    private static func permanentList(_ list: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: list.count + 1)
        for (i, s) in list.enumerated() { array[i] = permanent(s) }
        array[list.count] = nil
        return UnsafePointer(array)
    }
}

/// A copy of a string in C memory, freed when the value goes away.
final class CString: @unchecked Sendable {
    let pointer: UnsafePointer<CChar>
    init(_ s: String) { pointer = UnsafePointer(strdupSwift(s)) }
    deinit { pointer.deallocate() }
}

func strdupSwift(_ s: String) -> UnsafeMutablePointer<CChar> {
    let utf8 = Array(s.utf8CString)
    let copy = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
    copy.initialize(from: utf8, count: utf8.count)
    return copy
}
