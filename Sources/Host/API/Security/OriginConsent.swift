#if canImport(Glibc)
import Glibc
#endif
import Logging
import ProctorHost
import ProctorJSON
import Synchronization

/// Which web origins may ask to pair, beyond `api.allowed_origins`: the ones
/// the person at this computer allowed (on the agent's page or with
/// `proctord origins allow`), kept 0600 in their config directory, and the
/// ones an install was seeded with (`/etc/proctord/origins.d/*.json`).
/// A refused origin is remembered so the person can allow it; the list is
/// bounded, so a page that makes up origins by the thousand costs a fixed
/// amount. Allowing an origin only lets its page ask: it still needs the
/// pairing code.
public final class OriginConsent: Sendable {
    public struct Asking: Sendable, Equatable {
        public let origin: String
        public let firstSeen: Double
        public var lastSeen: Double
        public var attempts: Int
    }

    struct State {
        var allowed: [String] = []
        var ignored: [String] = []
        var asking: [String: Asking] = [:]
        /// The user's file could not be read as written: moved aside before
        /// the first save, so nothing in it is overwritten unseen.
        var fileNeedsMovingAside = false
    }

    /// Refused origins remembered at once; the least recently seen goes first.
    public static let maximumAsking = 32
    /// Ignored origins kept; the oldest is forgotten (and would ask again).
    public static let maximumIgnored = 1000
    /// Origins the person allowed; past this, allowing asks to remove one first.
    public static let maximumAllowed = 200

    public let file: String
    /// Origin → the seed file that allows it.
    public let seeded: [String: String]
    private let state: Mutex<State>
    private let askingHandler = Mutex<(@Sendable (String) -> Void)?>(nil)
    private let logger: Logger
    private let clock: @Sendable () -> Double

    /// Reads the person's file and the install's seed files; problems in
    /// either are logged with the file, field and value, and the rest is used.
    public init(file: String, seedDirectory: String?, logger: Logger, clock: @escaping @Sendable () -> Double = WallClock.seconds) {
        self.file = file
        self.logger = logger
        self.clock = clock
        var problems: [String] = []
        let (loaded, readable) = Self.load(file, problems: &problems)
        var initial = loaded
        initial.fileNeedsMovingAside = !readable
        state = Mutex(initial)
        seeded = seedDirectory.map { Self.loadSeeds($0, problems: &problems) } ?? [:]
        for problem in problems { logger.error("origins: \(problem)") }
    }

    // MARK: Questions

    public func isAllowed(_ origin: String) -> Bool {
        seeded[origin] != nil || state.withLock { $0.allowed.contains(origin) }
    }

    /// Remembers a refused origin so the person can allow it; only origins in
    /// the form a browser sends, and never one they chose to ignore.
    public func noteRefused(_ origin: String) {
        guard let normalized = try? OriginName.normalize(origin), normalized == origin else { return }
        let now = clock()
        let isNew = state.withLock { state -> Bool in
            guard !state.ignored.contains(origin), !state.allowed.contains(origin) else { return false }
            if var known = state.asking[origin] {
                known.lastSeen = now
                known.attempts += 1
                state.asking[origin] = known
                return false
            }
            if state.asking.count >= Self.maximumAsking,
                let stalest = state.asking.values.min(by: { $0.lastSeen < $1.lastSeen })
            {
                state.asking[stalest.origin] = nil
            }
            state.asking[origin] = Asking(origin: origin, firstSeen: now, lastSeen: now, attempts: 1)
            return true
        }
        if isNew { askingHandler.withLock { $0 }?(origin) }
    }

    /// `handler` hears of each origin that starts asking (the desktop notice).
    public func whenAsking(_ handler: @escaping @Sendable (String) -> Void) {
        askingHandler.withLock { $0 = handler }
    }

    // MARK: The person's choices

    public enum Change: Sendable, Equatable {
        case allowed, alreadyAllowed, ignored, removed, notListed
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Lets pages from `text` ask to pair, saved for later runs.
    public func allow(_ text: String) throws -> (origin: String, change: Change) {
        let origin = try normalized(text)
        if let seed = seeded[origin] { logger.info("origins: \(origin) is already allowed by \(seed)") }
        return (origin, try update { state in
            state.asking[origin] = nil
            state.ignored.removeAll { $0 == origin }
            if state.allowed.contains(origin) { return .alreadyAllowed }
            guard state.allowed.count < Self.maximumAllowed else {
                throw Failure(description: "\(file) already allows \(Self.maximumAllowed) origins: remove one first with `proctord origins remove URL`")
            }
            state.allowed.append(origin)
            return .allowed
        })
    }

    /// Keeps pages from `text` refused and no longer shows them as asking.
    public func ignore(_ text: String) throws -> (origin: String, change: Change) {
        let origin = try normalized(text)
        return (origin, try update { state in
            state.asking[origin] = nil
            state.allowed.removeAll { $0 == origin }
            if !state.ignored.contains(origin) { state.ignored.append(origin) }
            if state.ignored.count > Self.maximumIgnored { state.ignored.removeFirst(state.ignored.count - Self.maximumIgnored) }
            return .ignored
        })
    }

    /// Takes `text` off the allowed and the ignored lists (a seed file's
    /// origins stay: they belong to the install, not to this user).
    public func remove(_ text: String) throws -> (origin: String, change: Change) {
        let origin = try normalized(text)
        return (origin, try update { state in
            let before = state.allowed.count + state.ignored.count
            state.allowed.removeAll { $0 == origin }
            state.ignored.removeAll { $0 == origin }
            return state.allowed.count + state.ignored.count < before ? .removed : .notListed
        })
    }

    private func normalized(_ text: String) throws -> String {
        do { return try OriginName.normalize(text) } catch { throw Failure(description: error.description) }
    }

    /// Applies `change` and saves the file; on a failed save nothing changes.
    private func update(_ change: (inout State) throws -> Change) throws -> Change {
        try state.withLock { state in
            var next = state
            let outcome = try change(&next)
            if next.allowed != state.allowed || next.ignored != state.ignored {
                if next.fileNeedsMovingAside {
                    let aside = file + ".invalid"
                    if rename(file, aside) == 0 { logger.warning("origins: \(file) could not be read; kept as \(aside)") }
                    next.fileNeedsMovingAside = false
                }
                do {
                    // The config directory need not exist yet: nothing else may have written there.
                    if let slash = file.lastIndex(of: "/"), slash != file.startIndex { try PrivateDirectory.create(String(file[..<slash])) }
                    try PrivateFile.write(file, JSONWriter.compact(["allowed": .array(next.allowed.map(JSONValue.string)),
                                                                    "ignored": .array(next.ignored.map(JSONValue.string))]) + "\n")
                } catch {
                    throw Failure(description: "cannot save the allowed origins: \(error)")
                }
            }
            state = next
            return outcome
        }
    }

    // MARK: What the page and the command line show

    public var allowed: [String] { state.withLock { $0.allowed } }
    public var ignored: [String] { state.withLock { $0.ignored } }
    /// The origins that were refused and may be allowed, most recent first.
    public var asking: [Asking] { state.withLock { $0.asking.values.sorted { $0.lastSeen > $1.lastSeen } } }

    public func json(configured: [String]) -> JSONValue {
        [
            "asking": .array(asking.map {
                ["origin": .string($0.origin), "attempts": .number(Double($0.attempts)),
                 "first_seen": .string(Timestamp(seconds: $0.firstSeen).rfc3339),
                 "last_seen": .string(Timestamp(seconds: $0.lastSeen).rfc3339)]
            }),
            "allowed": .array(allowed.map(JSONValue.string)),
            "seeded": .array(seeded.keys.sorted().map { ["origin": .string($0), "file": .string(seeded[$0]!)] }),
            "configured": .array(configured.map(JSONValue.string)),
            "ignored": .array(ignored.map(JSONValue.string)),
            "file": .string(file),
        ]
    }

    // MARK: Files

    /// The person's file; false when it exists but cannot be used as a whole.
    private static func load(_ file: String, problems: inout [String]) -> (State, Bool) {
        var state = State()
        guard access(file, F_OK) == 0 else { return (state, true) }
        guard let bytes = try? readWholeFile(file), let document = try? JSONParser.parse(bytes), let object = document.objectValue else {
            problems.append("\(file): not a JSON object like {\"allowed\": [\"https://example.com\"], \"ignored\": []}; not used")
            return (state, false)
        }
        var readable = true
        for (key, _) in object.members where key != "allowed" && key != "ignored" {
            problems.append("\(file): unknown field \(JSONWriter.quoted(key)) (only \"allowed\" and \"ignored\")")
        }
        for field in ["allowed", "ignored"] {
            guard let value = object[field] else { continue }
            guard let items = value.arrayValue else {
                problems.append("\(file): \(field) must be an array of origins")
                readable = false
                continue
            }
            for (index, item) in items.enumerated() {
                do throws(OriginName.Invalid) {
                    guard let text = item.stringValue else { throw OriginName.Invalid(description: "not a string") }
                    let origin = try OriginName.normalize(text)
                    if field == "allowed" { if !state.allowed.contains(origin) { state.allowed.append(origin) } }
                    else if !state.ignored.contains(origin) { state.ignored.append(origin) }
                } catch {
                    problems.append("\(file): \(field)[\(index)]: \(error.description); skipped")
                    readable = false
                }
            }
        }
        return (state, readable)
    }

    /// `origins.d/*.json`, each `{"allowed_origins": [...]}`, in name order.
    private static func loadSeeds(_ directory: String, problems: inout [String]) -> [String: String] {
        var seeded: [String: String] = [:]
        guard let dir = opendir(directory) else { return seeded }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name.hasSuffix(".json") && !name.hasPrefix(".") { names.append(name) }
        }
        closedir(dir)
        for name in names.sorted() {
            let path = directory + "/" + name
            guard let bytes = try? readWholeFile(path), let document = try? JSONParser.parse(bytes),
                let items = document["allowed_origins"]?.arrayValue
            else {
                problems.append("\(path): not a JSON object like {\"allowed_origins\": [\"https://example.com\"]}; not used")
                continue
            }
            for (index, item) in items.enumerated() {
                do throws(OriginName.Invalid) {
                    guard let text = item.stringValue else { throw OriginName.Invalid(description: "not a string") }
                    let origin = try OriginName.normalize(text)
                    if seeded[origin] == nil { seeded[origin] = path }
                } catch {
                    problems.append("\(path): allowed_origins[\(index)]: \(error.description); skipped")
                }
            }
        }
        return seeded
    }
}
