// Disputes: filters (status, category, customer text, assignee, overdue, channel, opened
// between) kept in the page's URL, and server-side keyset paging (GET /api/v1/disputes).
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { date, money, number, t, term } from '../i18n.js';
import { ErrorBox, html, Loading, navigate } from '../ui.js';

const statuses = ['open', 'in_progress', 'resolved', 'withdrawn', 'closed'];
export const channels = ['phone', 'email', 'whatsapp', 'portal', 'letter', 'other'];
const pageSize = 25;

export function StatusBadge({ status }) {
  return html`<span class=${'badge ' + status}>${term('status', status)}</span>`;
}

export function DisputeTable({ items, caption }) {
  return html`<div class="table-wrap" tabindex="0" role="group" aria-label=${t('table.scrolls')}><table class="striped">
    <caption>${caption}</caption>
    <thead><tr><th scope="col">${t('dispute.ref')}</th><th scope="col">${t('dispute.customer')}</th><th scope="col">${t('dispute.category')}</th>
      <th scope="col">${t('dispute.status')}</th><th scope="col">${t('dispute.amount')}</th><th scope="col">${t('dispute.opened')}</th></tr></thead>
    <tbody>${items.map((d) => html`<tr>
      <th scope="row"><a href=${'/disputes/' + encodeURIComponent(d.ref)}>${d.ref}</a></th>
      <td>${d.customer.name}</td><td>${term('category', d.category)}</td><td><${StatusBadge} status=${d.status} /></td>
      <td>${money(d.disputed_amount, d.currency)}</td><td>${date(d.opened_at)}</td></tr>`)}</tbody>
  </table></div>`;
}

export function Disputes({ where }) {
  const params = new URLSearchParams(where.search);
  const initial = {};
  for (const k of ['status', 'category', 'q', 'assignee', 'channel', 'from', 'to', 'overdue', 'cursor']) initial[k] = params.get(k) || '';
  const [filters, setFilters] = useState(initial);
  const [categories, setCategories] = useState([]);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [history] = useState(params.get('cursor') ? [''] : []);

  useEffect(() => { api('GET', '/categories').then((r) => setCategories(r.items)).catch(() => {}); }, []);
  useEffect(() => {
    const { cursor, overdue, ...rest } = initial;
    api('GET', '/disputes' + query({ ...rest, overdue: overdue === 'true' ? 'true' : '', cursor, order: 'newest', limit: pageSize, count: 'true' }))
      .then(setPage).catch(setError);
  }, []);

  const apply = (event) => {
    event.preventDefault();
    navigate('/disputes' + query({ ...filters, cursor: '' }));
  };
  const set = (key) => (e) => setFilters({ ...filters, [key]: e.target.type === 'checkbox' ? (e.target.checked ? 'true' : '') : e.target.value });
  const next = () => { history.push(initial.cursor); navigate('/disputes' + query({ ...initial, cursor: page.next_cursor })); };

  return html`<h1>${t('disputes.title')}</h1>
    <form class="filters" onSubmit=${apply} role="search" aria-label=${t('disputes.filters')}>
      <label for="f-q">${t('disputes.search')}<input id="f-q" type="search" value=${filters.q} onInput=${set('q')} maxlength="100" /></label>
      <label for="f-status">${t('dispute.status')}<select id="f-status" value=${filters.status} onChange=${set('status')}>
        <option value="">${t('disputes.any')}</option>${statuses.map((s) => html`<option value=${s}>${term('status', s)}</option>`)}</select></label>
      <label for="f-category">${t('dispute.category')}<select id="f-category" value=${filters.category} onChange=${set('category')}>
        <option value="">${t('disputes.any')}</option>${categories.map((c) => html`<option value=${c.id}>${c.name}</option>`)}</select></label>
      <label for="f-channel">${t('dispute.channel')}<select id="f-channel" value=${filters.channel} onChange=${set('channel')}>
        <option value="">${t('disputes.any')}</option>${channels.map((c) => html`<option value=${c}>${term('channel', c)}</option>`)}</select></label>
      <label for="f-assignee">${t('disputes.assignee')}<input id="f-assignee" value=${filters.assignee} onInput=${set('assignee')} /></label>
      <label for="f-from">${t('disputes.from')}<input id="f-from" type="date" value=${filters.from} onInput=${set('from')} /></label>
      <label for="f-to">${t('disputes.to')}<input id="f-to" type="date" value=${filters.to} onInput=${set('to')} /></label>
      <label for="f-overdue"><input id="f-overdue" type="checkbox" role="switch" checked=${filters.overdue === 'true'} onChange=${set('overdue')} /> ${t('disputes.overdue')}</label>
      <button type="submit">${t('disputes.apply')}</button>
    </form>
    <${ErrorBox} error=${error} />
    ${!page && !error ? html`<${Loading} />` : page && html`
      <p role="status">${t('disputes.total', { n: number(page.total) })}</p>
      ${page.items.length > 0 ? html`<${DisputeTable} items=${page.items} caption=${t('disputes.caption')} />` : html`<p>${t('disputes.none')}</p>`}
      <nav class="pager" aria-label=${t('disputes.pages')}>
        ${initial.cursor && html`<a href=${'/disputes' + query({ ...initial, cursor: '' })}>${t('disputes.first')}</a>`}
        ${page.next_cursor && html`<button type="button" onClick=${next}>${t('disputes.next')}</button>`}
      </nav>`}`;
}
