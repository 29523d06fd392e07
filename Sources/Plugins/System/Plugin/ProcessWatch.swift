import ProctorJSON
import SystemShim

/// Publishes an event: topic and data.
typealias Emit = @Sendable (String, JSONValue) -> Void

/// Which catalogued programs run: looks at each process once when it
/// appears (or execs), remembers the ones that match, and says when they go.
/// Fed by the proc connector's exec/fork/exit events or by /proc scans; used
/// from one thread.
final class ProcessWatch {
    struct Running: Equatable {
        var facts: ProcessFacts
        var entry: CatalogueEntry
        var reason: MatchReason
    }

    private let catalogue: Catalogue
    private let flagCategories: Set<String>
    private let emit: Emit
    private(set) var running: [Int32: Running] = [:]
    /// Scan mode: the pids seen by the last scan, and those first seen then
    /// that matched nothing (a fork that had not exec'd yet is looked at again).
    private var known: Set<Int32> = []
    private var young: Set<Int32> = []
    /// Build ids by the binary's device and inode: most processes run the same few binaries.
    private var buildIds: [ProcFS.FileIdentity: String] = [:]
    private var lastFlag: [String]?

    init(catalogue: Catalogue, flagCategories: Set<String>, emit: @escaping Emit) {
        self.catalogue = catalogue
        self.flagCategories = flagCategories
        self.emit = emit
    }

    /// Looks at every process; `initial` marks the events of the first look.
    func scanAll(initial: Bool) {
        let pids = ProcFS.pids()
        for pid in running.keys where !pids.contains(pid) { stopped(pid) }
        for pid in pids.sorted() { look(at: pid, initial: initial) }
        known = pids
        young = []
        publishFlag()
    }

    /// Scan mode: only the pids that appeared or vanished since the last scan.
    func scanChanges() {
        let pids = ProcFS.pids()
        for pid in known.subtracting(pids) where running[pid] != nil { stopped(pid) }
        var nowYoung: Set<Int32> = []
        for pid in pids.subtracting(known) {
            look(at: pid, initial: false)
            if running[pid] == nil { nowYoung.insert(pid) }
        }
        // Looked at once more: a pid that was a fork of its launcher then.
        for pid in young where pids.contains(pid) && running[pid] == nil { look(at: pid, initial: false) }
        known = pids
        young = nowYoung
        publishFlag()
    }

    /// Connector: `pid` started a new program.
    func executed(_ pid: Int32) {
        look(at: pid, initial: false)
        publishFlag()
    }

    /// Connector: `parent` forked the new process `child`. A fork keeps the
    /// parent's program, so only a catalogued parent's child can match: that
    /// is a program that daemonizes (forks, then the parent exits), whose
    /// child never execs. Any other fork costs one dictionary look-up.
    func forked(_ child: Int32, parent: Int32) {
        guard running[parent] != nil else { return }
        look(at: child, initial: false)
        publishFlag()
    }

    /// Connector: `pid` ended.
    func exited(_ pid: Int32) {
        guard running[pid] != nil else { return }
        stopped(pid)
        publishFlag()
    }

    /// What runs now, for the status request.
    var status: JSONValue {
        .array(running.keys.sorted().map { Self.describe(running[$0]!, state: nil, initial: false) })
    }

    private func look(at pid: Int32, initial: Bool) {
        guard let facts = Self.facts(of: pid) else {
            if running[pid] != nil { stopped(pid) }
            return
        }
        let match = catalogue.match(facts) { _ in buildId(of: pid) }
        if let previous = running[pid] {
            // The same process ran something else (exec): a new program, or the same one again.
            if let match, match.entry == previous.entry { running[pid]?.facts = facts; return }
            stopped(pid)
        }
        guard let match else { return }
        let found = Running(facts: facts, entry: match.entry, reason: match.reason)
        running[pid] = found
        emit("system.process", Self.describe(found, state: "started", initial: initial))
    }

    private func stopped(_ pid: Int32) {
        guard let gone = running.removeValue(forKey: pid) else { return }
        emit("system.process", Self.describe(gone, state: "stopped", initial: false))
    }

    /// `system.remote_control` whenever the set of flagged programs changes.
    private func publishFlag() {
        let names = Set(running.values.filter { flagCategories.contains($0.entry.category) }.map(\.entry.name)).sorted()
        guard names != lastFlag else { return }
        lastFlag = names
        var data: JSONObject = ["active": .bool(!names.isEmpty), "programs": .array(names.map { .string($0) })]
        if let first = names.first { data["name"] = .string(first) }
        emit("system.remote_control", .object(data))
    }

    private func buildId(of pid: Int32) -> String? {
        let exe = "/proc/\(pid)/exe"
        guard let identity = ProcFS.identity(exe) else { return nil }
        if let known = buildIds[identity] { return known.isEmpty ? nil : known }
        var hex = [CChar](repeating: 0, count: 160)
        let found = system_elf_build_id(exe, &hex, hex.count) > 0 ? String(cString: hex) : ""
        if buildIds.count > 4096 { buildIds.removeAll() }
        buildIds[identity] = found
        return found.isEmpty ? nil : found
    }

    /// What /proc says about `pid`; nil for a kernel thread or a process gone.
    static func facts(of pid: Int32) -> ProcessFacts? {
        guard let comm = ProcFS.comm(of: pid) else { return nil }
        let path = ProcFS.executable(of: pid)
        var argv0: String?
        if path == nil {
            // Another user's process, or a kernel thread (no arguments at all).
            guard let first = ProcFS.arguments(of: pid).first else { return nil }
            argv0 = first
        }
        return ProcessFacts(pid: pid, path: path, comm: comm, argv0: argv0)
    }

    static func describe(_ running: Running, state: String?, initial: Bool) -> JSONValue {
        var data: JSONObject = [
            "name": .string(running.entry.name), "category": .string(running.entry.category),
            "pid": .number(Double(running.facts.pid)), "path": running.facts.path.map { .string($0) } ?? .null,
            "comm": .string(running.facts.comm), "matched_by": .string(running.reason.rawValue),
        ]
        if let state {
            data["state"] = .string(state)
            data["initial"] = .bool(initial)
        }
        return .object(data)
    }
}
