// phases.js: the interviewer marks where each part of the interview begins ("Question 2"). The label goes
// to the interviewee's page (`phase`), which asks the agent to mark it (`interview.phase`) and answers
// `phase-ack`; the marker shows as sent until then, and the agent's answer (its seq, or why it refused).

import { el } from "./dom.js";

/** The agent's limit on a phase's name (docs/protocol.md, Phases). */
export const MAX_LABEL = 100;

/** A label as the agent will take it, or an error message. Pure. */
export function checkLabel(text) {
  const label = String(text ?? "").trim();
  if (label === "") return { error: "type a name for the phase, e.g. Question 2" };
  if (label.length > MAX_LABEL) return { error: `at most ${MAX_LABEL} characters (this is ${label.length})` };
  return { label };
}

export class PhaseMarker {
  #sent = []; // {label, li}

  constructor(root, onPhase) {
    this.input = el("input", { type: "text", name: "phase", maxlength: MAX_LABEL, placeholder: "Question 2", "aria-label": "phase name" });
    this.error = el("p", { class: "error", role: "alert" });
    this.list = el("ol", { class: "phases" });
    const form = el("form", { class: "phase-form" }, this.input, el("button", { type: "submit" }, "Mark phase"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const { label, error } = checkLabel(this.input.value);
      this.error.textContent = error ?? "";
      if (!label) return;
      if (onPhase && onPhase(label) === false) { this.error.textContent = "not sent: the interviewee is not connected"; return; }
      const li = el("li", { "data-state": "sent" }, `${label}: sent`);
      this.#sent.push({ label, li });
      this.list.append(li);
      this.input.value = "";
    });
    root.replaceChildren(form, this.error, this.list);
  }

  /** The interviewee's `phase-ack`: {label, seq} or {label, error}. */
  acknowledge({ label, seq, error }) {
    const entry = this.#sent.find((s) => s.label === label && s.li.dataset.state === "sent");
    const li = entry?.li ?? this.list.appendChild(el("li"));
    li.dataset.state = error ? "refused" : "marked";
    li.textContent = error ? `${label}: not marked (${error.message ?? error.code ?? error})` : `${label}: marked by the agent (event ${seq})`;
  }
}
