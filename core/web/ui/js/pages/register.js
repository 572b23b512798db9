// Register a dispute: find the invoice(s) as you type (number or customer), partial amounts,
// category suggested from the description, channel and contact; the API's validation messages
// appear next to the field they name (details[].field is a JSON pointer into the body).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { money, t, term } from '../i18n.js';
import { ErrorBox, Field, html, navigate, problemsByField } from '../ui.js';
import { channels } from './disputes.js';

export function Register() {
  const [search, setSearch] = useState('');
  const [found, setFound] = useState([]);
  const [chosen, setChosen] = useState([]);  // {invoice, amount}
  const [description, setDescription] = useState('');
  const [categories, setCategories] = useState([]);
  const [category, setCategory] = useState('');
  const [categoryTouched, setCategoryTouched] = useState(false);
  const [suggested, setSuggested] = useState(null);
  const [channel, setChannel] = useState('phone');
  const [contact, setContact] = useState({ name: '', email: '', phone: '' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const timers = useRef({});

  useEffect(() => { api('GET', '/categories').then((r) => { setCategories(r.items); setCategory(r.default); }).catch(() => {}); }, []);

  const debounce = (name, fn) => { clearTimeout(timers.current[name]); timers.current[name] = setTimeout(fn, 200); };
  const onSearch = (e) => {
    const q = e.target.value;
    setSearch(q);
    if (q.trim().length === 0) { setFound([]); return; }
    debounce('search', () => api('GET', '/invoices' + query({ q: q.trim(), limit: 8 })).then((r) => setFound(r.items)).catch(() => setFound([])));
  };
  const onDescription = (e) => {
    const text = e.target.value;
    setDescription(text);
    debounce('suggest', () => api('GET', '/categories/suggestion' + query({ text })).then((r) => {
      setSuggested(r.matched ? r.category : null);
      if (r.matched && !categoryTouched) setCategory(r.category.id);
    }).catch(() => {}));
  };
  const add = (invoice) => {
    if (chosen.some((c) => c.invoice.number === invoice.number)) return;
    setChosen([...chosen, { invoice, amount: invoice.undisputed_amount }]);
    setSearch('');
    setFound([]);
    document.getElementById('invoice-search').focus();
  };
  const remove = (number) => setChosen(chosen.filter((c) => c.invoice.number !== number));
  const setAmount = (number, amount) => setChosen(chosen.map((c) => (c.invoice.number === number ? { ...c, amount } : c)));

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      invoices: chosen.map((c) => ({ number: c.invoice.number, ...(c.amount ? { amount: normaliseAmount(c.amount) } : {}) })),
      description, category, channel,
      contact: Object.fromEntries(Object.entries(contact).filter(([, v]) => v)),
    };
    try {
      const d = await api('POST', '/disputes', body);
      navigate('/disputes/' + encodeURIComponent(d.ref));
    } catch (e) {
      setError(e);
      setBusy(false);
      const first = document.querySelector('[aria-invalid="true"]');
      if (first) first.focus();
    }
  };
  const problems = problemsByField(error);
  const invoiceProblem = problems['/invoices'] || (chosen.length === 0 && problems['']);

  return html`<h1>${t('register.title')}</h1>
    <form onSubmit=${submit} novalidate>
      <${ErrorBox} error=${error} />
      <fieldset>
        <legend>${t('register.invoices')}</legend>
        <${Field} id="invoice-search" label=${t('register.find_invoice')} hint=${t('register.find_hint')} error=${invoiceProblem}>
          ${(a) => html`<input ...${a} type="search" autocomplete="off" value=${search} onInput=${onSearch} aria-controls="invoice-results" />`}
        </${Field}>
        <ul id="invoice-results" class="suggestions" aria-live="polite" aria-label=${t('register.results')}>
          ${found.map((i) => html`<li><button type="button" class="outline" onClick=${() => add(i)}>
            ${i.number} · ${i.customer.name} · ${money(i.amount, i.currency)}${i.active_disputes > 0 ? ' · ' + t('register.already', { amount: money(i.disputed_amount, i.currency) }) : ''}</button></li>`)}
        </ul>
        ${chosen.length > 0 && html`<div class="table-wrap" tabindex="0" role="group" aria-label=${t('table.scrolls')}><table><caption>${t('register.chosen')}</caption>
          <thead><tr><th scope="col">${t('invoice.number')}</th><th scope="col">${t('dispute.customer')}</th><th scope="col">${t('invoice.amount')}</th><th scope="col">${t('register.disputed_amount')}</th><th scope="col"><span class="visually-hidden">${t('register.remove')}</span></th></tr></thead>
          <tbody>${chosen.map((c, n) => html`<tr><th scope="row">${c.invoice.number}</th><td>${c.invoice.customer.name}</td><td>${money(c.invoice.amount, c.invoice.currency)}</td>
            <td><${Field} id=${'amount-' + n} label=${t('register.amount_for', { number: c.invoice.number })} error=${problems['/invoices/' + n + '/amount'] || problems['/invoices/' + n]}>
              ${(a) => html`<input ...${a} inputmode="decimal" value=${c.amount} onInput=${(e) => setAmount(c.invoice.number, e.target.value)} />`}</${Field}></td>
            <td><button type="button" class="secondary outline" onClick=${() => remove(c.invoice.number)}>${t('register.remove')}<span class="visually-hidden"> ${c.invoice.number}</span></button></td></tr>`)}</tbody>
        </table></div>`}
      </fieldset>
      <${Field} id="description" label=${t('dispute.description')} error=${problems['/description']}>
        ${(a) => html`<textarea ...${a} required maxlength="4000" value=${description} onInput=${onDescription}></textarea>`}
      </${Field}>
      <div class="grid">
        <${Field} id="category" label=${t('dispute.category')} error=${problems['/category']}
            hint=${suggested ? t('register.suggested', { name: suggested.name }) : undefined}>
          ${(a) => html`<select ...${a} value=${category} onChange=${(e) => { setCategory(e.target.value); setCategoryTouched(true); }}>
            ${categories.map((c) => html`<option value=${c.id}>${c.name}</option>`)}</select>`}
        </${Field}>
        <${Field} id="channel" label=${t('dispute.channel')} error=${problems['/channel']}>
          ${(a) => html`<select ...${a} value=${channel} onChange=${(e) => setChannel(e.target.value)}>
            ${channels.map((c) => html`<option value=${c}>${term('channel', c)}</option>`)}</select>`}
        </${Field}>
      </div>
      <fieldset>
        <legend>${t('dispute.contact')}</legend>
        <div class="grid">
          <${Field} id="contact-name" label=${t('register.contact_name')} error=${problems['/contact/name']}>
            ${(a) => html`<input ...${a} autocomplete="off" value=${contact.name} onInput=${(e) => setContact({ ...contact, name: e.target.value })} />`}</${Field}>
          <${Field} id="contact-email" label=${t('register.contact_email')} error=${problems['/contact/email']}>
            ${(a) => html`<input ...${a} type="email" autocomplete="off" value=${contact.email} onInput=${(e) => setContact({ ...contact, email: e.target.value })} />`}</${Field}>
          <${Field} id="contact-phone" label=${t('register.contact_phone')} error=${problems['/contact/phone']}>
            ${(a) => html`<input ...${a} type="tel" autocomplete="off" value=${contact.phone} onInput=${(e) => setContact({ ...contact, phone: e.target.value })} />`}</${Field}>
        </div>
      </fieldset>
      <button type="submit" aria-busy=${busy ? 'true' : undefined}>${t('register.submit')}</button>
    </form>`;
}

// "1.250,50" or "1250.5" -> "1250.50": people type amounts the way their language writes them.
function normaliseAmount(text) {
  let s = String(text).trim().replace(/\s/g, '');
  if (s.includes(',') && (!s.includes('.') || s.lastIndexOf(',') > s.lastIndexOf('.'))) s = s.replace(/\./g, '').replace(',', '.');
  else s = s.replace(/,/g, '');
  if (/^\d+$/.test(s)) return s + '.00';
  if (/^\d+\.\d$/.test(s)) return s + '0';
  return s;
}
