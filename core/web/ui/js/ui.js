// Shared pieces of the pages: htm bound to Preact, links that route inside the app, status
// lines read out by screen readers, and field errors from the API's `details`.
import { h } from 'preact';
import htm from 'htm';
import { t } from './i18n.js';

export const html = htm.bind(h);

let navigateTo = () => {};
export function setNavigator(fn) { navigateTo = fn; }
export function navigate(path) { navigateTo(path); }

/// The API's field problems by field, as JSON pointers: the contract check names fields
/// "/invoices/0/amount", the engine's own checks "invoices[0].amount"; both land on one key.
export function fieldPointer(field) {
  if (!field || field.startsWith('/')) return field || '';
  return '/' + field.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/');
}

export function problemsByField(error) {
  const out = {};
  for (const d of (error && error.details) || []) {
    const key = fieldPointer(d.field);
    out[key] = out[key] ? out[key] + '; ' + d.problem : d.problem;
  }
  return out;
}

/// A labelled input with its error (aria-invalid + aria-describedby) from the API.
export function Field({ id, label, error, children, hint }) {
  const describedBy = [error ? id + '-error' : null, hint ? id + '-hint' : null].filter(Boolean).join(' ') || undefined;
  return html`<label for=${id}>${label}
    ${children({ id, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy })}
    ${hint && html`<small id=${id + '-hint'}>${hint}</small>`}
  </label>
  ${error && html`<span class="field-error" id=${id + '-error'}>${error}</span>`}`;
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<div class="form-error" role="alert"><p><strong>${t('error.title')}</strong> ${error.message}</p>
    ${error.details && error.details.length > 0 && html`<ul>${error.details.map((d) => html`<li>${d.field ? d.field + ': ' : ''}${d.problem}</li>`)}</ul>`}</div>`;
}

export function Status({ text }) {
  return html`<p class="status-line" role="status" aria-live="polite">${text || ''}</p>`;
}

export function Loading() {
  return html`<p aria-busy="true">${t('loading')}</p>`;
}
