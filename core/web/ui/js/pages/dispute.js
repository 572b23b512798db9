// A dispute: invoices and amounts, holds (collection paused), the workflow with the current step
// (and its external task's link and state), deadlines, the dossier timeline, and the actions:
// complete a step, add a note or contact moment, resolve, withdraw, reopen, close.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { date, dateTime, money, t, term } from '../i18n.js';
import { ErrorBox, html, Loading, Status } from '../ui.js';
import { channels, StatusBadge } from './disputes.js';

const resolutions = ['credit_note', 'corrected_invoice', 'rejected'];

function ActionForm({ id, title, submitLabel, onSubmit, children, danger }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };
  return html`<form onSubmit=${submit} aria-labelledby=${id}>
    <h3 id=${id}>${title}</h3>
    <${ErrorBox} error=${error} />
    ${children}
    <button type="submit" class=${danger ? 'secondary' : undefined} aria-busy=${busy ? 'true' : undefined}>${submitLabel}</button>
  </form>`;
}

function StepActions({ dispute, step, act }) {
  const [comment, setComment] = useState('');
  const [error, setError] = useState(null);
  const id = 'step-' + step.id;
  const complete = async (outcome) => {
    setError(null);
    try {
      await act('POST', `/steps/${step.id}/complete`, { outcome, comment }, t('dispute.step_completed', { step: step.title, outcome: term('outcome', outcome) }));
    } catch (e) { setError(e); }
  };
  return html`<section aria-labelledby=${id}>
    <h3 id=${id}>${t('dispute.complete_step', { step: step.title })}</h3>
    <label for=${id + '-comment'}>${t('work.comment')}<textarea id=${id + '-comment'} maxlength="2000" value=${comment} onInput=${(e) => setComment(e.target.value)}></textarea></label>
    <${ErrorBox} error=${error} />
    <div class="outcomes" role="group" aria-label=${t('work.outcomes_for', { step: step.title })}>
      ${(step.outcomes || []).map((o) => html`<button type="button" onClick=${() => complete(o)}>${term('outcome', o)}</button>`)}
    </div>
  </section>`;
}

function External({ step }) {
  if (step.target === 'internal') return html`${t('dispute.internal')}`;
  const label = `${step.target}: ${term('external', step.external_status)}`;
  return step.external_url
    ? html`<a href=${step.external_url} rel="noopener noreferrer" target="_blank">${label}<span class="visually-hidden"> ${t('opens_new_window')}</span></a>`
    : html`${label}`;
}

export function Dispute({ session, where }) {
  const ref = decodeURIComponent(where.path.split('/')[2]);
  const [dispute, setDispute] = useState(null);
  const [timeline, setTimeline] = useState([]);
  const [error, setError] = useState(null);
  const [message, setMessage] = useState('');
  const [note, setNote] = useState({ text: '', channel: '', direction: 'inbound' });
  const [resolution, setResolution] = useState({ resolution: 'credit_note', note: '' });
  const [withdrawNote, setWithdrawNote] = useState('');
  const [reason, setReason] = useState('');
  const base = '/disputes/' + encodeURIComponent(ref);
  const load = () => Promise.all([api('GET', base), api('GET', base + '/timeline')])
    .then(([d, tl]) => { setDispute(d); setTimeline(tl.items); setError(null); })
    .catch(setError);
  useEffect(() => { load(); }, []);
  const act = async (method, path, body, done) => {
    await api(method, base + path, body);
    setMessage(done);
    await load();
  };
  const canRun = session.role === 'controller' || session.role === 'admin';
  const canNote = session.role !== 'viewer';
  if (!dispute) return html`<h1>${ref}</h1>${error ? html`<${ErrorBox} error=${error} />` : html`<${Loading} />`}`;
  // Messages that did not reach their person: per message (action key), the last word of the
  // dossier is a failure (a dead letter) or "undeliverable" (no transport, no address). A dead
  // letter replayed and sent later no longer counts.
  const lastWord = new Map();
  for (const e of timeline) {
    if (e.kind === 'message_sent' || e.kind === 'message_failed' || e.kind === 'message_undeliverable')
      lastWord.set((e.payload && e.payload.action_key) || e.id, e);
  }
  const undelivered = [...lastWord.values()].filter((e) => e.kind !== 'message_sent');
  const active = dispute.status === 'open' || dispute.status === 'in_progress';
  const ended = dispute.status === 'resolved' || dispute.status === 'withdrawn';
  const open = dispute.steps.filter((s) => s.status === 'open');

  return html`<h1>${t('dispute.title', { ref: dispute.ref })} <${StatusBadge} status=${dispute.status} /></h1>
    <${Status} text=${message} />
    <${ErrorBox} error=${error} />
    <dl class="facts">
      <dt>${t('dispute.customer')}</dt><dd>${dispute.customer.name} (${dispute.customer.id})</dd>
      <dt>${t('dispute.category')}</dt><dd>${term('category', dispute.category)}</dd>
      <dt>${t('dispute.amount')}</dt><dd>${money(dispute.disputed_amount, dispute.currency)}</dd>
      <dt>${t('dispute.channel')}</dt><dd>${term('channel', dispute.channel)}</dd>
      <dt>${t('dispute.contact')}</dt><dd>${[dispute.contact.name, dispute.contact.email, dispute.contact.phone].filter(Boolean).join(' · ') || '–'}</dd>
      <dt>${t('dispute.opened')}</dt><dd>${dateTime(dispute.opened_at)} · ${dispute.reported_by}</dd>
      <dt>${t('dispute.due')}</dt><dd>${dateTime(dispute.due_at)}</dd>
      ${dispute.resolution && html`<dt>${t('dispute.resolution')}</dt><dd>${term('resolution', dispute.resolution)} ${dispute.resolution_note}</dd>`}
      <dt>${t('dispute.description')}</dt><dd>${dispute.description}</dd>
    </dl>

    ${undelivered.length > 0 && html`<section class="warning" aria-labelledby="undelivered-h">
      <h2 id="undelivered-h">${t('dispute.undelivered', { count: undelivered.length })}</h2>
      <p>${t('dispute.undelivered_text')}</p>
      <ul>${undelivered.map((e) => html`<li><time datetime=${e.at}>${dateTime(e.at)}</time> · ${term('kind', e.kind)}: ${e.summary}</li>`)}</ul>
    </section>`}

    <section aria-labelledby="invoices-h"><h2 id="invoices-h">${t('dispute.invoices')}</h2>
      <div class="table-wrap" tabindex="0" role="group" aria-label=${t('table.scrolls')}><table><caption class="visually-hidden">${t('dispute.invoices')}</caption>
        <thead><tr><th scope="col">${t('invoice.number')}</th><th scope="col">${t('dispute.disputed_amount')}</th><th scope="col">${t('invoice.collection')}</th></tr></thead>
        <tbody>${dispute.invoices.map((i) => {
          const hold = dispute.active_holds.find((h) => h.invoice === i.number);
          return html`<tr><th scope="row"><a href=${'/invoices/' + encodeURIComponent(i.number)}>${i.number}</a></th>
            <td>${money(i.disputed_amount, dispute.currency)}</td>
            <td>${hold ? html`<span class="badge on-hold">${t('invoice.on_hold_since', { date: date(hold.placed_at) })}</span>` : t('invoice.no_hold')}</td></tr>`;
        })}</tbody></table></div>
    </section>

    <section aria-labelledby="workflow-h"><h2 id="workflow-h">${t('dispute.workflow')}</h2>
      <div class="table-wrap" tabindex="0" role="group" aria-label=${t('table.scrolls')}><table><caption class="visually-hidden">${t('dispute.workflow')}</caption>
        <thead><tr><th scope="col">${t('step.title')}</th><th scope="col">${t('step.assignee')}</th><th scope="col">${t('step.status')}</th>
          <th scope="col">${t('step.deadline')}</th><th scope="col">${t('step.outcome')}</th><th scope="col">${t('step.task')}</th></tr></thead>
        <tbody>${dispute.steps.map((s) => html`<tr aria-current=${s.status === 'open' ? 'step' : undefined}>
          <th scope="row">${s.title}</th><td>${s.assignee}${s.escalated_to ? ' → ' + s.escalated_to : ''}</td>
          <td>${term('step_status', s.status)}</td>
          <td><time datetime=${s.deadline_at}>${dateTime(s.deadline_at)}</time>${s.status === 'open' && new Date(s.deadline_at) < new Date() ? html` <span class="overdue">${t('work.overdue')}</span>` : ''}</td>
          <td>${s.outcome ? term('outcome', s.outcome) : '–'}${s.comment ? html`<br /><small>${s.comment}</small>` : ''}</td>
          <td><${External} step=${s} /></td></tr>`)}</tbody></table></div>
      ${canRun && active && open.map((s) => html`<${StepActions} key=${s.id} dispute=${dispute} step=${s} act=${act} />`)}
    </section>

    ${(canNote || canRun) && html`<section aria-labelledby="actions-h"><h2 id="actions-h">${t('dispute.actions')}</h2>
      ${canNote && html`<${ActionForm} id="note-h" title=${t('dispute.add_note')} submitLabel=${t('dispute.add_note')}
          onSubmit=${async () => { await act('POST', '/notes', { text: note.text, ...(note.channel ? { channel: note.channel, direction: note.direction } : {}) }, t('dispute.note_added')); setNote({ text: '', channel: '', direction: 'inbound' }); }}>
        <label for="note-text">${t('dispute.note_text')}<textarea id="note-text" required maxlength="4000" value=${note.text} onInput=${(e) => setNote({ ...note, text: e.target.value })}></textarea></label>
        <div class="grid">
          <label for="note-channel">${t('dispute.contact_channel')}<select id="note-channel" value=${note.channel} onChange=${(e) => setNote({ ...note, channel: e.target.value })}>
            <option value="">${t('dispute.internal_note')}</option>${channels.map((c) => html`<option value=${c}>${term('channel', c)}</option>`)}</select></label>
          <label for="note-direction">${t('dispute.direction')}<select id="note-direction" disabled=${!note.channel} value=${note.direction} onChange=${(e) => setNote({ ...note, direction: e.target.value })}>
            <option value="inbound">${term('direction', 'inbound')}</option><option value="outbound">${term('direction', 'outbound')}</option></select></label>
        </div>
      </${ActionForm}>`}
      ${canRun && active && html`<${ActionForm} id="resolve-h" title=${t('dispute.resolve')} submitLabel=${t('dispute.resolve')}
          onSubmit=${() => act('POST', '/resolve', resolution, t('dispute.resolved'))}>
        <label for="resolution">${t('dispute.resolution')}<select id="resolution" value=${resolution.resolution} onChange=${(e) => setResolution({ ...resolution, resolution: e.target.value })}>
          ${resolutions.map((r) => html`<option value=${r}>${term('resolution', r)}</option>`)}</select></label>
        <label for="resolution-note">${t('dispute.resolution_note')}<input id="resolution-note" maxlength="2000" value=${resolution.note} onInput=${(e) => setResolution({ ...resolution, note: e.target.value })} /></label>
      </${ActionForm}>
      <${ActionForm} id="withdraw-h" title=${t('dispute.withdraw')} submitLabel=${t('dispute.withdraw')} danger=${true}
          onSubmit=${() => act('POST', '/withdraw', { note: withdrawNote }, t('dispute.withdrawn'))}>
        <label for="withdraw-note">${t('dispute.withdraw_note')}<input id="withdraw-note" maxlength="2000" value=${withdrawNote} onInput=${(e) => setWithdrawNote(e.target.value)} /></label>
      </${ActionForm}>`}
      ${canRun && (ended || dispute.status === 'closed') && html`<${ActionForm} id="reopen-h" title=${t('dispute.reopen')} submitLabel=${t('dispute.reopen')}
          onSubmit=${() => act('POST', '/reopen', { reason }, t('dispute.reopened'))}>
        <label for="reopen-reason">${t('dispute.reopen_reason')}<input id="reopen-reason" required maxlength="2000" value=${reason} onInput=${(e) => setReason(e.target.value)} /></label>
      </${ActionForm}>`}
      ${canRun && ended && html`<${ActionForm} id="close-h" title=${t('dispute.close')} submitLabel=${t('dispute.close')} danger=${true}
          onSubmit=${() => act('POST', '/close', undefined, t('dispute.closed'))}><p>${t('dispute.close_text')}</p></${ActionForm}>`}
    </section>`}

    <section aria-labelledby="timeline-h"><h2 id="timeline-h">${t('dispute.timeline')}</h2>
      <ol class="timeline" reversed>
        ${[...timeline].reverse().map((e) => html`<li>
          <div class="meta"><time datetime=${e.at}>${dateTime(e.at)}</time> · ${e.actor} · ${term('kind', e.kind)}${e.channel ? ' · ' + term('channel', e.channel) : ''}${e.direction !== 'internal' ? ' · ' + term('direction', e.direction) : ''}</div>
          <div>${e.summary}</div></li>`)}
      </ol>
    </section>`;
}
