#if canImport(Glibc)
import Glibc
#endif
import PluginKit
import ProctorJSON
import Synchronization

/// The plugin's one thread: process starts from the connector or the scan,
/// and the slower looks (cameras, environment, tampering) when they are due.
final class SystemMonitor: @unchecked Sendable {
    private let settings: SystemSettings
    private let host: PluginHost
    private let processes: ProcessWatch
    private let cameras: CameraWatch
    private let tamper: TamperWatch
    private let probe: EnvironmentProbe
    private var connector: ProcConnector?
    private let stopping = Atomic<Bool>(false)
    /// What requests read from the control thread.
    private let snapshot = Mutex<JSONValue>([:])
    private var lastEvidence: [Evidence]?
    /// How process starts are seen, for plugin.state and status.
    private(set) var method: String
    private(set) var methodReason: String?

    init(settings: SystemSettings, host: PluginHost) {
        self.settings = settings
        self.host = host
        let emit: Emit = { topic, data in host.emit(topic, data) }
        processes = ProcessWatch(catalogue: settings.catalogue, flagCategories: settings.flagCategories, emit: emit)
        cameras = CameraWatch(deviceDirectory: settings.deviceDirectory, emit: emit)
        let agent = settings.agentPid > 0 ? settings.agentPid : TamperWatch.findAgent()
        let configs = settings.configFiles.isEmpty ? TamperWatch.findConfig(agent: agent) : settings.configFiles
        tamper = TamperWatch(agentPid: agent, configFiles: configs, emit: emit)
        probe = EnvironmentProbe(agentEnvironment: ProcFS.environment(of: agent))
        switch settings.method {
        case .scan:
            method = "scan"
            methodReason = Self.scanReason(settings, because: "config method: scan")
        case .auto, .connector:
            switch ProcConnector.open() {
            case .success(let opened):
                connector = opened
                method = "connector"
                methodReason = nil
            case .failure(let refused):
                method = "scan"
                methodReason = Self.scanReason(settings, because: "the proc connector is not available: \(refused.reason)")
            }
        }
    }

    /// Refuses `method: connector` where the connector cannot be had.
    var connectorMissing: Bool { settings.method == .connector && connector == nil }

    func run(_ stop: StopSignal) {
        host.reportHealth(degraded: methodReason)
        processes.scanAll(initial: true)
        tamper.check()
        lookAtEnvironment()
        cameras.check()
        publishSnapshot()
        let clock = ContinuousClock()
        var nextScan = clock.now + .seconds(settings.scanInterval)
        var nextTamper = clock.now + .seconds(settings.tamperInterval)
        var nextCamera = clock.now + .seconds(settings.cameraInterval)
        var nextEnvironment = clock.now + .seconds(settings.environmentInterval)
        while !stopping.load(ordering: .acquiring) && !stop.isRaised {
            let due = connector == nil ? min(nextScan, nextTamper, nextCamera, nextEnvironment) : min(nextTamper, nextCamera, nextEnvironment)
            let wait = max(0, clock.now.duration(to: due).seconds)
            if let connector {
                for event in connector.read(timeoutMs: Int32((wait * 1000).rounded(.up))) {
                    switch event {
                    case .executed(let pid): processes.executed(pid)
                    case .exited(let pid): processes.exited(pid)
                    case .forked(let child, let parent): processes.forked(child, parent: parent)
                    case .overrun: processes.scanAll(initial: false)  // events were lost
                    case .woken: break
                    case .failed:
                        // The socket broke: scan from now on, and say so.
                        self.connector = nil
                        method = "scan"
                        methodReason = Self.scanReason(settings, because: "the proc connector failed: errno \(errno)")
                        host.reportHealth(degraded: methodReason)
                        nextScan = clock.now
                    }
                }
            } else if stop.wait(seconds: wait) {
                break
            }
            let now = clock.now
            if connector == nil && now >= nextScan {
                processes.scanChanges()
                nextScan = now + .seconds(settings.scanInterval)
            }
            if now >= nextTamper {
                tamper.check()
                nextTamper = now + .seconds(settings.tamperInterval)
            }
            if now >= nextCamera {
                cameras.check()
                nextCamera = now + .seconds(settings.cameraInterval)
            }
            if now >= nextEnvironment {
                lookAtEnvironment()
                nextEnvironment = now + .seconds(settings.environmentInterval)
            }
            publishSnapshot()
        }
    }

    /// Why process starts are seen by the scan, for plugin.state's degraded reason.
    private static func scanReason(_ settings: SystemSettings, because why: String) -> String {
        let every = settings.scanInterval.rounded() == settings.scanInterval ? "\(Int(settings.scanInterval))" : "\(settings.scanInterval)"
        return "process starts are seen by a /proc scan every \(every) s (\(why)); a program that runs shorter may be missed"
    }

    /// Makes `run` return soon; from the control thread, before joining it.
    func wake() {
        stopping.store(true, ordering: .releasing)
        connector?.wake()
    }

    var status: JSONValue { snapshot.withLock { $0 } }

    private func lookAtEnvironment() {
        let evidence = probe.gather()
        guard evidence != lastEvidence else { return }
        let first = lastEvidence == nil
        lastEvidence = evidence
        host.emit("system.environment", ["reason": .string(first ? "start" : "changed"), "evidence": .array(evidence.map(\.json))])
        let hypervisor = evidence.filter { ["hypervisor_cpu", "hypervisor_vendor", "dmi", "sys_hypervisor"].contains($0.kind) }
        var flag: JSONObject = ["active": .bool(!hypervisor.isEmpty)]
        if let named = hypervisor.first(where: { $0.kind == "hypervisor_vendor" }) ?? hypervisor.first(where: { $0.kind == "dmi" }) ?? hypervisor.first {
            flag["name"] = .string(named.value)
        }
        host.emit("system.vm", .object(flag))
    }

    private func publishSnapshot() {
        let value: JSONValue = [
            "method": .string(method), "programs": processes.status, "cameras": cameras.status,
            "environment": .array((lastEvidence ?? []).map(\.json)), "tamper": tamper.status,
        ]
        snapshot.withLock { $0 = value }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
