/**
 * start-page.js — the first step of both pages: the interview code, from the link's fragment (`#code=...`,
 * which browsers never send to a server) or typed, checked with `POST /api/rooms/check` (docs/call.md). The
 * interviewer also gives the room's secret (`#code=...&secret=...` in the interviewer's link, or typed).
 */

import { callError, CallError } from "./call-errors.js";

/** The code and secret a link carries in its fragment; the fragment is then cleared from the address bar. */
export function codeFromFragment(hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const found = { code: params.get("code") ?? "", secret: params.get("secret") ?? "" };
  if ((found.code || found.secret) && typeof history !== "undefined") history.replaceState(null, "", location.pathname + location.search);
  return found;
}

/** `POST /api/rooms/check`: resolves with {role, room, peers}; rejects with a CallError in plain words. */
export async function checkCode(code, secret, { role } = {}) {
  let response;
  try {
    response = await fetch("/api/rooms/check", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(secret ? { code, secret } : { code }),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw callError("unreachable");
  }
  const body = await response.json().catch(() => null);
  if (response.ok && body?.role) return body;
  const error = body?.error ?? {};
  throw callError(error.code ?? "error", error.message ?? `The call server answered ${response.status}.`, { role, retryAfterMs: error.retryAfterMs });
}

/**
 * Runs the start step in `form` (with inputs #code and, for the interviewer, #secret, and an error line):
 * resolves once a code is accepted for `role`, with {code, secret, check}. A link's code is checked at once.
 */
export function askForRoom({ form, code, secret, error, submit }, role) {
  const fromLink = codeFromFragment();
  code.value = fromLink.code;
  if (secret) secret.value = fromLink.secret;
  return new Promise((resolve) => {
    const attempt = async () => {
      error.hidden = true;
      submit.disabled = true;
      submit.textContent = "Checking…";
      try {
        const check = await checkCode(code.value.trim(), secret?.value.trim(), { role });
        if (check.role !== role) {
          throw new CallError("wrong_role", role === "interviewer"
            ? "This is the interviewee's code. Use the interviewer's link or code from your invitation."
            : "This is the interviewer's code. Use the code from your invitation to the interview.");
        }
        resolve({ code: code.value.trim(), secret: secret?.value.trim() || undefined, check });
      } catch (failure) {
        error.textContent = failure.message;
        error.hidden = false;
        code.focus();
      } finally {
        submit.disabled = false;
        submit.textContent = "Continue";
      }
    };
    form.addEventListener("submit", (event) => { event.preventDefault(); attempt(); });
    if (fromLink.code && (!secret || fromLink.secret)) attempt();
  });
}

/** "Backend interview · 14:00 to 15:30" */
export function describeRoom(room) {
  const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return [room.title, room.startsAt && room.expiresAt ? `${time(room.startsAt)} to ${time(room.expiresAt)}` : ""].filter(Boolean).join(" · ");
}
