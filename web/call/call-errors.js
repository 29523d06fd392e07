/**
 * call-errors.js — what to tell a person when the call server says no (docs/call.md: the check's statuses and
 * the signalling close codes). One table, so the start page and the call say the same thing.
 */

/** An error with the server's machine-readable `code` and a sentence for people in `message`. */
export class CallError extends Error {
  /**
   * @param {string} code the server's error code (unknown_code, room_full, ...) or the page's own
   * @param {string} message plain words for the person at the page
   * @param {object} [details] extra fields, e.g. retryAfterMs, closeCode
   */
  constructor(code, message, details = {}) {
    super(message);
    this.name = "CallError";
    this.code = code;
    Object.assign(this, details);
  }
}

const SENTENCES = {
  unknown_code: () => "This code does not belong to any interview. Check it against your invitation and try again.",
  wrong_secret: () => "The interviewer secret is missing or not right for this interview.",
  not_started: () => "This interview has not started yet. You can join from 15 minutes before its start time.",
  expired: () => "This interview is over: its codes have expired.",
  room_full: (role) => `This interview already has an ${role ?? "participant"} connected, in another browser or tab. `
    + "Close that one first, or ask the organiser for help.",
  rate_limited: (_, details) => `Too many attempts from this network. Try again in ${Math.max(1, Math.ceil((details.retryAfterMs ?? 60_000) / 1000))} seconds.`,
  replaced: () => "This interview was opened again in another tab or window, so this one stopped.",
  closed: () => "The organiser closed this interview.",
  bad_request: () => "The page and the call server did not understand each other. Reload the page and try again.",
  unreachable: () => "The call server cannot be reached. Check your internet connection; the page keeps trying.",
  no_peer: () => "The other person is not connected yet.",
  left: () => "You left the interview. Reload this page to join again.", // the page's own: Leave, Signalling.close()
};

/** A CallError for the server's `code`; `role` is the role that was refused (for room_full). */
export function callError(code, serverMessage, { role, ...details } = {}) {
  const sentence = SENTENCES[code]?.(role, details);
  return new CallError(code ?? "error", sentence ?? serverMessage ?? "Something went wrong with the call server.", { serverMessage, ...details });
}

/** The signalling close codes that end the call for good (docs/call.md, signalling step 2 and 5). */
export const FINAL_CLOSE_CODES = new Map([
  [4000, "replaced"], [4400, "bad_request"], [4403, "wrong_secret"], [4404, "unknown_code"], [4409, "room_full"],
  [4410, "expired"], [4425, "not_started"], [4429, "rate_limited"],
]);
