import ProctorJSON
import SystemShim

/// Looks at the video devices now and then: each one's capabilities (asked
/// again of a real camera only when its node changed), whether it is
/// virtual, and the processes that hold it open (for a virtual one, the
/// writer feeding it is among them). Events only on change.
final class CameraWatch {
    struct Device: Equatable {
        var path: String
        var caps: CameraCapabilities
        var classification: CameraClassification
        var holders: [Holder]
    }

    struct Holder: Equatable {
        var pid: Int32
        var comm: String
        var path: String?
        /// read, write or read_write, from the descriptor's flags.
        var access: String
    }

    private let deviceDirectory: String
    private let emit: Emit
    private(set) var devices: [String: Device] = [:]
    private var lastFlag: [String]?
    private var queries = CameraQueryCache()

    init(deviceDirectory: String, emit: @escaping Emit) {
        self.deviceDirectory = deviceDirectory
        self.emit = emit
    }

    func check() {
        let paths = ProcFS.names(in: deviceDirectory).filter { $0.hasPrefix("video") }.map { deviceDirectory + "/" + $0 }.sorted()
        var seen: [String: Device] = [:]
        for path in paths {
            let answer = queries.capabilities(of: path, reusable: { !CameraClassifier.classify($0).virtual }, query: Self.query)
            guard let caps = answer else { continue }
            let classification = CameraClassifier.classify(caps)
            seen[path] = Device(path: path, caps: caps, classification: classification, holders: [])
        }
        queries.keep(only: Set(paths))
        // Who feeds a virtual camera; every process's descriptors are read, so only then.
        if seen.values.contains(where: \.classification.virtual) { attachHolders(&seen) }
        for (path, gone) in devices where seen[path] == nil { emit("system.camera", Self.describe(gone, state: "removed")) }
        for path in seen.keys.sorted() {
            let device = seen[path]!
            if let before = devices[path] {
                if before != device { emit("system.camera", Self.describe(device, state: "changed")) }
            } else {
                emit("system.camera", Self.describe(device, state: "present"))
            }
        }
        devices = seen
        let virtual = seen.values.filter(\.classification.virtual).map { "\($0.caps.card) (\($0.path))" }.sorted()
        if virtual != lastFlag {
            lastFlag = virtual
            var data: JSONObject = ["active": .bool(!virtual.isEmpty), "devices": .array(virtual.map { .string($0) })]
            if let first = virtual.first { data["name"] = .string(first) }
            emit("system.virtual_camera", .object(data))
        }
    }

    var status: JSONValue { .array(devices.keys.sorted().map { Self.describe(devices[$0]!, state: nil) }) }

    /// VIDIOC_QUERYCAP on `path`; nil when it is not a V4L2 device or cannot be opened.
    static func query(_ path: String) -> CameraCapabilities? {
        var raw = system_v4l2_caps_t()
        guard system_v4l2_query(path, &raw) == 0 else { return nil }
        return CameraCapabilities(
            driver: string(raw.driver), card: string(raw.card), busInfo: string(raw.bus_info),
            deviceCaps: raw.device_caps)
    }

    /// Which processes hold each virtual device open: /proc/*/fd links, and the flags in fdinfo.
    private func attachHolders(_ devices: inout [String: Device]) {
        for pid in ProcFS.pids().sorted() {
            let fdDirectory = "/proc/\(pid)/fd"
            for fd in ProcFS.names(in: fdDirectory) {
                guard let target = ProcFS.link(fdDirectory + "/" + fd), devices[target]?.classification.virtual == true else { continue }
                let holder = Holder(pid: pid, comm: ProcFS.comm(of: pid) ?? "?", path: ProcFS.executable(of: pid),
                                    access: Self.access(pid: pid, fd: fd))
                if !devices[target]!.holders.contains(holder) { devices[target]!.holders.append(holder) }
            }
        }
    }

    private static func access(pid: Int32, fd: String) -> String {
        guard let info = ProcFS.text("/proc/\(pid)/fdinfo/\(fd)", limit: 512),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags:") }),
            let flags = Int(line.dropFirst(6).trimmingWhitespace, radix: 8)
        else { return "unknown" }
        switch flags & 3 {
        case 0: return "read"
        case 1: return "write"
        default: return "read_write"
        }
    }

    private static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    static func describe(_ device: Device, state: String?) -> JSONValue {
        var data: JSONObject = [
            "device": .string(device.path), "driver": .string(device.caps.driver), "card": .string(device.caps.card),
            "bus_info": .string(device.caps.busInfo), "virtual": .bool(device.classification.virtual),
            "capture": .bool(device.classification.capture),
            "capabilities": .array(device.caps.flags(device.caps.deviceCaps).map { .string($0) }),
            "evidence": .array(device.classification.evidence.map { .string($0) }),
            "processes": .array(device.holders.map { holder in
                ["pid": .number(Double(holder.pid)), "comm": .string(holder.comm),
                 "path": holder.path.map { .string($0) } ?? .null, "access": .string(holder.access)]
            }),
        ]
        if let state { data["state"] = .string(state) }
        return .object(data)
    }
}
