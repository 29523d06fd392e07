import PluginKit
import SystemWatch

// The library's one exported symbol, kept apart from the plugin's code so
// tests can link the plugin without it.
@_cdecl("proctor_plugin_entry_v1")
public func proctorPluginEntry(_ major: UInt32, _ minor: UInt32) -> UnsafeRawPointer? {
    PluginExport.entry(SystemPlugin.self, hostMajor: major, hostMinor: minor)
}
