import NIOCore
import Synchronization

/// Every open connection of the local API, so no one can hold them all. The
/// agent checks each connection's user when it is accepted, so only this
/// user's programs and pages get this far; among them, a page from another
/// site or a runaway program may still open connections by the hundred.
/// Connections not yet identified (plain HTTP and WebSockets before
/// `identify`) share `maximumPending`: past it, the oldest of them is closed
/// to make room, so a flood cannot keep the interviewee's page out. Identified
/// connections hold a token and count only against `maximumTotal`.
public final class ConnectionTable: Sendable {
    public struct Limits: Sendable {
        public var maximumTotal = 512
        public var maximumPending = 128
        public init() {}
    }

    public enum Admission: Sendable, Equatable {
        case admitted
        /// Admitted after closing the oldest pending connection.
        case admittedByEvicting
        /// Every slot holds an identified connection.
        case full
    }

    private struct Entry {
        let channel: any Channel
        let order: UInt64
        var identified = false
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var nextOrder: UInt64 = 0
        var pending = 0
    }

    public let limits: Limits
    private let state = Mutex(State())

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Counts `channel` in, or says why it cannot be; closes the evicted one.
    public func admit(_ channel: any Channel) -> Admission {
        let (admission, victim): (Admission, (any Channel)?) = state.withLock { state in
            var victim: (any Channel)?
            if state.pending >= limits.maximumPending || state.entries.count >= limits.maximumTotal {
                guard let oldest = state.entries.filter({ !$0.value.identified }).min(by: { $0.value.order < $1.value.order }) else {
                    return (.full, nil)
                }
                state.entries[oldest.key] = nil
                state.pending -= 1
                victim = oldest.value.channel
            }
            state.nextOrder += 1
            state.entries[ObjectIdentifier(channel)] = Entry(channel: channel, order: state.nextOrder)
            state.pending += 1
            return (victim == nil ? .admitted : .admittedByEvicting, victim)
        }
        victim?.close(promise: nil)
        return admission
    }

    /// The connection proved a pairing code or a token.
    public func identified(_ channel: any Channel) {
        state.withLock { state in
            let key = ObjectIdentifier(channel)
            guard let entry = state.entries[key], !entry.identified else { return }
            state.entries[key]?.identified = true
            state.pending -= 1
        }
    }

    public func remove(_ channel: any Channel) {
        state.withLock { state in
            guard let entry = state.entries.removeValue(forKey: ObjectIdentifier(channel)) else { return }
            if !entry.identified { state.pending -= 1 }
        }
    }

    public var counts: (total: Int, pending: Int) {
        state.withLock { ($0.entries.count, $0.pending) }
    }
}
