// plain.js: what the interviewee is told, in plain words. The interviewee always knows what is shared: when
// the agent does something to their screen or raises something the interviewer will see, the page says so
// (noticeFor), and it explains the agent's failures (adviceFor, after web/README.md "What to tell the
// interviewee") and the calibration's accuracy (accuracyInWords). Pure: no DOM.

/** Per integrity rule: what the interviewer is told about, as the interviewee would say it. */
const RULE_WORDS = {
  look_away: "you looked away from the screen for a while",
  repeated_glances: "you glanced toward the same place off the screen several times",
  face_absent: "your face was out of the camera's view",
  multiple_faces: "the camera saw more than one face",
  voice_in_quiet_phase: "a voice was heard while the interviewer asked for quiet",
  microphone_capture: "another program used the microphone",
  clipboard_paste: "something was copied from another application into the call",
  focus_away: "another window had the focus instead of the call page",
  fullscreen_left: "the call page left full screen",
  page_fullscreen_left: "the call page left full screen",
  share_not_monitor: "the shared screen is not one whole monitor",
  extra_monitor: "more than one monitor is connected",
  remote_control: "a remote-control or assistant program is running",
  virtual_camera: "the camera looks like a virtual one",
  virtual_machine: "the interview seems to run inside a virtual machine",
  screen_locked: "the screen was locked",
  plugin_down: "a part of the proctoring agent stopped observing",
  heartbeat_gap: "the proctoring agent stopped for a moment",
  page_away: "the call page was hidden or not in focus",
};

/**
 * The notice an agent event calls for, or null: {text, kind} with kind "info" | "shared" | "warning".
 * Only what changes the interviewee's situation: an alert when raised (not its updates), full screen put back
 * or given up, a plugin that stopped observing. Everything else is shared silently, as the agent's page lists.
 */
export function noticeFor(event) {
  const data = event?.data ?? {};
  switch (event?.topic) {
    case "alert": {
      if (data.state !== "raised") return null;
      const what = RULE_WORDS[data.rule] ?? `the rule "${data.rule}" noted something`;
      return { kind: "shared", text: `The interviewer will see this: ${what} (${data.message}).` };
    }
    case "screen.reactivated":
      if (data.result === "restored") {
        return { kind: "info", text: "The proctoring agent put the interview back in full screen. The interviewer will see that it had left full screen." };
      }
      if (data.result === "gave_up") {
        return { kind: "warning", text: "The proctoring agent could not put the interview back in full screen. Please make the call window full screen again (F11)." };
      }
      return null;
    case "plugin.state":
      if (["crashed", "failed", "degraded"].includes(data.state)) {
        return { kind: "warning", text: `A part of the proctoring agent (${data.plugin}) stopped observing. The interviewer sees that it is "not observed", not that anything is wrong.` };
      }
      return null;
    default:
      return null;
  }
}

/** web/README.md, "What to tell the interviewee", for a ProctorClientError. */
export function adviceFor(error, { agentPage = "http://127.0.0.1:47615/" } = {}) {
  const code = error?.code ?? "unknown";
  switch (code) {
    case "agent_unreachable":
      return "The proctoring agent is not running on this computer. Start it and try again.";
    case "local_network_access_denied":
      return "Your browser blocked the connection to the agent. Click the icon left of the address, open the site settings, set \"Local network access\" to Allow, and reload this page.";
    case "agent_refused":
      return `The agent on this computer does not accept this interview site yet. Open ${agentPage} (the agent's page), choose "Allow this site" under "Sites asking to connect", then try again.`;
    case "auth_failed":
      return `That code was not right${error.triesLeft !== undefined ? ` (${error.triesLeft} tries left)` : ""}. Check the code on the agent's page and try again.`;
    case "pairing_locked":
      return `Too many wrong codes. Try again in ${error.lockedForSeconds ?? 60} seconds.`;
    case "session_revoked":
      return "You disconnected this page from the agent. Connect again: a new code is needed.";
    case "unsupported_protocol":
      return "The agent on this computer is too old or too new for this page. Update it.";
    case "pairing_cancelled":
      return "Pairing was cancelled.";
    default:
      return `The agent could not be reached (${code}${error?.message ? `: ${error.message}` : ""}).`;
  }
}

/** docs/gaze.md, web/README.md: without a distance the plugin assumes 60 cm. */
export const DEFAULT_DISTANCE_MM = 600;

const RATING_WORDS = {
  good: "good: the interviewer can tell which part of the screen, down to a paragraph, you look at",
  fair: "fair: the interviewer can tell which part of the screen (a quarter, a side) you look at",
  poor: "rough: the interviewer can tell only roughly where you look, and whether you look at the screen",
};

/**
 * "Your gaze is placed within about 3 cm on the screen (good: ...)". The error angle seen from the viewing
 * distance is a length on the screen: distance × tan(angle).
 */
export function accuracyInWords(result, { distanceMm = DEFAULT_DISTANCE_MM } = {}) {
  const degrees = Number(result?.accuracy_deg);
  if (!Number.isFinite(degrees)) return "The calibration finished, but its accuracy is not known.";
  const cm = (distanceMm * Math.tan((degrees * Math.PI) / 180)) / 10;
  const within = cm < 1 ? "within 1 cm" : `within about ${Math.round(cm)} cm`;
  const rating = RATING_WORDS[result.rating] ? ` (${RATING_WORDS[result.rating]})` : "";
  return `Your gaze is placed ${within} on the screen${rating}.`;
}

/** The proctor channel's agent-state names (docs/call.md) for the client's states (proctor-client.js). */
export function channelState(clientState) {
  switch (clientState) {
    case "identified": return "connected";
    case "connecting": case "reconnecting": return "reconnecting";
    case "pairing": return "unpaired";
    default: return "absent";
  }
}
