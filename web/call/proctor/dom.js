// dom.js: the one helper the proctoring modules build their DOM with. Text goes in as text nodes, never as
// HTML, so nothing the agent or the other peer sends can inject markup; no style attributes (strict CSP):
// looks come from classes in proctor.css, positions from the CSSOM or SVG attributes.

/** el("p", {class: "note", "data-kind": "x"}, "text", child, ...): an element with attributes and children. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attributes);
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

const SVG = "http://www.w3.org/2000/svg";

/** svg("rect", {x: 1, ...}): an SVG element (no children but text). */
export function svg(tag, attributes = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  setAttributes(node, attributes);
  if (text !== null) node.textContent = text;
  return node;
}

function setAttributes(node, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
}

/** "12 s", "3 min 4 s": a duration in plain words. */
export function duration(seconds) {
  if (!Number.isFinite(seconds)) return "unknown";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}

/** A score figure as the report writes it: whole numbers bare, else two decimals at most. */
export function figure(value) {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}
