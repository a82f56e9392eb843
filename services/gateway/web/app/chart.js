// chart — small horizontal bar charts in plain SVG, drawn from figures the page already has.
// Each chart is an <figure> with a caption and an SVG role="img" whose accessible name says
// what it shows; the same figures are printed as text beside each bar, so nothing is only in
// the picture. Not for: anything interactive.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const COLOURS = ['#0b5d3b', '#1f5fd6', '#a4161a', '#7a4a00', '#5b3f8c', '#00707a'];

// items: [{label, value: Number, text: formatted value}]
export function barChart(title, items) {
  const width = 640;
  const row = 30;
  const labelW = 220;
  const valueW = 150;
  const height = Math.max(1, items.length) * row + 10;
  const max = Math.max(1, ...items.map((i) => i.value));
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': title },
    s('title', {}, title));
  items.forEach((item, k) => {
    const y = 5 + k * row;
    const w = Math.max(item.value > 0 ? 2 : 0, Math.round(((width - labelW - valueW) * item.value) / max));
    svg.append(s('text', { x: 0, y: y + 19 }, item.label),
      s('rect', { x: labelW, y: y + 4, width: w, height: row - 10, fill: COLOURS[k % COLOURS.length], rx: 2 }),
      s('text', { x: labelW + w + 6, y: y + 19 }, item.text));
  });
  return h('figure', { class: 'chart card' }, h('figcaption', {}, h('strong', {}, title)), svg);
}
