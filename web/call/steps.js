/**
 * steps.js — the pages' steps: one <section data-step="name"> shown at a time, the current one named on
 * <body data-step> (for styles, and for tests to wait on), focus moved to its heading for keyboard and
 * screen-reader users; and the banner saying why the call ended.
 */

export function showStep(name) {
  for (const section of document.querySelectorAll("section[data-step]")) section.hidden = section.dataset.step !== name;
  document.body.dataset.step = name;
  const heading = document.querySelector(`section[data-step="${name}"] h2`);
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: false });
  }
}

/** Resolves on the next click of `button` (enabled while waiting). */
export function clicked(button) {
  button.disabled = false;
  return new Promise((resolve) => button.addEventListener("click", (event) => resolve(event), { once: true }));
}

/** Shows why the call ended (#call-ended), and marks <body data-ended>. */
export function showCallEnded(text) {
  document.getElementById("call-ended-text").textContent = text;
  document.getElementById("call-ended").hidden = false;
  document.body.dataset.ended = "true";
}
