/// How far ahead of the bus an interview's file promises seqs. Every write
/// of the file records a high-water mark above every seq the bus has handed
/// out and far enough ahead that the bus will not reach it before the next
/// write; an agent killed at any moment then restarts its numbering at the
/// mark, above every seq any page may have been sent. The seqs between the
/// last event written and the mark were either never published or never
/// written: the restarted agent records them as one gap.
struct SeqReservation: Sendable {
    /// Seqs reserved ahead at least: about 4 s of an agent publishing
    /// 1,000 events/s, so a quiet agent's restart leaves a small gap.
    static let minimumAhead: UInt64 = 4096

    /// The mark in the file: no seq at or above it has been handed out.
    private(set) var durable: UInt64
    /// The bus's next seq when the durable mark was written.
    private var nextSeqAtDurable: UInt64

    init(durable: UInt64, nextSeq: UInt64) {
        self.durable = durable
        self.nextSeqAtDurable = nextSeq
    }

    /// The mark to write now that the bus's next seq is `nextSeq`: four
    /// times what the bus handed out since the last mark ahead (the next
    /// write would have to take four times as long to be overtaken), never
    /// less than the minimum, and never below the mark already written,
    /// since seqs up to it may be handed out while this write is under way.
    func proposal(nextSeq: UInt64) -> UInt64 {
        let handedOut = nextSeq > nextSeqAtDurable ? nextSeq - nextSeqAtDurable : 0
        return max(durable, nextSeq + max(Self.minimumAhead, handedOut * 4))
    }

    /// True when the bus had handed out seqs at or above the durable mark:
    /// a kill before this write would have restarted below them.
    func overtaken(nextSeq: UInt64) -> Bool { nextSeq > durable }

    /// `mark`, proposed when the bus was at `nextSeq`, is now in the file.
    mutating func written(_ mark: UInt64, nextSeq: UInt64) {
        durable = mark
        nextSeqAtDurable = nextSeq
    }
}
