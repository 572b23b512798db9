// A bar chart as SVG (no chart library): one or two series over labels. Charts are pictures for
// people who see them; the same figures are always in a table beside it, and the SVG carries a
// text summary (role="img" + aria-label).
import { html } from './ui.js';

export function BarChart({ labels, series, title, summary }) {
  const width = 640;
  const barArea = 24 * Math.max(1, labels.length) * Math.max(1, series.length) + 8 * labels.length;
  const height = Math.max(80, barArea + 20);
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => Number(v) || 0)));
  const left = 170;
  const scale = (width - left - 60) / max;
  let y = 10;
  const bars = [];
  labels.forEach((label, i) => {
    bars.push(html`<text x=${left - 8} y=${y + 16} text-anchor="end">${String(label).slice(0, 24)}</text>`);
    series.forEach((s, k) => {
      const v = Number(s.values[i]) || 0;
      bars.push(html`<rect class=${'bar' + k} x=${left} y=${y} width=${Math.max(1, v * scale)} height="20"></rect>
        <text x=${left + Math.max(1, v * scale) + 4} y=${y + 15}>${s.format ? s.format(v) : v}</text>`);
      y += 24;
    });
    y += 8;
  });
  return html`<figure>
    <svg class="chart" viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${title + ': ' + summary}>
      <line class="axis" x1=${left} y1="4" x2=${left} y2=${height - 4}></line>${bars}
    </svg>
    ${series.length > 1 && html`<figcaption class="legend">${series.map((s, k) => html`<span class=${'k' + k}>${s.name}</span>`)}</figcaption>`}
  </figure>`;
}
