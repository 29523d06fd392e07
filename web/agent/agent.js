// The agent's own page: polls GET /local/status every second and shows the person at the machine the
// pairing code, the connected pages, what each of them receives, the paired sessions, the plugins, and which
// signals the plugins see on this desktop and which only the page reports.
// No framework; each section is rebuilt only when its data changed, so focus and selection survive polling.

const POLL_INTERVAL_MS = 1_000;
const FETCH_TIMEOUT_MS = 3_000;

// The agent's own topics (docs/events.md). /local/status lists plugins' topics only, so they are named here.

const byId = (id) => document.getElementById(id);
const lastRendered = new Map();

// --- DOM helpers ------------------------------------------------------------------------------------------

/** Makes an element: el("td", {class: "x"}, "text", otherNode). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined || value === null) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** Replaces a section's content when, and only when, what it shows changed. */
function renderIfChanged(containerId, data, build) {
  const key = JSON.stringify(data);
  if (lastRendered.get(containerId) === key) return;
  lastRendered.set(containerId, key);
  byId(containerId).replaceChildren(build(data));
}

function emptyNote(text) {
  return el("p", { class: "empty" }, text);
}

function table(caption, headers, rows) {
  return el("table", {},
    el("caption", { class: "visually-hidden" }, caption),
    el("thead", {}, el("tr", {}, headers.map((header) => el("th", { scope: "col" }, header)))),
    el("tbody", {}, rows));
}

// --- time -------------------------------------------------------------------------------------------------

function clockTime(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function dateTime(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

function sinceText(iso) {
  const minutes = Math.floor((Date.now() - Date.parse(iso)) / 60_000);
  if (minutes < 1) return "less than a minute ago";
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min ago`;
}

function countdownText(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

// --- topics -----------------------------------------------------------------------------------------------

/** Whether a subscription pattern covers a topic: "*" all, "gaze.*" everything under gaze., or exact. */
function patternMatches(pattern, topic) {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) return topic.startsWith(pattern.slice(0, -1));
  return pattern === topic;
}

/** For one page: each source (plugin or the agent) and the topics of it that reach the page. */
function sharedWith(page, plugins) {
  // The agent lists itself as the source "host" (plugin.state, bus.dropped).
  const sources = plugins.map((plugin) => ({ ...plugin, topics: plugin.topics ?? [] }));
  return sources
    .map((source) => ({
      source,
      topics: source.topics.filter((topic) => page.topics.some((pattern) => patternMatches(pattern, topic))),
    }))
    .filter((entry) => entry.topics.length > 0);
}

/** Patterns that reach no topic of any plugin present now (they may match a plugin added later). */
function unmatchedPatterns(page, plugins) {
  const known = plugins.flatMap((plugin) => plugin.topics ?? []);
  return page.topics.filter((pattern) => pattern !== "*" && !known.some((topic) => patternMatches(pattern, topic)));
}

function pageLabel(page) {
  return page.client ? `${page.client} (${page.origin})` : page.origin;
}

// --- sections ---------------------------------------------------------------------------------------------

function renderAgent(status) {
  byId("agent-status").textContent = "running";
  byId("agent-status").className = "pill pill-ok";
  byId("agent-version").textContent = `version ${status.agent?.version ?? "?"}`;
}

function renderPairing(pairing) {
  const code = pairing.code ?? "";
  byId("pairing-code").textContent = code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
  byId("pairing-code").setAttribute("aria-label", `Pairing code ${code.split("").join(" ")}`);
  const secondsLeft = (Date.parse(pairing.expires_at) - Date.now()) / 1000;
  byId("pairing-expiry").textContent =
    `Valid for ${countdownText(secondsLeft)} more (until ${clockTime(pairing.expires_at)}), and for one pairing only. ` +
    "A new code then appears here.";
  const locks = pairing.locked || [];
  byId("pairing-code").classList.toggle("locked", locks.length > 0);
  const locked = byId("pairing-locked");
  locked.hidden = locks.length === 0;
  byId("pairing-unlock").hidden = locks.length === 0;
  locked.textContent = locks.map((lock) =>
    `Pairing from ${lock.origin} is locked for ${lock.seconds_left} s: it sent too many wrong codes. `).join("") +
    (locks.length ? "Pages from other sites can still pair. If that was not you, a page you did not expect is trying to connect." : "");
}

function buildShared({ pages, plugins }) {
  const paired = pages.filter((page) => page.identified);
  if (paired.length === 0) return emptyNote("Nothing: no page is paired and connected right now.");
  return el("ul", { class: "shared" }, paired.map((page) => buildSharedPage(page, plugins)));
}

function buildSharedPage(page, plugins) {
  const entries = sharedWith(page, plugins);
  const unmatched = unmatchedPatterns(page, plugins);
  return el("li", {},
    el("h3", {}, pageLabel(page)),
    page.topics.includes("*")
      ? el("p", { class: "note" }, "This page asked for everything, including what plugins started later will report.")
      : null,
    entries.length === 0
      ? emptyNote("Receives nothing: it has not subscribed to any topic that is being reported.")
      : el("ul", { class: "sources" }, entries.map(({ source, topics }) =>
        el("li", {},
          el("span", { class: "source" }, source.name ?? source.id),
          " — ",
          topics.map((topic, index) => [index ? ", " : "", el("code", {}, topic)])))),
    unmatched.length
      ? el("p", { class: "note" }, "Also asked for ", unmatched.map((pattern, index) => [index ? ", " : "", el("code", {}, pattern)]),
        ": no running plugin reports that now.")
      : null);
}

function buildPages(pages) {
  if (pages.length === 0) return emptyNote("No page is connected.");
  return table("Connected pages", ["Page", "Status", "Subscribed to", "Connected"],
    pages.map((page) => el("tr", {},
      el("td", {}, page.client ? [el("strong", {}, page.client), el("br"), page.origin] : page.origin),
      el("td", {}, page.identified
        ? el("span", { class: "pill pill-ok" }, "paired")
        : el("span", { class: "pill pill-wait" }, "waiting for the code")),
      el("td", {}, page.topics.length ? page.topics.map((topic, index) => [index ? ", " : "", el("code", {}, topic)]) : "nothing"),
      el("td", {}, el("time", { datetime: page.connected_at, title: dateTime(page.connected_at) }, sinceText(page.connected_at))))));
}

function buildSessions(sessions) {
  byId("revoke-all").hidden = sessions.length < 2;
  if (sessions.length === 0) return emptyNote("No page is paired.");
  return table("Paired pages", ["Page", "Paired", "Pairing expires", ""],
    sessions.map((session) => el("tr", {},
      el("td", {}, session.client ? [el("strong", {}, session.client), el("br"), session.origin] : session.origin),
      el("td", {}, el("time", { datetime: session.created_at }, dateTime(session.created_at))),
      el("td", {}, el("time", { datetime: session.token_expires_at }, dateTime(session.token_expires_at))),
      el("td", {}, el("button", {
        type: "button", class: "danger",
        "aria-label": `Revoke ${session.client ?? session.origin}`,
        onclick: () => revoke(session.session, session.client ?? session.origin),
      }, "Revoke")))));
}

function buildAsking(origins) {
  const asking = origins?.asking ?? [];
  if (asking.length === 0) return emptyNote("No site is waiting: every page that tried to connect is allowed or ignored.");
  return table("Sites asking to connect", ["Site", "Tried", ""],
    asking.map((site) => el("tr", {},
      el("td", {}, el("strong", {}, site.origin)),
      el("td", {}, `${site.attempts} time${site.attempts === 1 ? "" : "s"}, last `,
        el("time", { datetime: site.last_seen, title: dateTime(site.last_seen) }, clockTime(site.last_seen))),
      el("td", { class: "actions" },
        el("button", { type: "button", "aria-label": `Allow ${site.origin}`, onclick: () => chooseOrigin("allow", site.origin) }, "Allow this site"),
        " ",
        el("button", { type: "button", "aria-label": `Ignore ${site.origin}`, onclick: () => chooseOrigin("ignore", site.origin) }, "Ignore")))));
}

function buildAllowed(origins) {
  const rows = [
    ...(origins?.configured ?? []).map((origin) => ({ origin, by: "the config file (api.allowed_origins)" })),
    ...(origins?.seeded ?? []).map((seed) => ({ origin: seed.origin, by: seed.file })),
    ...(origins?.allowed ?? []).map((origin) => ({ origin, by: "you", removable: true })),
  ];
  if (rows.length === 0) return emptyNote("No site is allowed yet.");
  return table("Allowed sites", ["Site", "Allowed by", ""],
    rows.map((row) => el("tr", {},
      el("td", {}, row.origin),
      el("td", {}, row.by),
      el("td", {}, row.removable
        ? el("button", { type: "button", class: "danger", "aria-label": `Remove ${row.origin}`, onclick: () => chooseOrigin("remove", row.origin) }, "Remove")
        : null))));
}

const STATE_WORDS = {
  running: "running", starting: "starting", degraded: "running, partly blind", crashed: "crashed, will retry",
  held: "stopped after repeated crashes", stopping: "stopping", stopped: "stopped", failed: "failed",
};

function buildPlugins(plugins) {
  if (plugins.length === 0) return emptyNote("No plugin is configured.");
  return table("Plugins", ["Plugin", "State", "Reports"],
    plugins.map((plugin) => el("tr", {},
      el("td", {}, el("strong", {}, plugin.name ?? plugin.id), plugin.version ? ` ${plugin.version}` : ""),
      el("td", {},
        el("span", { class: `pill ${plugin.state === "running" ? "pill-ok" : "pill-warn"}` }, STATE_WORDS[plugin.state] ?? plugin.state),
        plugin.reason ? el("p", { class: "reason" }, plugin.reason) : null),
      el("td", {}, (plugin.topics ?? []).map((topic, index) => [index ? ", " : "", el("code", {}, topic)])))));
}

const SOURCE_WORDS = { desktop: "seen on the desktop", page: "reported by the page only", none: "not observed here" };

function buildSignals(signals) {
  if (!signals?.signals) return emptyNote("Unknown.");
  return el("div", {},
    el("p", {}, `Desktop: ${signals.name} (${signals.desktop})`),
    table("Signals", ["Signal", "Source", "Topics"],
      signals.signals.map((row) => el("tr", { "data-signal": row.signal }, el("td", {}, row.what),
        el("td", {}, el("span", { class: `pill ${row.source === "desktop" ? "pill-ok" : "pill-warn"}` }, SOURCE_WORDS[row.source] ?? row.source)),
        el("td", {}, row.topics.map((topic, index) => [index ? ", " : "", el("code", {}, topic)]))))));
}

function render(status) {
  renderAgent(status);
  renderPairing(status.pairing ?? {});
  const pages = status.clients ?? [];
  const plugins = status.plugins ?? [];
  renderIfChanged("shared-list", { pages, plugins }, buildShared);
  // "connected N min ago" changes each minute: the minute is part of what is shown.
  renderIfChanged("pages-list", { pages, minute: Math.floor(Date.now() / 60_000) }, (data) => buildPages(data.pages));
  renderIfChanged("sessions-list", status.sessions ?? [], buildSessions);
  renderIfChanged("plugins-list", plugins, buildPlugins);
  renderIfChanged("signals-list", status.signals ?? null, buildSignals);
  renderIfChanged("origins-asking", status.origins ?? {}, buildAsking);
  renderIfChanged("origins-allowed", status.origins ?? {}, buildAllowed);
}

function showOffline(offline) {
  byId("offline").hidden = !offline;
  if (!offline) return;
  byId("agent-status").textContent = "not answering";
  byId("agent-status").className = "pill pill-bad";
  byId("pairing-code").textContent = "– – –";
  byId("pairing-expiry").textContent = "No code while the agent is not answering.";
  byId("pairing-locked").hidden = true;
  byId("pairing-unlock").hidden = true;
  byId("revoke-all").hidden = true;
  // Stale lists would claim pages are connected: say plainly that nothing is known now.
  lastRendered.clear();
  for (const id of ["shared-list", "pages-list", "sessions-list", "plugins-list", "signals-list", "origins-asking", "origins-allowed"]) {
    byId(id).replaceChildren(emptyNote("Unknown while the agent is not answering."));
  }
}

// --- actions ----------------------------------------------------------------------------------------------

/** Revokes one session (or all, with no id); the agent disconnects the page at once. */
async function revoke(sessionId, label) {
  const result = byId("revoke-result");
  const query = sessionId ? `?session=${encodeURIComponent(sessionId)}` : "";
  try {
    const response = await fetch(`/local/sessions/revoke${query}`, { method: "POST", cache: "no-store", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error((await response.text()).trim() || `HTTP ${response.status}`);
    const { revoked = [] } = await response.json();
    result.textContent = revoked.length === 0
      ? "Nothing to revoke: that pairing had already ended."
      : `Revoked ${sessionId ? label : `${revoked.length} pairing${revoked.length === 1 ? "" : "s"}`}. ` +
        "It is disconnected and must ask for a new code.";
  } catch (error) {
    result.textContent = `Could not revoke: ${error.message}`;
  }
  await poll();
  // The button pressed may be gone with its row: keep keyboard focus on the outcome, not lost on the page.
  if (!document.activeElement || document.activeElement === document.body) result.focus();
}

/** Ends the pairing locks that wrong codes caused (the person at the machine decides). */
async function unlockPairing() {
  const result = byId("pairing-locked");
  try {
    const response = await fetch("/local/pairing/unlock", { method: "POST", cache: "no-store", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error((await response.text()).trim() || `HTTP ${response.status}`);
  } catch (error) {
    result.textContent = `Could not end the lock: ${error.message}`;
    return;
  }
  await poll();
}

const ORIGIN_OUTCOMES = {
  allowed: (origin) => `${origin} may now ask for the pairing code. Reload the interview page if it is waiting.`,
  alreadyAllowed: (origin) => `${origin} was already allowed.`,
  ignored: (origin) => `${origin} stays refused and is no longer listed here.`,
  removed: (origin) => `${origin} is no longer allowed.`,
  notListed: (origin) => `${origin} was not on the list.`,
};

/** Allows, ignores or removes a site (the person at the machine decides). */
async function chooseOrigin(choice, origin) {
  const result = byId("origins-result");
  try {
    const response = await fetch(`/local/origins/${choice}?origin=${encodeURIComponent(origin)}`,
      { method: "POST", cache: "no-store", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error((await response.text()).trim() || `HTTP ${response.status}`);
    const answer = await response.json();
    result.textContent = (ORIGIN_OUTCOMES[answer.change] ?? (() => `${answer.change}`))(answer.origin);
  } catch (error) {
    result.textContent = `Could not change ${origin}: ${error.message}`;
  }
  await poll();
  if (!document.activeElement || document.activeElement === document.body) result.focus();
}

function revokeAll() {
  if (window.confirm("Disconnect every paired page? Each will have to ask for a new code.")) revoke(null);
}

// --- polling ----------------------------------------------------------------------------------------------

async function poll() {
  try {
    const response = await fetch("/local/status", { cache: "no-store", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const status = await response.json();
    showOffline(false);
    render(status);
  } catch {
    showOffline(true);
  }
}

/** Polls once a second, never two requests at a time. */
async function pollForever() {
  for (;;) {
    const started = Date.now();
    await poll();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, POLL_INTERVAL_MS - (Date.now() - started))));
  }
}

byId("revoke-all").addEventListener("click", revokeAll);
byId("pairing-unlock").addEventListener("click", unlockPairing);
pollForever();
