#if canImport(Glibc)
import Glibc
#endif
import ProctorJSON

/// Watches the agent and its plugin processes for what would let someone
/// fake what they report: a tracer attached, a binary or plugin library
/// replaced on disk while it runs, a preloaded library, a changed config.
/// Each finding is one `system.tamper` event when it appears (and, for a
/// tracer, when it goes).
final class TamperWatch {
    /// A process of the agent's: the agent itself or a plugin-host child.
    struct Target: Equatable {
        var pid: Int32
        /// "agent" or "plugin"
        var role: String
        /// For a plugin: its library's path.
        var library: String?
        var exe: String?
        var exeIdentity: ProcFS.FileIdentity?
        /// Plugin libraries it mapped: the inode mapped, and the file as it was when first seen.
        var libraries: [String: MappedLibrary]
    }

    struct MappedLibrary: Equatable {
        var inode: UInt64
        var deleted: Bool
        var identity: ProcFS.FileIdentity?
    }

    private let agentPid: Int32
    private let configFiles: [String]
    private let emit: Emit
    private var targets: [Int32: Target] = [:]
    private var tracers: [Int32: Int32] = [:]
    private var reported: Set<String> = []
    private var configIdentities: [String: ProcFS.FileIdentity?] = [:]

    init(agentPid: Int32, configFiles: [String], emit: @escaping Emit) {
        self.agentPid = agentPid
        self.configFiles = configFiles
        self.emit = emit
        for file in configFiles { configIdentities[file] = ProcFS.identity(file) }
    }

    /// The agent's pid: the plugin-host's parent, or this process when the plugin runs inside the agent.
    static func findAgent() -> Int32 {
        let me = getpid()
        if isPluginHost(ProcFS.arguments(of: me)) { return getppid() }
        return me
    }

    /// Whether a process with these arguments is a plugin child: the agent
    /// runs each plugin in `proctord-plugin-host`, or a plain C plugin in
    /// `proctord-plugin-host-c` (found beside it or in its lib directory, so
    /// only the file name is certain).
    static func isPluginHost(_ arguments: [String]) -> Bool {
        guard let name = arguments.first?.split(separator: "/").last else { return false }
        return name == "proctord-plugin-host" || name == "proctord-plugin-host-c"
    }

    /// The config file the agent loaded, found as the agent finds it
    /// (ConfigLoader.locate, with AgentPaths' rules applied to the agent's
    /// binary and environment): its --config, else the first that exists now
    /// of the user's `$XDG_CONFIG_HOME/proctord/plugins.json`, the system
    /// config (`/etc/proctord` for a binary in /usr/bin, else
    /// `<prefix>/etc/proctord`, or `$PROCTORD_SYSTEM_CONFIG_DIR`) and the
    /// shipped default (`<prefix>/share/proctord`, or a source checkout's).
    /// The plugin cannot link the agent's code, so the rules are repeated
    /// here; a test holds them to ConfigLoader.locate.
    static func findConfig(agent: Int32) -> [String] {
        let arguments = ProcFS.arguments(of: agent)
        let explicit = arguments.firstIndex(of: "--config").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
            ?? arguments.first { $0.hasPrefix("--config=") }.map { String($0.dropFirst(9)) }
        if let given = explicit {
            return [given.hasPrefix("/") ? given : (ProcFS.link("/proc/\(agent)/cwd") ?? "") + "/" + given]
        }
        let environment = ProcFS.environment(of: agent)
        func absolute(_ name: String) -> String? { environment[name].flatMap { $0.hasPrefix("/") ? $0 : nil } }
        var candidates = [(absolute("XDG_CONFIG_HOME") ?? (environment["HOME"] ?? "/") + "/.config") + "/proctord/plugins.json"]
        if let exe = ProcFS.executable(of: agent) {
            let bin = directory(of: exe)
            candidates.append((absolute("PROCTORD_SYSTEM_CONFIG_DIR") ?? (bin == "/usr/bin" ? "/etc" : bin + "/../etc") + "/proctord") + "/plugins.json")
            let installed = bin + "/../share/proctord/plugins.json"
            if access(installed, F_OK) == 0 {
                candidates.append(installed)
            } else if let root = sourceCheckoutRoot(from: bin) {
                candidates.append(root + "/plugins.json")
            }
        }
        return candidates.first { access($0, F_OK) == 0 }.map { [$0] } ?? []
    }

    /// The repository root when the agent runs from `.build/...` inside it.
    private static func sourceCheckoutRoot(from bin: String) -> String? {
        var dir = bin
        for _ in 0..<4 {
            dir = directory(of: dir)
            if access(dir + "/Package.swift", F_OK) == 0 && access(dir + "/plugins.json", F_OK) == 0 { return dir }
        }
        return nil
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Checks since the plugin processes were last listed: listing reads a
    /// file per thread of the agent, so it is done every fifth check.
    private var checksSinceListing = Int.max

    func check() {
        if checksSinceListing >= 4 {
            refreshTargets()
            checksSinceListing = 0
        } else {
            checksSinceListing += 1
        }
        for pid in targets.keys.sorted() { checkTracer(pid) }
        for pid in targets.keys.sorted() { checkFiles(pid) }
        for file in configFiles {
            let now = ProcFS.identity(file)
            guard now != configIdentities[file] ?? nil else { continue }
            configIdentities[file] = now
            emit("system.tamper", [
                "kind": "config_changed", "active": true, "path": .string(file),
                "detail": .string(now == nil ? "the agent's config file was removed" : "the agent's config file changed on disk"),
            ])
        }
    }

    var status: JSONValue {
        ["processes": .array(targets.keys.sorted().map { pid in
            let target = targets[pid]!
            return ["pid": .number(Double(pid)), "role": .string(target.role), "library": target.library.map { .string($0) } ?? .null,
                    "traced_by": tracers[pid].map { .number(Double($0)) } ?? .null]
        }), "config_files": .array(configFiles.map { .string($0) })]
    }

    /// The agent and its plugin-host children, from the kernel's children lists.
    private func refreshTargets() {
        var pids: [Int32: (role: String, library: String?)] = [:]
        guard ProcFS.identity("/proc/\(agentPid)") != nil else { targets = [:]; return }
        pids[agentPid] = ("agent", nil)
        for task in ProcFS.names(in: "/proc/\(agentPid)/task") {
            guard let text = ProcFS.text("/proc/\(agentPid)/task/\(task)/children", limit: 8192) else { continue }
            for child in text.split(separator: " ").compactMap({ Int32($0) }) where pids[child] == nil {
                let arguments = ProcFS.arguments(of: child)
                guard Self.isPluginHost(arguments) else { continue }
                let library = arguments.firstIndex(of: "--library").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
                pids[child] = ("plugin", library)
            }
        }
        for pid in targets.keys where pids[pid] == nil {
            targets[pid] = nil
            tracers[pid] = nil
        }
        // A plugin host first seen before it loaded its library: read its maps
        // again until the library is there, else a replaced library goes unseen.
        for (pid, target) in targets where target.libraries.isEmpty && target.role == "plugin" {
            targets[pid]?.libraries = Self.pluginLibraries(of: pid)
        }
        // The agent first: what its children inherit from it is reported as the agent's.
        for pid in pids.keys.sorted(by: { ($0 == agentPid ? 0 : 1, $0) < ($1 == agentPid ? 0 : 1, $1) }) where targets[pid] == nil {
            let what = pids[pid]!
            let exe = ProcFS.executable(of: pid)
            let target = Target(pid: pid, role: what.role, library: what.library, exe: exe,
                                exeIdentity: ProcFS.identity("/proc/\(pid)/exe"), libraries: Self.pluginLibraries(of: pid))
            targets[pid] = target
            checkEnvironment(target)
        }
    }

    private func describe(_ target: Target) -> JSONObject {
        var data: JSONObject = ["pid": .number(Double(target.pid)), "process": .string(target.role)]
        if let library = target.library { data["library"] = .string(library) }
        return data
    }

    private func checkTracer(_ pid: Int32) {
        guard let target = targets[pid], let value = ProcFS.statusField("TracerPid", of: pid), let tracer = Int32(value) else { return }
        let before = tracers[pid] ?? 0
        guard tracer != before else { return }
        tracers[pid] = tracer
        var data = describe(target)
        data["kind"] = "traced"
        data["active"] = .bool(tracer != 0)
        if tracer != 0 {
            let comm = ProcFS.comm(of: tracer) ?? "?"
            data["tracer_pid"] = .number(Double(tracer))
            data["tracer"] = .string(comm)
            data["detail"] = .string("\(target.role) process \(pid) is traced by \(comm) (pid \(tracer))")
        } else {
            data["detail"] = .string("\(target.role) process \(pid) is no longer traced")
        }
        emit("system.tamper", .object(data))
    }

    private func checkFiles(_ pid: Int32) {
        guard let target = targets[pid] else { return }
        if let exe = target.exe, let running = target.exeIdentity {
            let onDisk = ProcFS.identity(exe)
            if onDisk?.inode != running.inode || onDisk?.device != running.device || onDisk?.modified != running.modified {
                report(target, kind: "binary_replaced", path: exe, detail: onDisk == nil
                    ? "the running \(target.role)'s binary was removed from disk" : "the running \(target.role)'s binary was replaced on disk")
            }
        }
        for (library, mapped) in target.libraries.sorted(by: { $0.key < $1.key }) {
            let now = ProcFS.identity(library)
            guard mapped.deleted || now?.inode != mapped.inode || now != mapped.identity else { continue }
            report(target, kind: "library_replaced", path: library, detail: "a plugin library the \(target.role) runs was replaced or rewritten on disk")
        }
    }

    private func checkEnvironment(_ target: Target) {
        let environment = ProcFS.environment(of: target.pid)
        for variable in ["LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT"] {
            guard let value = environment[variable], !value.isEmpty else { continue }
            var data = describe(target)
            data["kind"] = "environment"
            data["active"] = true
            data["variable"] = .string(variable)
            data["value"] = .string(value)
            data["detail"] = .string("\(variable) is set for the \(target.role) process: other code may be loaded into it")
            // One report per variable and value: every plugin child inherits the agent's.
            let key = "env \(variable)=\(value)"
            if reported.insert(key).inserted { emit("system.tamper", .object(data)) }
        }
    }

    private func report(_ target: Target, kind: String, path: String, detail: String) {
        let key = "\(kind) \(target.pid) \(path)"
        guard reported.insert(key).inserted else { return }
        var data = describe(target)
        data["kind"] = .string(kind)
        data["active"] = true
        data["path"] = .string(path)
        data["detail"] = .string(detail)
        emit("system.tamper", .object(data))
    }

    /// The proctord plugin libraries a process maps: path, the inode it
    /// mapped (maps' fifth field), and the file as it is now.
    static func pluginLibraries(of pid: Int32) -> [String: MappedLibrary] {
        guard let bytes = ProcFS.read("/proc/\(pid)/maps", limit: 4 << 20) else { return [:] }
        var found: [String: MappedLibrary] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.contains("libproctor-") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let fields = line[..<slash].split(separator: " ")
            guard fields.count >= 5, let inode = UInt64(fields[4]) else { continue }
            var path = String(line[slash...])
            let deleted = path.hasSuffix(" (deleted)")
            if deleted { path = String(path.dropLast(10)) }
            guard found[path] == nil else { continue }
            found[path] = MappedLibrary(inode: inode, deleted: deleted, identity: ProcFS.identity(path))
        }
        return found
    }
}
