// Operations (admin): connector instances and their health, dead letters with replay, and the
// REST API's keys (make one — shown once —, revoke).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { dateTime, t } from '../i18n.js';
import { ErrorBox, Field, html, problemsByField, Status } from '../ui.js';

const roles = ['viewer', 'integration', 'controller', 'admin'];

export function Operations() {
  const [health, setHealth] = useState(null);
  const [connectors, setConnectors] = useState([]);
  const [dead, setDead] = useState([]);
  const [keys, setKeys] = useState([]);
  const [error, setError] = useState(null);
  const [message, setMessage] = useState('');
  const [newKey, setNewKey] = useState({ name: '', role: 'integration' });
  const [made, setMade] = useState(null);
  const [keyError, setKeyError] = useState(null);
  const load = () => Promise.all([
    api('GET', '/healthz').then(setHealth),
    api('GET', '/connectors').then((r) => setConnectors(r.items)),
    api('GET', '/dead-letters').then((r) => setDead(r.items)),
    api('GET', '/api-keys').then((r) => setKeys(r.items)),
  ]).catch(setError);
  useEffect(() => { load(); }, []);
  const replay = async (d) => {
    try { await api('POST', `/dead-letters/${d.id}/replay`); setMessage(t('ops.replayed', { key: d.action_key })); load(); } catch (e) { setError(e); }
  };
  const revoke = async (k) => {
    try { await api('DELETE', '/api-keys/' + encodeURIComponent(k.name)); setMessage(t('ops.revoked', { name: k.name })); load(); } catch (e) { setError(e); }
  };
  const create = async (event) => {
    event.preventDefault();
    setKeyError(null);
    try {
      const k = await api('POST', '/api-keys', newKey);
      setMade(k);
      setNewKey({ name: '', role: 'integration' });
      load();
    } catch (e) { setKeyError(e); }
  };
  const problems = problemsByField(keyError);
  return html`<h1>${t('ops.title')}</h1>
    <${Status} text=${message} />
    <${ErrorBox} error=${error} />
    ${health && html`<p>${t('ops.health')}: <strong>${health.status}</strong> · ${t('ops.version')} ${health.version} · ${t('ops.schema')} ${health.schema_version}</p>`}
    <section aria-labelledby="conn-h"><h2 id="conn-h">${t('ops.connectors')}</h2>
      ${connectors.length === 0 ? html`<p>${t('ops.no_connectors')}</p>` : html`<div class="table-wrap" tabindex="0" role="group" aria-label=${t('table.scrolls')}><table class="striped">
        <caption class="visually-hidden">${t('ops.connectors')}</caption>
        <thead><tr><th scope="col">${t('ops.instance')}</th><th scope="col">${t('ops.plugin')}</th><th scope="col">${t('ops.state')}</th><th scope="col">${t('ops.last_poll')}</th>
          <th scope="col">${t('ops.applied')}</th><th scope="col">${t('ops.pending')}</th><th scope="col">${t('ops.dead')}</th><th scope="col">${t('ops.last_error')}</th></tr></thead>
        <tbody>${connectors.map((c) => html`<tr><th scope="row">${c.name}</th><td>${c.plugin}</td><td>${c.state}</td><td>${dateTime(c.last_poll_at)}</td>
          <td>${c.applied}</td><td>${c.pending}</td><td>${c.dead_letters}</td><td>${c.last_error || '–'}</td></tr>`)}</tbody></table></div>`}
    </section>
    <section aria-labelledby="dead-h"><h2 id="dead-h">${t('ops.dead_letters')}</h2>
      ${dead.length === 0 ? html`<p>${t('ops.no_dead')}</p>` : html`<div class="table-wrap" tabindex="0" role="group" aria-label=${t('table.scrolls')}><table class="striped">
        <caption class="visually-hidden">${t('ops.dead_letters')}</caption>
        <thead><tr><th scope="col">${t('ops.action')}</th><th scope="col">${t('ops.instance')}</th><th scope="col">${t('ops.attempts')}</th><th scope="col">${t('ops.last_error')}</th><th scope="col"><span class="visually-hidden">${t('ops.replay')}</span></th></tr></thead>
        <tbody>${dead.map((d) => html`<tr><th scope="row">${d.action_key}</th><td>${d.instance}</td><td>${d.attempts}</td><td>${d.last_error || '–'}</td>
          <td><button type="button" onClick=${() => replay(d)}>${t('ops.replay')}<span class="visually-hidden"> ${d.action_key}</span></button></td></tr>`)}</tbody></table></div>`}
    </section>
    <section aria-labelledby="keys-h"><h2 id="keys-h">${t('ops.api_keys')}</h2>
      <div class="table-wrap" tabindex="0" role="group" aria-label=${t('table.scrolls')}><table class="striped">
        <caption class="visually-hidden">${t('ops.api_keys')}</caption>
        <thead><tr><th scope="col">${t('ops.key_name')}</th><th scope="col">${t('ops.key_role')}</th><th scope="col">${t('ops.key_prefix')}</th><th scope="col">${t('ops.last_used')}</th><th scope="col">${t('ops.key_state')}</th><th scope="col"><span class="visually-hidden">${t('ops.revoke')}</span></th></tr></thead>
        <tbody>${keys.map((k) => html`<tr><th scope="row">${k.name}</th><td>${t('role.' + k.role)}</td><td><code>${k.prefix}…</code></td><td>${dateTime(k.last_used_at)}</td>
          <td>${k.revoked_at ? t('ops.revoked_at', { at: dateTime(k.revoked_at) }) : t('ops.active')}</td>
          <td>${!k.revoked_at && html`<button type="button" class="secondary" onClick=${() => revoke(k)}>${t('ops.revoke')}<span class="visually-hidden"> ${k.name}</span></button>`}</td></tr>`)}</tbody></table></div>
      <form onSubmit=${create} aria-labelledby="newkey-h">
        <h3 id="newkey-h">${t('ops.new_key')}</h3>
        <${ErrorBox} error=${keyError} />
        <div class="grid">
          <${Field} id="key-name" label=${t('ops.key_name')} error=${problems['/name'] || problems.name}>
            ${(a) => html`<input ...${a} required maxlength="64" value=${newKey.name} onInput=${(e) => setNewKey({ ...newKey, name: e.target.value })} />`}</${Field}>
          <${Field} id="key-role" label=${t('ops.key_role')} error=${problems['/role'] || problems.role}>
            ${(a) => html`<select ...${a} value=${newKey.role} onChange=${(e) => setNewKey({ ...newKey, role: e.target.value })}>${roles.map((r) => html`<option value=${r}>${t('role.' + r)}</option>`)}</select>`}</${Field}>
        </div>
        <button type="submit">${t('ops.create_key')}</button>
      </form>
      ${made && html`<article role="alert"><p>${t('ops.key_once', { name: made.name })}</p><p class="key-once">${made.key}</p></article>`}
    </section>`;
}
