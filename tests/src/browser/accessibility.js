// The console's accessibility check, run in the page through WebDriver
// (a function body: it returns the list of violations, each a sentence).
// Our own, small and dependency-free; see tests/src/browser.rs.
const violations = [];
const describe = (el) => {
  let d = el.tagName.toLowerCase();
  if (el.id) d += "#" + el.id;
  const cls = el.getAttribute("class");
  if (cls) d += "." + cls.trim().split(/\s+/).join(".");
  for (const a of ["name", "type", "href", "action"]) {
    const v = el.getAttribute(a);
    if (v) d += "[" + a + "=" + JSON.stringify(v) + "]";
  }
  const text = (el.textContent || "").trim().replace(/\s+/g, " ");
  if (text) d += " \"" + text.slice(0, 40) + "\"";
  return d;
};
const visible = (el) => {
  const style = getComputedStyle(el);
  if (style.display === "none" || style.visibility === "hidden") return false;
  const rects = el.getClientRects();
  if (!rects.length) return false;
  // Moved off the screen on purpose (the skip link until it is focused).
  const r = el.getBoundingClientRect();
  return r.right > 0 && r.bottom > 0 && r.width > 0 && r.height > 0;
};
// Rendered (reachable by keyboard and screen readers), even if it has no size.
const rendered = (el) => {
  const style = getComputedStyle(el);
  return el.getClientRects().length > 0 && style.visibility !== "hidden";
};
const textOf = (el) => (el.textContent || "").trim();
const labelledBy = (el) =>
  (el.getAttribute("aria-labelledby") || "")
    .split(/\s+/)
    .filter(Boolean)
    .map((id) => document.getElementById(id))
    .some((target) => target && textOf(target));
const named = (el) =>
  (el.getAttribute("aria-label") || "").trim() !== "" || labelledBy(el) || (el.getAttribute("title") || "").trim() !== "";

// The page's language.
if (!(document.documentElement.getAttribute("lang") || "").trim()) {
  violations.push("<html> has no lang attribute");
}
if (!document.title.trim()) violations.push("the page has no <title>");

// Form fields have an accessible name.
for (const field of document.querySelectorAll("input, select, textarea")) {
  const type = (field.getAttribute("type") || "").toLowerCase();
  if (type === "hidden" || !rendered(field)) continue;
  if (type === "submit" || type === "button" || type === "reset") {
    if (!(field.value || "").trim() && !named(field)) violations.push("button without a name: " + describe(field));
    continue;
  }
  const byFor = field.id
    ? Array.from(document.querySelectorAll("label[for]")).some((l) => l.htmlFor === field.id && textOf(l))
    : false;
  const wrapping = field.closest("label");
  if (!byFor && !(wrapping && textOf(wrapping)) && !named(field)) {
    violations.push("form field without a label: " + describe(field));
  }
}

// Buttons, links and images say what they are.
for (const el of document.querySelectorAll("button, a[href], summary, [role=button], [role=link]")) {
  if (!rendered(el)) continue;
  const imageAlt = Array.from(el.querySelectorAll("img[alt]")).some((img) => img.alt.trim());
  const svgTitle = Array.from(el.querySelectorAll("svg title")).some((t) => textOf(t));
  if (!textOf(el) && !named(el) && !imageAlt && !svgTitle) {
    violations.push("button or link without text or aria-label: " + describe(el));
  }
}
for (const img of document.querySelectorAll("img")) {
  if (!img.hasAttribute("alt")) violations.push("image without alt: " + describe(img));
}
for (const svg of document.querySelectorAll("svg[role=img]")) {
  const title = svg.querySelector(":scope > title");
  if (!(title && textOf(title)) && !named(svg)) {
    violations.push("svg[role=img] without a <title> or aria-label: " + describe(svg));
  }
}

// Text contrast, WCAG AA.
const parse = (color) => {
  const m = /rgba?\(([^)]+)\)/.exec(color || "");
  if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
  return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
};
// `top` over `bottom` (opaque).
const blend = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a),
  g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a),
  a: 1,
});
// The colour behind `el`: its own background and its ancestors', the
// translucent ones blended down to the first opaque one (else the canvas, white).
const background = (el) => {
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c && c.a > 0) {
      layers.push(c);
      if (c.a >= 1) break;
    }
  }
  let color = { r: 255, g: 255, b: 255, a: 1 };
  for (let i = layers.length - 1; i >= 0; i--) color = blend(layers[i], color);
  return color;
};
const luminance = (c) => {
  const lin = (v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
};
const ratio = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
const hex = (c) =>
  "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
for (const el of document.querySelectorAll("body *")) {
  const ownText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.nodeValue.trim());
  if (!ownText || el.closest("script, style, title, noscript") || !visible(el)) continue;
  const style = getComputedStyle(el);
  const inSvg = el instanceof SVGElement;
  const fg = parse(inSvg ? style.fill : style.color);
  if (!fg) continue;
  const bg = background(el);
  const shown = fg.a < 1 ? blend(fg, bg) : fg;
  const size = parseFloat(style.fontSize);
  const weight = parseInt(style.fontWeight, 10) || 400;
  const large = size >= 24 || (size >= 18.66 && weight >= 700);
  const needed = large ? 3 : 4.5;
  const got = ratio(shown, bg);
  if (got + 1e-9 < needed) {
    violations.push(
      "contrast " + got.toFixed(2) + ":1 < " + needed + ":1 (" + hex(shown) + " on " + hex(bg) + ", " +
        size + "px): " + describe(el),
    );
  }
}
return violations;
