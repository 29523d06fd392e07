// score.js: the integrity score with its arithmetic, as the agent computes it (docs/protocol.md "Integrity",
// docs/report.md): score = max_score (100) minus, for each rule with alerts, min(count × per_alert, cap),
// at least 0. While the interview runs it is recomputed here from the guidelines in `interview.started`
// and the distinct alerts seen; once the agent publishes `integrity.summary` (at the end, or in a report)
// that one is shown as it is. Guidelines not seen (the dashboard joined late) fall back to the severity
// defaults of docs/configuration.md, and the view says the figure is an estimate.

import { el, figure } from "./dom.js";

export const MAX_SCORE = 100;
/** docs/configuration.md, Guidelines: cost per alert by severity; cap is three times it. */
export const SEVERITY_COST = { low: 2, medium: 5, high: 10 };

/** The score's model: feed it events; `current()` is what to show. Pure (no DOM). */
export class ScoreBook {
  #rules = null; // Map rule id → {cost, cap, text, severity} from interview.started
  #alerts = new Map(); // alert id → {rule, severity}
  #summary = null;

  /** Takes the events that matter (interview.started, alert, integrity.summary); ignores the rest. */
  observe(event) {
    const data = event?.data ?? {};
    if (event?.topic === "interview.started") {
      this.#alerts.clear();
      this.#summary = null;
      const rules = data.guidelines?.rules;
      this.#rules = Array.isArray(rules) ? new Map(rules.map((r) => [r.id, r])) : null;
    } else if (event?.topic === "alert" && typeof data.alert === "string") {
      this.#alerts.set(data.alert, { rule: data.rule, severity: data.severity });
    } else if (event?.topic === "integrity.summary") {
      this.#summary = data;
    }
  }

  /** A summary from elsewhere (a report's `integrity.summary`). */
  useSummary(summary) { if (summary) this.#summary = summary; }

  /** {score, max, deductions: [{rule, count, per_alert, cap, cost}], arithmetic, source} */
  current() {
    if (this.#summary) return fromSummary(this.#summary);
    return computeScore([...this.#alerts.values()], this.#rules);
  }
}

/** The live figure: alerts (each {rule, severity}) against the rules (Map id → rule) or the defaults. */
export function computeScore(alerts, rules = null) {
  const byRule = new Map();
  for (const alert of alerts) {
    const entry = byRule.get(alert.rule) ?? { rule: alert.rule, count: 0, severity: alert.severity };
    entry.count += 1;
    byRule.set(alert.rule, entry);
  }
  const order = rules ? [...rules.keys()].filter((id) => byRule.has(id)) : [];
  for (const id of byRule.keys()) if (!order.includes(id)) order.push(id);
  let estimated = false;
  const deductions = order.map((id) => {
    const { count, severity } = byRule.get(id);
    const rule = rules?.get(id);
    if (!rule) estimated = true;
    const perAlert = rule?.cost ?? SEVERITY_COST[severity] ?? SEVERITY_COST.medium;
    const cap = rule?.cap ?? 3 * (SEVERITY_COST[severity] ?? SEVERITY_COST.medium);
    return { rule: id, count, per_alert: perAlert, cap, cost: round3(Math.min(count * perAlert, cap)) };
  });
  const total = deductions.reduce((sum, d) => sum + d.cost, 0);
  const score = round3(Math.max(0, MAX_SCORE - total));
  return { score, max: MAX_SCORE, deductions, arithmetic: arithmetic(MAX_SCORE, deductions, score), source: estimated ? "estimate" : "live" };
}

function fromSummary(summary) {
  const deductions = (summary.deductions ?? []).map((d) => ({
    rule: d.rule, count: d.count, per_alert: d.per_alert, cap: d.cap, cost: d.cost,
  }));
  const max = summary.max_score ?? MAX_SCORE;
  return { score: summary.score, max, deductions, arithmetic: arithmetic(max, deductions, summary.score), source: "summary" };
}

/** "100 − 10 (plugin_down) − 5 (look_away) = 85", as the report writes it. */
export function arithmetic(max, deductions, score) {
  return `${figure(max)}${deductions.map((d) => ` − ${figure(d.cost)} (${d.rule})`).join("")} = ${figure(score)}`;
}

function round3(value) { return Math.round(value * 1000) / 1000; }

const SOURCE_WORDS = {
  live: "live, from the alerts so far and the interview's guidelines",
  estimate: "an estimate: some rules' costs were not received, the defaults for their severity are used",
  summary: "the agent's integrity summary",
};

/** The score panel: the figure, the sum, and one line per deduction. */
export class ScoreView {
  constructor(root) {
    this.root = root;
  }

  render(state) {
    const rows = state.deductions.map((d) =>
      el("li", { "data-rule": d.rule },
        `${d.rule}: ${d.count} alert${d.count === 1 ? "" : "s"}` +
        (d.per_alert !== undefined ? ` × ${figure(d.per_alert)}` : "") +
        (d.cap !== undefined ? `, capped at ${figure(d.cap)}` : "") + ` = −${figure(d.cost)}`));
    this.root.replaceChildren(
      el("p", { class: "score-figure", "data-score": state.score }, `${figure(state.score)}`, el("span", {}, ` / ${figure(state.max)}`)),
      el("p", { class: "arithmetic" }, state.arithmetic),
      rows.length ? el("ul", { class: "deductions" }, rows) : el("p", { class: "none" }, "no deductions"),
      el("p", { class: "source" }, SOURCE_WORDS[state.source] ?? ""),
    );
  }
}
