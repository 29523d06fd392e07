// seq.js: finds the events the dashboard never received. The interviewee's page subscribes to every topic
// ("*"), so the agent's seqs arrive without holes (docs/events.md) except where something was lost: the
// agent thinned a high-rate topic for a slow page (`agent-dropped`: not a gap, those were samples), the
// client reported a loss (`agent-gap`: replay_gap, agent_restarted, seq_jump), or something between the
// agent and here lost it (a jump nobody explained). Each gap is kept with its range and cause, to be drawn.
// Pure: no DOM.

export class SeqTracker {
  #last = null;
  #thinned = 0; // events the agent said it left out, not yet matched to a jump
  #announced = []; // agent-gap details not yet matched to a jump
  gaps = []; // {afterSeq, nextSeq, missed, reason, at}
  thinned = 0; // events left out by thinning, in all

  /** An agent-gap message's detail: {reason, missed, afterSeq, nextSeq}. */
  announce(gap, at = null) {
    if (gap?.reason === "agent_restarted" || gap?.nextSeq === undefined || gap?.nextSeq === null) {
      this.gaps.push({ afterSeq: gap?.afterSeq ?? this.#last, nextSeq: gap?.nextSeq ?? null, missed: gap?.missed ?? null, reason: gap?.reason ?? "unknown", at });
      this.#last = null; // the agent's seqs may start again lower
      return;
    }
    this.#announced.push(gap);
  }

  /** An agent-dropped message's detail: {count, total, topics}. */
  dropped(notice) { this.#thinned += Math.max(0, notice?.count ?? 0); }

  /** Every event's seq, in the order received. Returns the gap it revealed, or null. */
  observe(seq, at = null) {
    if (!Number.isInteger(seq)) return null;
    const last = this.#last;
    this.#last = seq;
    if (last === null) return null;
    if (seq <= last) {
      // Lower or repeated: a new agent session (its restart) that no agent-gap announced.
      const gap = { afterSeq: last, nextSeq: seq, missed: null, reason: "agent_restarted", at };
      this.gaps.push(gap);
      return gap;
    }
    const missing = seq - last - 1;
    if (missing === 0) return null;
    const announced = this.#announced.findIndex((g) => g.afterSeq === last || g.nextSeq === seq);
    if (announced >= 0) {
      const [g] = this.#announced.splice(announced, 1);
      const gap = { afterSeq: last, nextSeq: seq, missed: g.missed ?? missing, reason: g.reason, at };
      this.gaps.push(gap);
      return gap;
    }
    if (this.#thinned >= missing) {
      this.#thinned -= missing;
      this.thinned += missing;
      return null;
    }
    const gap = { afterSeq: last, nextSeq: seq, missed: missing, reason: "unexplained", at };
    this.gaps.push(gap);
    return gap;
  }

}

const REASON_WORDS = {
  replay_gap: "the agent no longer held them when the page reconnected",
  agent_restarted: "the agent restarted",
  seq_jump: "the interviewee's page missed them",
  unexplained: "lost on the way to this dashboard",
  unknown: "cause unknown",
};

/** "events 41–43 missing (3): the agent restarted" */
export function describeGap(gap) {
  const range = gap.nextSeq === null || gap.nextSeq <= gap.afterSeq
    ? `events after ${gap.afterSeq ?? "the start"}`
    : gap.nextSeq - gap.afterSeq === 2 ? `event ${gap.afterSeq + 1}` : `events ${gap.afterSeq + 1}–${gap.nextSeq - 1}`;
  const count = gap.missed === null || gap.missed === undefined ? "an unknown number" : String(gap.missed);
  return `${range} missing (${count}): ${REASON_WORDS[gap.reason] ?? gap.reason}`;
}
