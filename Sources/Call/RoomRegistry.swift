import Foundation
import Logging
import ProctorJSON

/// The rooms the server holds, in memory, and who is connected to each: at
/// most one peer per role. Each room has a timer that expires it (its peers
/// hear `expired` and are closed) and later forgets it.
public actor RoomRegistry {
    public enum LeaveReason: String, Sendable {
        case closed, replaced, timeout
    }

    private struct Entry {
        var room: Room
        var peers: [Role: PeerLink] = [:]
        var expired = false
        var timer: Task<Void, Never>?
    }

    private var rooms: [String: Entry] = [:]
    private var codes: [SecretDigest: (room: String, role: Role)] = [:]
    private let maximumRooms: Int
    /// An expired room is kept this long, so its codes are refused as expired rather than unknown.
    private let retention: TimeInterval
    private let clock: @Sendable () -> Date
    /// What every `joined` carries besides the room: the ICE servers and the file limit.
    private let joinedExtras: JSONObject
    private let logger: Logger

    public init(
        maximumRooms: Int, joinedExtras: JSONObject = [:], retention: TimeInterval = 3600, logger: Logger,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.maximumRooms = maximumRooms
        self.joinedExtras = joinedExtras
        self.retention = retention
        self.logger = logger
        self.clock = clock
    }

    // MARK: - Rooms

    public func create(title: String, startsAt: Date?, duration: TimeInterval) throws(CallError) -> RoomCredentials {
        guard rooms.values.filter({ !$0.expired }).count < maximumRooms else { throw .tooManyRooms(maximumRooms) }
        let start = startsAt ?? clock()
        let codes = Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, RoomCode.random()) })
        let secret = RandomSecret.make()
        var id = RoomCode.random().canonical.prefix(12).lowercased()
        while rooms[id] != nil { id = RoomCode.random().canonical.prefix(12).lowercased() }
        let room = Room(
            id: id, title: title, startsAt: start, expiresAt: start.addingTimeInterval(duration),
            codeDigests: codes.mapValues { SecretDigest($0.canonical) }, secretDigest: SecretDigest(secret))
        var entry = Entry(room: room)
        entry.timer = expiryTimer(for: room)
        rooms[id] = entry
        for (role, digest) in room.codeDigests { self.codes[digest] = (id, role) }
        logger.notice("room \(id) created: starts \(CallTime.format(room.startsAt)), expires \(CallTime.format(room.expiresAt))")
        return RoomCredentials(room: room, codes: codes, interviewerSecret: secret)
    }

    public func delete(id: String) throws(CallError) {
        guard let entry = rooms.removeValue(forKey: id) else { throw .unknownRoom(id) }
        entry.timer?.cancel()
        for digest in entry.room.codeDigests.values { codes[digest] = nil }
        for peer in entry.peers.values {
            peer.send(["type": "closed"])
            peer.close(4410, reason: "the room was closed")
        }
        logger.notice("room \(id) deleted")
    }

    /// The rooms, oldest start first, with which roles are connected: never a code or secret.
    public func list() -> [JSONValue] {
        let now = clock()
        return rooms.values.sorted { ($0.room.startsAt, $0.room.id) < ($1.room.startsAt, $1.room.id) }.map { entry in
            guard case .object(var fields) = entry.room.json else { return .null }
            fields["state"] = switch entry.expired ? .expired(at: entry.room.expiresAt) : entry.room.admission(at: now) {
            case .open: "open"
            case .notStarted: "not_started"
            case .expired: "expired"
            }
            fields["connected"] = .array(Role.allCases.filter { entry.peers[$0] != nil }.map { .string($0.rawValue) })
            return .object(fields)
        }
    }

    public var count: Int { rooms.count }

    // MARK: - Codes and peers

    /// The room and role a code (and, for the interviewer, secret) opens now, with the roles connected.
    public func check(code text: String, secret: String?) throws(CallError) -> (room: Room, role: Role, peers: [Role]) {
        let (id, role) = try admit(code: text, secret: secret)
        let entry = rooms[id]!
        return (entry.room, role, Role.allCases.filter { entry.peers[$0] != nil })
    }

    /// Joins `link` to the room its code opens. The `joined` answer goes into
    /// the link's outbox before the other peer hears of it, so no relayed
    /// signal can overtake it. A peer with the same `peerId` replaces its
    /// stale connection; another one is refused.
    func join(code text: String, secret: String?, link: PeerLink) throws(CallError) -> (room: String, role: Role) {
        let (id, role) = try admit(code: text, secret: secret)
        var entry = rooms[id]!
        let other = entry.peers[role.other]
        if let current = entry.peers[role] {
            guard current.peerId == link.peerId else { throw .roomFull(role) }
            current.close(4000, reason: "replaced")
            other?.send(["type": "peer-left", "role": .string(role.rawValue), "reason": "replaced"])
            logger.info("room \(id): the \(role.rawValue) reconnected, replacing its stale connection")
        }
        entry.peers[role] = link
        rooms[id] = entry
        var joined = joinedExtras
        joined["type"] = "joined"
        joined["role"] = .string(role.rawValue)
        joined["room"] = entry.room.json
        joined["peers"] = .array(other == nil ? [] : [.string(role.other.rawValue)])
        link.send(.object(joined))
        other?.send(["type": "peer-joined", "role": .string(role.rawValue)])
        logger.info("room \(id): the \(role.rawValue) joined")
        return (id, role)
    }

    /// Hands `text` to the peer at the other end; false when nobody is
    /// there. A replaced connection's last words are not passed on.
    func deliver(_ text: String, from link: PeerLink, role: Role, in room: String) -> Bool {
        guard let entry = rooms[room], entry.peers[role]?.connection == link.connection else { return true }
        guard let peer = entry.peers[role.other] else { return false }
        peer.send(text: text)
        return true
    }

    /// Forgets `link` if it still holds its role (a replaced one no longer does) and tells the other peer.
    func leave(_ link: PeerLink, role: Role, room id: String, reason: LeaveReason) {
        guard var entry = rooms[id], entry.peers[role]?.connection == link.connection else { return }
        entry.peers[role] = nil
        rooms[id] = entry
        entry.peers[role.other]?.send(["type": "peer-left", "role": .string(role.rawValue), "reason": .string(reason.rawValue)])
        logger.info("room \(id): the \(role.rawValue) left (\(reason.rawValue))")
    }

    private func admit(code text: String, secret: String?) throws(CallError) -> (room: String, role: Role) {
        guard let code = RoomCode(normalizing: text), let (id, role) = codes[SecretDigest(code.canonical)], let entry = rooms[id] else {
            throw .unknownCode
        }
        if role == .interviewer {
            guard let secret, entry.room.secretDigest.matches(SecretDigest(secret)) else { throw .wrongSecret }
        }
        if entry.expired { throw .expired(at: entry.room.expiresAt) }
        switch entry.room.admission(at: clock()) {
        case .open: return (id, role)
        case .notStarted(let opens): throw .notStarted(opensAt: opens)
        case .expired(let at): throw .expired(at: at)
        }
    }

    // MARK: - Expiry

    private func expiryTimer(for room: Room) -> Task<Void, Never> {
        let clock = self.clock
        let retention = self.retention
        return Task { [weak self] in
            guard (try? await Task.sleep(for: .seconds(max(0, room.expiresAt.timeIntervalSince(clock()))))) != nil else { return }
            await self?.expire(room.id)
            guard (try? await Task.sleep(for: .seconds(retention))) != nil else { return }
            await self?.forget(room.id)
        }
    }

    private func expire(_ id: String) {
        guard var entry = rooms[id] else { return }
        entry.expired = true
        for peer in entry.peers.values {
            peer.send(["type": "expired"])
            peer.close(4410, reason: "the room expired")
        }
        entry.peers = [:]
        rooms[id] = entry
        logger.notice("room \(id) expired")
    }

    private func forget(_ id: String) {
        guard let entry = rooms.removeValue(forKey: id) else { return }
        for digest in entry.room.codeDigests.values { codes[digest] = nil }
    }
}
