// The app shell: sign-in gate, navigation, language switch, and routing on the real path (so a
// task's link /disputes/DSP-000042 opens that dispute, after sign-in if needed).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken, whenSignedOut } from './api.js';
import { currentLanguage, initialLanguage, languages, loadLanguage, t } from './i18n.js';
import { html, setNavigator } from './ui.js';
import { SignIn } from './pages/sign_in.js';
import { MyWork } from './pages/my_work.js';
import { Disputes } from './pages/disputes.js';
import { Dispute } from './pages/dispute.js';
import { Register } from './pages/register.js';
import { Invoice } from './pages/invoice.js';
import { Reports } from './pages/reports.js';
import { Operations } from './pages/operations.js';

const pages = [
  { path: '/', component: MyWork, nav: 'nav.my_work', match: (p) => p === '/' || p === '/my-work' },
  { path: '/disputes', component: Dispute, match: (p) => /^\/disputes\/[^/]+$/.test(p) },
  { path: '/disputes', component: Disputes, nav: 'nav.disputes', match: (p) => p === '/disputes' },
  { path: '/register', component: Register, nav: 'nav.register', match: (p) => p === '/register', role: ['controller', 'admin'] },
  { path: '/invoices', component: Invoice, match: (p) => /^\/invoices\/[^/]+$/.test(p) },
  { path: '/reports', component: Reports, nav: 'nav.reports', match: (p) => p === '/reports' },
  { path: '/operations', component: Operations, nav: 'nav.operations', match: (p) => p === '/operations', role: ['admin'] },
];

function location() { return { path: window.location.pathname, search: window.location.search }; }

function App() {
  const [where, setWhere] = useState(location());
  const [session, setSession] = useState(undefined);  // undefined: asking; null: signed out
  const [lang, setLang] = useState(currentLanguage());

  useEffect(() => {
    const go = (to) => {
      if (to !== window.location.pathname + window.location.search) window.history.pushState({}, '', to);
      setWhere(location());
    };
    setNavigator(go);
    const onPop = () => setWhere(location());
    const onClick = (event) => {
      const a = event.target.closest && event.target.closest('a[href]');
      if (!a || a.target || a.hasAttribute('download') || event.defaultPrevented || event.button !== 0 ||
          event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const url = new URL(a.href);
      if (url.origin !== window.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/auth/')) return;
      event.preventDefault();
      go(url.pathname + url.search);
    };
    window.addEventListener('popstate', onPop);
    document.addEventListener('click', onClick);
    whenSignedOut(() => { setCsrfToken(null); setSession(null); });
    api('GET', '/session').then((s) => { setCsrfToken(s.csrf_token); setSession(s); }).catch(() => setSession(null));
    return () => { window.removeEventListener('popstate', onPop); document.removeEventListener('click', onClick); };
  }, []);

  // Move focus to the page's heading after each navigation (screen readers hear the new page).
  useEffect(() => {
    const main = document.getElementById('main');
    if (main && session) main.focus();
    const page = pages.find((p) => p.match(where.path));
    document.title = (page && page.nav ? t(page.nav) + ' · ' : '') + 'disputed';
  }, [where.path, session && session.user]);

  const switchLanguage = async () => {
    const next = lang === 'nl' ? 'en' : 'nl';
    await loadLanguage(next);
    setLang(next);
  };
  const signOut = async () => {
    try { await api('DELETE', '/session'); } catch (e) { /* ended already */ }
    setCsrfToken(null);
    const idp = session && session.sign_out_url;
    setSession(null);
    if (idp) window.location.assign(idp);
  };

  const other = lang === 'nl' ? 'en' : 'nl';
  const languageButton = html`<button type="button" class="secondary outline" onClick=${switchLanguage}
      lang=${other} aria-label=${t('language.switch_to.' + other)}>${t('language.name.' + other)}</button>`;

  if (session === undefined) return html`<main class="container" id="main" tabindex="-1"><p aria-busy="true">${t('loading')}</p></main>`;
  if (session === null)
    return html`<a class="skip-link" href="#main">${t('skip')}</a>
      <header class="app-header container"><nav aria-label=${t('nav.label')}><ul><li class="brand">disputed</li></ul><ul><li>${languageButton}</li></ul></nav></header>
      <main class="container" id="main" tabindex="-1"><${SignIn} where=${where} lang=${lang} onSignedIn=${(s) => { setCsrfToken(s.csrf_token); setSession(s); if (where.path === '/sign-in') { const back = new URLSearchParams(where.search).get('return'); window.history.replaceState({}, '', back && back.startsWith('/') && !back.startsWith('//') ? back : '/'); setWhere(location()); } }} /></main>`;

  const visible = pages.filter((p) => p.nav && (!p.role || p.role.includes(session.role)));
  const page = pages.find((p) => p.match(where.path)) || (where.path === '/sign-in' ? pages[0] : null);
  const allowed = page && (!page.role || page.role.includes(session.role));
  const Component = page && allowed ? page.component : null;
  return html`<a class="skip-link" href="#main">${t('skip')}</a>
    <header class="app-header container">
      <nav aria-label=${t('nav.label')}>
        <ul><li class="brand"><a href="/" aria-label=${t('nav.home')}>disputed</a></li></ul>
        <ul>${visible.map((p) => html`<li><a href=${p.path} aria-current=${page === p ? 'page' : undefined}>${t(p.nav)}</a></li>`)}</ul>
        <ul>
          <li class="who"><span>${session.name}</span> <small>(${t('role.' + session.role)})</small></li>
          <li>${languageButton}</li>
          <li><button type="button" class="secondary" onClick=${signOut}>${t('sign_out')}</button></li>
        </ul>
      </nav>
    </header>
    <main class="container" id="main" tabindex="-1" key=${where.path + where.search + lang}>
      ${Component ? html`<${Component} session=${session} where=${where} lang=${lang} />`
                  : html`<h1>${page ? t('forbidden.title') : t('not_found.title')}</h1><p>${page ? t('forbidden.text') : t('not_found.text')}</p><p><a href="/">${t('nav.my_work')}</a></p>`}
    </main>`;
}

loadLanguage(initialLanguage()).then(() => render(html`<${App} />`, document.getElementById('app')));
