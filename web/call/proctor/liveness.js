// liveness.js: is the agent there, and what does it see? Three things, none of them trusted to be fine
// by default: the agent connection's state as the interviewee's page reports it (`agent-state`; never
// received → "not observed"), how long ago anything was heard from the agent (any forwarded event or
// heartbeat, timed on this dashboard's clock: the two machines' clocks need not agree), and each plugin's
// newest `plugin.state` (only `running` observes; degraded, crashed, held, stopped, failed are "not
// observed", never clean). The model is pure with an injected clock; LivenessView draws it.

import { el, duration } from "./dom.js";

/** Heard within this: fine. The agent's heartbeat comes every 15 s by default (api.heartbeat_interval_s). */
export const FRESH_MS = 20_000;
/** Beyond this, silent: the connection or the agent is gone even if nobody said so. */
export const SILENT_MS = 45_000;

export class Liveness {
  #now;
  state = null; // {state, reason} from agent-state
  lastHeardAt = null; // ms, this dashboard's clock
  plugins = new Map(); // plugin id → {state, reason, since}

  constructor({ now = () => Date.now() } = {}) { this.#now = now; }

  /** The page's word on its agent connection; only "connected" is word from the agent itself. */
  agentState(state, reason = null) {
    this.state = { state, reason };
    if (state === "connected") this.heard();
  }

  heartbeat() { this.heard(); }

  heard() { this.lastHeardAt = this.#now(); }

  /** Any forwarded event: it proves the agent alive, and plugin.state changes what is observed. */
  observe(event) {
    this.heard();
    this.#plugin(event, true);
  }

  /** A plugin's state from before the dashboard listened (integrity.context): kept unless a newer one came. */
  seed(event) { this.#plugin(event, false); }

  #plugin(event, replace) {
    const id = event?.topic === "plugin.state" ? event.data?.plugin : null;
    if (!id || (!replace && this.plugins.has(id))) return;
    this.plugins.set(id, { state: event.data.state, reason: event.data.reason ?? null, since: event.ts });
  }

  /** ms since the agent was last heard from, or null when never. */
  age() { return this.lastHeardAt === null ? null : Math.max(0, this.#now() - this.lastHeardAt); }

  /** "observed" | "late" | "silent" | "not observed": the agent as a whole. */
  verdict() {
    if (this.state === null || this.state.state !== "connected") return "not observed";
    const age = this.age();
    if (age === null || age >= SILENT_MS) return "silent";
    return age >= FRESH_MS ? "late" : "observed";
  }

  /** [{plugin, state, reason, observed}] sorted by id; observed only while running and the agent is. */
  pluginRows() {
    const agentObserves = this.verdict() === "observed" || this.verdict() === "late";
    return [...this.plugins.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([plugin, s]) => ({
      plugin, state: s.state, reason: s.reason, observed: agentObserves && s.state === "running",
    }));
  }
}

const VERDICT_WORDS = {
  observed: "observing",
  late: "late: nothing heard for a while",
  silent: "silent: nothing heard from the agent",
  "not observed": "not observed",
};

const STATE_WORDS = {
  connected: "the agent is connected",
  reconnecting: "the page is reconnecting to the agent",
  absent: "the interviewee has no agent running",
  unpaired: "the page is not paired with the agent",
};

export class LivenessView {
  constructor(root) { this.root = root; }

  render(model) {
    const verdict = model.verdict();
    const age = model.age();
    const state = model.state;
    this.root.replaceChildren(
      el("p", { class: "verdict", "data-verdict": verdict }, VERDICT_WORDS[verdict]),
      el("p", { class: "agent-state" }, state === null
        ? "no word from the interviewee's page about the agent: not observed"
        : `${STATE_WORDS[state.state] ?? state.state}${state.reason ? ` (${state.reason})` : ""}`),
      el("p", { class: "heard" }, age === null ? "never heard from the agent" : `last heard ${duration(age / 1000)} ago`),
      el("ul", { class: "plugins" }, model.pluginRows().map((row) =>
        el("li", { "data-plugin": row.plugin, "data-observed": row.observed ? "yes" : "no" },
          `${row.plugin}: ${row.observed ? "observing" : "not observed"}`,
          row.state !== "running" ? ` (${row.state}${row.reason ? `: ${row.reason}` : ""})` : ""))),
    );
  }
}
