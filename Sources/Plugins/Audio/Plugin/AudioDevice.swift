import AudioPulse
import ProctorJSON

/// A source or sink as `audio.devices` reports it.
struct AudioDevice: Sendable, Equatable {
    enum Kind: String, Sendable { case source, sink }

    var kind: Kind
    var index: UInt32
    var name: String
    var description: String
    var hardware: Bool
    /// The sink this source monitors (its index), for monitor sources.
    var monitorOf: UInt32?
    /// The module (PulseAudio) or factory (PipeWire) that made it.
    var module: String?
    /// PipeWire: the SPA factory of its node (factory.name), which says what the node is.
    var factory: String?
    /// PipeWire's own word that a node is virtual.
    var nodeVirtual: Bool

    init(_ e: audio_pulse_event_t) {
        kind = e.is_source != 0 ? .source : .sink
        index = e.index
        name = audio_pulse_event_t.string(e.name) ?? ""
        description = audio_pulse_event_t.string(e.description) ?? ""
        hardware = e.hardware != 0
        monitorOf = e.monitor_of_sink == AUDIO_PULSE_NO_INDEX ? nil : e.monitor_of_sink
        factory = audio_pulse_event_t.string(e.factory)
        module = Self.module(driver: audio_pulse_event_t.string(e.driver), factory: factory,
                             moduleName: audio_pulse_event_t.string(e.module_name))
        nodeVirtual = audio_pulse_event_t.string(e.node_virtual) == "true"
    }

    /// PulseAudio's driver is the module's source file ("module-null-sink.c");
    /// pipewire-pulse says "PipeWire" there, which names nothing: its nodes
    /// name their factory in factory.name ("support.null-audio-sink"), and
    /// what its own modules made (module-remap-source) comes with the
    /// module's name, looked up by the C side.
    static func module(driver: String?, factory: String?, moduleName: String?) -> String? {
        if let driver, driver.hasPrefix("module-") { return driver.hasSuffix(".c") ? String(driver.dropLast(2)) : driver }
        return factory ?? moduleName
    }

    /// Hardware that a module (not a device) stands for: a sound card, bluetooth, a USB headset.
    private static let hardwareModules = ["module-alsa", "module-bluez", "module-oss", "module-udev", "api.alsa", "api.bluez"]

    /// Not a device of its own: a null sink and its monitor, a remap or
    /// loopback source, a PipeWire virtual node, a "voice changer" chain.
    /// A monitor is as virtual as the sink it listens to. A PipeWire node's
    /// factory decides over the hardware flag: pipewire-pulse sets that flag
    /// for any node with a device.api property, which whoever makes the node
    /// chooses (a null-audio-sink node made with device.api=alsa), while the
    /// factory is the code that runs it.
    func isVirtual(sinks: [UInt32: AudioDevice]) -> Bool {
        if nodeVirtual { return true }
        if let monitorOf {
            if let sink = sinks[monitorOf] { return sink.isVirtual(sinks: [:]) }
            return !Self.isHardwareModule(module)
        }
        if let factory { return !Self.isHardwareModule(factory) }
        return !hardware
    }

    private static func isHardwareModule(_ module: String?) -> Bool {
        module.map { m in hardwareModules.contains { m.hasPrefix($0) } } ?? false
    }

    func json(sinks: [UInt32: AudioDevice]) -> JSONValue {
        [
            "kind": .string(kind.rawValue), "index": .number(Double(index)), "name": .string(name),
            "description": .string(description), "monitor": .bool(monitorOf != nil),
            "monitor_of": monitorOf.flatMap { sinks[$0]?.name }.map(JSONValue.string) ?? .null,
            "virtual": .bool(isVirtual(sinks: sinks)), "module": module.map(JSONValue.string) ?? .null,
        ]
    }
}
