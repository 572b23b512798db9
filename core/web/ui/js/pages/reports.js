// Reports: the five reports (summary, ageing, lead times, SLA, causes) for one period and
// category, each as a chart and its tables, with CSV downloads of every table.
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { number, t, term } from '../i18n.js';
import { BarChart } from '../chart.js';
import { ErrorBox, html, Loading, navigate } from '../ui.js';

const sum = (rows, key, by) => {
  const out = new Map();
  for (const r of rows) out.set(r[by], (out.get(r[by]) || 0) + (Number(r[key]) || 0));
  return out;
};

// For each report: which section and figures make its chart.
const charts = {
  summary: (s) => { const m = sum(s.by_category_status, 'disputes', 'category'); return { labels: [...m.keys()].map((c) => term('category', c)), series: [{ name: 'disputes', values: [...m.values()] }] }; },
  ageing: (s) => { const m = sum(s.by_category, 'disputes', 'bucket'); return { labels: [...m.keys()], series: [{ name: 'disputes', values: [...m.values()] }] }; },
  'lead-times': (s) => ({ labels: s.by_category.map((r) => term('category', r.category)), series: [{ name: 'median_days', values: s.by_category.map((r) => r.median_days || 0), format: (v) => number(v, 1) }] }),
  sla: (s) => ({ labels: s.by_category.map((r) => term('category', r.category)), series: [{ name: 'met', values: s.by_category.map((r) => r.met) }, { name: 'missed', values: s.by_category.map((r) => r.missed) }] }),
  causes: (s) => ({ labels: s.by_category.map((r) => term('category', r.category)), series: [{ name: 'disputes', values: s.by_category.map((r) => r.disputes) }] }),
};

function cell(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return number(v, 2);
  return String(v);
}

function Section({ report, name, rows, filters }) {
  const columns = rows.length ? Object.keys(rows[0]) : [];
  const id = `${report}-${name}`;
  return html`<div class="table-wrap" tabindex="0" role="group" aria-label=${t('table.scrolls')}><table class="striped">
      <caption id=${id}>${t('report.section.' + name)} <a href=${'/api/v1/reports/' + report + query({ ...filters, format: 'csv', section: name })} download=${report + '-' + name + '.csv'}>${t('report.csv')}<span class="visually-hidden"> (${t('report.section.' + name)})</span></a></caption>
      <thead><tr>${columns.map((c) => html`<th scope="col">${t('report.column.' + c)}</th>`)}</tr></thead>
      <tbody>${rows.length === 0 ? html`<tr><td colspan=${Math.max(1, columns.length)}>${t('report.empty')}</td></tr>` : rows.map((r) => html`<tr>${columns.map((c, i) => (i === 0 ? html`<th scope="row">${c === 'category' ? term('category', r[c]) : cell(r[c])}</th>` : html`<td>${c === 'status' ? term('status', r[c]) : cell(r[c])}</td>`))}</tr>`)}</tbody>
    </table></div>`;
}

export function Reports({ where }) {
  const params = new URLSearchParams(where.search);
  const initial = { from: params.get('from') || '', to: params.get('to') || '', category: params.get('category') || '' };
  const [filters, setFilters] = useState(initial);
  const [categories, setCategories] = useState([]);
  const [reports, setReports] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('GET', '/categories').then((r) => setCategories(r.items)).catch(() => {});
    Promise.all(Object.keys(charts).map((k) => api('GET', '/reports/' + k + query(initial)))).then(setReports).catch(setError);
  }, []);
  const set = (key) => (e) => setFilters({ ...filters, [key]: e.target.value });
  return html`<h1>${t('reports.title')}</h1>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); navigate('/reports' + query(filters)); }} aria-label=${t('reports.filters')}>
      <label for="r-from">${t('disputes.from')}<input id="r-from" type="date" value=${filters.from} onInput=${set('from')} /></label>
      <label for="r-to">${t('disputes.to')}<input id="r-to" type="date" value=${filters.to} onInput=${set('to')} /></label>
      <label for="r-category">${t('dispute.category')}<select id="r-category" value=${filters.category} onChange=${set('category')}>
        <option value="">${t('disputes.any')}</option>${categories.map((c) => html`<option value=${c.id}>${c.name}</option>`)}</select></label>
      <button type="submit">${t('disputes.apply')}</button>
    </form>
    <${ErrorBox} error=${error} />
    ${!reports && !error && html`<${Loading} />`}
    ${reports && reports.map((r) => {
      const chart = charts[r.report](r.sections);
      const summary = chart.labels.map((l, i) => `${l} ${chart.series.map((s) => s.values[i]).join('/')}`).join(', ') || t('report.empty');
      return html`<section aria-labelledby=${'h-' + r.report}>
        <h2 id=${'h-' + r.report}>${t('report.' + r.report)}</h2>
        <p><small>${t('report.explain.' + r.report)}</small></p>
        <${BarChart} labels=${chart.labels} series=${chart.series.map((s) => ({ ...s, name: t('report.column.' + s.name) }))} title=${t('report.' + r.report)} summary=${summary} />
        ${Object.entries(r.sections).map(([name, rows]) => html`<${Section} report=${r.report} name=${name} rows=${rows} filters=${initial} />`)}
      </section>`;
    })}`;
}
