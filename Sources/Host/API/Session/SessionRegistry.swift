#if canImport(Glibc)
import Glibc
#endif
import ProctorHost
import ProctorJSON
import Synchronization

/// The paired sessions and their tokens. Tokens expire at a time fixed at
/// pairing and can be revoked; only their SHA-256 is kept, in a 0600 file
/// in the state directory, so a page can reconnect after the agent restarts
/// (or the user logs out and back in, which empties the runtime directory)
/// and a leaked file gives no token away.
public final class SessionRegistry: Sendable {
    public enum Failure: Error, Sendable, Equatable {
        case unknown, expired, wrongOrigin
    }

    private let records = Mutex<[String: SessionRecord]>([:])
    private let file: String?
    private let lifetime: Double
    private let clock: @Sendable () -> Double
    private let revoked = Mutex<[@Sendable (String) -> Void]>([])
    private let issued = Mutex<[@Sendable (SessionRecord) -> Void]>([])

    public init(file: String?, lifetimeSeconds: Int, clock: @escaping @Sendable () -> Double = WallClock.seconds) {
        self.file = file
        self.lifetime = Double(lifetimeSeconds)
        self.clock = clock
        if let file, let bytes = try? readWholeFile(file), let json = try? JSONParser.parse(bytes) {
            let now = clock()
            let loaded = (json["sessions"]?.arrayValue ?? []).compactMap(SessionRecord.init(json:)).filter { $0.expiresAt > now }
            records.withLock { $0 = Dictionary(uniqueKeysWithValues: loaded.map { ($0.id, $0) }) }
        }
    }

    /// Calls `observer` with a session id whenever that session is revoked.
    public func onRevoke(_ observer: @escaping @Sendable (String) -> Void) {
        revoked.withLock { $0.append(observer) }
    }

    /// Calls `observer` with each session issued (once it is stored).
    public func onIssue(_ observer: @escaping @Sendable (SessionRecord) -> Void) {
        issued.withLock { $0.append(observer) }
    }

    /// A new session for a page that just proved the pairing code; returns
    /// the record and the token, which exists nowhere else after this.
    public func issue(origin: String, clientName: String?) -> (SessionRecord, token: String) {
        let token = Secret.token()
        let now = clock()
        let record = SessionRecord(
            id: "s_" + Secret.token(bytes: 9), origin: origin, clientName: clientName,
            tokenSHA256: Secret.sha256Hex(token), createdAt: now, expiresAt: now + lifetime)
        records.withLock { $0[record.id] = record }
        persist()
        issued.withLock { $0 }.forEach { $0(record) }
        return (record, token)
    }

    /// The session a token belongs to, if it is still good for `origin`.
    public func authenticate(token: String, origin: String) -> Result<SessionRecord, Failure> {
        let hash = Secret.sha256Hex(token)
        let now = clock()
        // Compare every stored hash in constant time; never stop at the first match.
        let match = records.withLock { records in
            records.values.reduce(nil as SessionRecord?) { found, record in
                ConstantTime.equal(record.tokenSHA256, hash) ? record : found
            }
        }
        guard let record = match else { return .failure(.unknown) }
        guard record.expiresAt > now else { return .failure(.expired) }
        guard record.origin == origin else { return .failure(.wrongOrigin) }
        return .success(record)
    }

    /// The sessions that have run out (revoked ones are gone, not expired).
    public var expired: [String] {
        let now = clock()
        return records.withLock { $0.values.filter { $0.expiresAt <= now }.map(\.id) }
    }

    /// When the next session still good runs out, if any is.
    public var nextExpiry: Double? {
        let now = clock()
        return records.withLock { $0.values.lazy.map(\.expiresAt).filter { $0 > now }.min() }
    }

    public var active: [SessionRecord] {
        let now = clock()
        return records.withLock { Array($0.values) }.filter { $0.expiresAt > now }.sorted { $0.createdAt < $1.createdAt }
    }

    /// Revokes one session (or all, with nil); returns the ids revoked.
    @discardableResult
    public func revoke(_ id: String?) -> [String] {
        let gone: [String] = records.withLock { records in
            let ids = id.map { records[$0] == nil ? [] : [$0] } ?? Array(records.keys)
            for id in ids { records[id] = nil }
            return ids
        }
        guard !gone.isEmpty else { return [] }
        persist()
        let observers = revoked.withLock { $0 }
        for id in gone { observers.forEach { $0(id) } }
        return gone
    }

    private func persist() {
        guard let file else { return }
        let now = clock()
        let list = records.withLock { Array($0.values) }.filter { $0.expiresAt > now }.sorted { $0.createdAt < $1.createdAt }
        try? PrivateFile.write(file, JSONWriter.compact(["sessions": .array(list.map(\.json))]) + "\n")
    }
}
