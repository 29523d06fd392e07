/**
 * proctoring-modules.js — loads the proctoring parts the pages mount (web/call/proctor/: the interviewee's agent
 * steps and the interviewer's dashboard). They are loaded, not imported, so a call page still works as a plain
 * call when they are missing or fail to load: the interviewee continues without the agent, and the interviewer
 * sees the raw messages, each page saying so in plain words.
 */

/** The interviewee's agent module: {prepareAgent, forwardAgent, handleInterviewerMessage, showNotice}. */
export async function loadIntervieweeAgent() {
  try {
    return await import("./proctor/interviewee-agent.js");
  } catch (error) {
    console.warn("proctor/interviewee-agent.js did not load:", error);
    return withoutAgentModule();
  }
}

/** What the page does when proctor/interviewee-agent.js is missing: the call goes on, nothing is observed. */
function withoutAgentModule() {
  const showNotice = (root, text) => {
    const notice = document.createElement("p");
    notice.className = "notice notice-info";
    notice.textContent = text;
    root.append(notice);
    return notice;
  };
  return {
    async prepareAgent(root, { onStep } = {}) {
      onStep?.("unavailable");
      const text = document.createElement("p");
      text.textContent = "This interview site has no proctoring check set up. You can continue to the call: nothing "
        + "from this computer is shared beyond your camera, microphone and the screen you choose to share.";
      const go = document.createElement("button");
      go.type = "button";
      go.className = "primary";
      go.dataset.action = "without";
      go.textContent = "Continue to the call";
      root.replaceChildren(text, go);
      await new Promise((resolve) => go.addEventListener("click", resolve, { once: true }));
      return { client: null, calibration: null };
    },
    forwardAgent(client, send) {
      send({ type: "agent-state", state: "absent", reason: "no proctoring on this site" });
      return () => {};
    },
    async handleInterviewerMessage(client, message, { root, send }) {
      const label = String(message.label ?? "");
      if (message.type === "phase") send({ type: "phase-ack", label, error: { code: "no_agent", message: "the interviewee has no agent" } });
      else if (message.type === "report-request") send({ type: "report-declined", reason: "the interviewee has no agent" });
      else if (message.type === "notice" && typeof message.text === "string") showNotice(root, message.text);
      else return false;
      return true;
    },
    showNotice,
  };
}

/** The interviewer's dashboard class: ProctorDashboard(root, {onPhase}) with handle(message). */
export async function loadDashboard() {
  try {
    return (await import("./proctor/dashboard.js")).ProctorDashboard;
  } catch (error) {
    console.warn("proctor/dashboard.js did not load:", error);
    return class RawMessages {
      constructor(root) {
        this.list = document.createElement("ol");
        this.list.className = "raw-messages";
        const note = document.createElement("p");
        note.textContent = "The proctoring dashboard is not installed on this site: the agent's messages are listed as they arrive.";
        root.replaceChildren(note, this.list);
      }
      handle(message) {
        const item = document.createElement("li");
        const event = message.event;
        item.textContent = event ? `${message.type} #${event.seq} ${event.topic}` : `${message.type} ${JSON.stringify(message.gap ?? message.state ?? "")}`;
        this.list.prepend(item);
        while (this.list.children.length > 200) this.list.lastChild.remove();
      }
    };
  }
}
