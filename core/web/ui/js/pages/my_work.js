// My work: the signed-in person's open steps (theirs, their roles', escalated to them), overdue
// first, then by deadline; each step's outcomes are buttons that complete it.
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { dateTime, money, t, term } from '../i18n.js';
import { ErrorBox, html, Loading, Status } from '../ui.js';

export function TaskCard({ task, onDone, canAct }) {
  const [comment, setComment] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const id = 'task-' + task.id;
  const complete = async (outcome) => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/disputes/${encodeURIComponent(task.dispute)}/steps/${task.id}/complete`, { outcome, comment });
      onDone(t('work.completed', { step: task.title, dispute: task.dispute, outcome: term('outcome', outcome) }));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return html`<article aria-labelledby=${id + '-title'}>
    <header>
      <h2 id=${id + '-title'}><a href=${'/disputes/' + encodeURIComponent(task.dispute)}>${task.dispute}</a> · ${task.title}</h2>
      <p>${task.customer} · ${money(task.disputed_amount, task.currency)} · ${term('category', task.category)}</p>
    </header>
    <p>${t('work.deadline')}: <time datetime=${task.deadline_at}>${dateTime(task.deadline_at)}</time>
      ${task.overdue && html` <span class="overdue badge">${t('work.overdue')}</span>`}</p>
    ${canAct && html`<label for=${id + '-comment'}>${t('work.comment')}
        <input id=${id + '-comment'} value=${comment} onInput=${(e) => setComment(e.target.value)} maxlength="2000" />
      </label>
      <${ErrorBox} error=${error} />
      <div class="outcomes" role="group" aria-label=${t('work.outcomes_for', { step: task.title })}>
        ${task.outcomes.map((o) => html`<button type="button" disabled=${busy} onClick=${() => complete(o)}>${term('outcome', o)}</button>`)}
      </div>`}
  </article>`;
}

export function MyWork({ session }) {
  const [tasks, setTasks] = useState(null);
  const [error, setError] = useState(null);
  const [message, setMessage] = useState('');
  const load = () => api('GET', '/tasks' + query({ assignee: session.user })).then((r) => setTasks(r.items)).catch(setError);
  useEffect(() => { load(); }, []);
  const canAct = session.role === 'controller' || session.role === 'admin';
  const overdue = tasks ? tasks.filter((x) => x.overdue).length : 0;
  return html`<h1>${t('work.title')}</h1>
    <p>${t('work.intro', { name: session.name })}</p>
    <${Status} text=${message} />
    <${ErrorBox} error=${error} />
    ${tasks === null && !error ? html`<${Loading} />`
      : tasks && tasks.length === 0 ? html`<p>${t('work.empty')}</p>`
      : tasks && html`<p>${t('work.count', { n: tasks.length, overdue })}</p>
        <div class="task-grid">${tasks.map((task) => html`<${TaskCard} key=${task.id} task=${task} canAct=${canAct} onDone=${(m) => { setMessage(m); load(); }} />`)}</div>`}`;
}
