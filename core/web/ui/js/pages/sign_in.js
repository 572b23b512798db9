// Sign-in: a local account (POST /api/v1/session) or the organisation's identity provider
// (/auth/oidc/login, which comes back to the page the person wanted).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { ErrorBox, html } from '../ui.js';

export function SignIn({ where, onSignedIn }) {
  const [options, setOptions] = useState({ local: true, providers: [] });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const wanted = where.path === '/sign-in'
    ? new URLSearchParams(where.search).get('return') || '/'
    : where.path + where.search;

  useEffect(() => { api('GET', '/sign-in-options').then(setOptions).catch(() => {}); }, []);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api('POST', '/session', { email, password }));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return html`<h1>${t('sign_in.title')}</h1>
    <p>${t('sign_in.intro')}</p>
    ${options.providers.map((p) => html`<p><a role="button" href=${'/auth/oidc/login?return=' + encodeURIComponent(wanted)}>${t('sign_in.with', { name: p.name })}</a></p>`)}
    <article>
      <form onSubmit=${submit} aria-labelledby="local-title">
        <h2 id="local-title">${t('sign_in.local')}</h2>
        <${ErrorBox} error=${error} />
        <label for="email">${t('sign_in.email')}
          <input id="email" name="email" type="email" autocomplete="username" required value=${email} onInput=${(e) => setEmail(e.target.value)} />
        </label>
        <label for="password">${t('sign_in.password')}
          <input id="password" name="password" type="password" autocomplete="current-password" required value=${password} onInput=${(e) => setPassword(e.target.value)} />
        </label>
        <button type="submit" aria-busy=${busy ? 'true' : undefined}>${t('sign_in.submit')}</button>
      </form>
    </article>`;
}
