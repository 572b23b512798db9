// An invoice: collectable or on hold (and for which disputes since when), its holds and their
// releases with the new due dates, and its disputes.
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { date, dateTime, money, t } from '../i18n.js';
import { ErrorBox, html, Loading } from '../ui.js';
import { DisputeTable } from './disputes.js';

export function Invoice({ where }) {
  const number = decodeURIComponent(where.path.split('/')[2]);
  const [invoice, setInvoice] = useState(null);
  const [disputes, setDisputes] = useState([]);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('GET', '/invoices/' + encodeURIComponent(number)).then(setInvoice).catch(setError);
    api('GET', '/disputes' + query({ invoice: number, order: 'newest', limit: 50 })).then((r) => setDisputes(r.items)).catch(() => {});
  }, []);
  if (!invoice) return html`<h1>${t('invoice.title', { number })}</h1>${error ? html`<${ErrorBox} error=${error} />` : html`<${Loading} />`}`;
  return html`<h1>${t('invoice.title', { number: invoice.number })}
      ${invoice.collectable ? html` <span class="badge collectable">${t('invoice.collectable')}</span>` : html` <span class="badge on-hold">${t('invoice.on_hold')}</span>`}</h1>
    <dl class="facts">
      <dt>${t('dispute.customer')}</dt><dd>${invoice.customer.name} (${invoice.customer.id})</dd>
      <dt>${t('invoice.amount')}</dt><dd>${money(invoice.amount, invoice.currency)}</dd>
      <dt>${t('invoice.issued')}</dt><dd>${date(invoice.issue_date)}</dd>
      <dt>${t('invoice.due')}</dt><dd>${date(invoice.due_date)}</dd>
      <dt>${t('invoice.original_due')}</dt><dd>${date(invoice.original_due_date)}</dd>
      <dt>${t('invoice.account_manager')}</dt><dd>${invoice.account_manager || '–'}</dd>
    </dl>
    <section aria-labelledby="holds-h"><h2 id="holds-h">${t('invoice.holds')}</h2>
      ${invoice.hold_history.length === 0 ? html`<p>${t('invoice.no_holds')}</p>` : html`<div class="table-wrap" tabindex="0" role="group" aria-label=${t('table.scrolls')}><table>
        <caption class="visually-hidden">${t('invoice.holds')}</caption>
        <thead><tr><th scope="col">${t('dispute.ref')}</th><th scope="col">${t('invoice.placed')}</th><th scope="col">${t('invoice.released')}</th><th scope="col">${t('invoice.new_due')}</th></tr></thead>
        <tbody>${invoice.hold_history.map((h) => html`<tr><th scope="row"><a href=${'/disputes/' + encodeURIComponent(h.dispute)}>${h.dispute}</a></th>
          <td>${dateTime(h.placed_at)}</td><td>${h.released_at ? dateTime(h.released_at) + (h.release_reason ? ' (' + h.release_reason + ')' : '') : t('invoice.active')}</td>
          <td>${h.new_due_date ? date(h.new_due_date) : '–'}</td></tr>`)}</tbody></table></div>`}
    </section>
    <section aria-labelledby="inv-disputes-h"><h2 id="inv-disputes-h">${t('invoice.disputes')}</h2>
      ${disputes.length ? html`<${DisputeTable} items=${disputes} caption=${t('invoice.disputes')} />` : html`<p>${t('disputes.none')}</p>`}
    </section>`;
}
