// Dutch and English: the browser's language picks one, a switch changes it (remembered in this
// browser). Messages are data (/static/i18n/<lang>.json); dates, amounts and currencies are
// formatted by Intl for the chosen language, in the browser's own time zone.
const catalogues = {};
let lang = 'en';

export const languages = ['en', 'nl'];
const locales = { en: 'en-GB', nl: 'nl-NL' };

export function initialLanguage() {
  let stored = null;
  try { stored = localStorage.getItem('disputed.lang'); } catch (e) { /* storage off */ }
  if (languages.includes(stored)) return stored;
  const wanted = (navigator.languages || [navigator.language || 'en']).map((l) => l.toLowerCase());
  for (const w of wanted) {
    if (w.startsWith('nl')) return 'nl';
    if (w.startsWith('en')) return 'en';
  }
  return 'en';
}

export async function loadLanguage(next) {
  if (!catalogues[next]) {
    const r = await fetch(`/static/i18n/${next}.json`);
    catalogues[next] = await r.json();
  }
  lang = next;
  document.documentElement.lang = next;
  try { localStorage.setItem('disputed.lang', next); } catch (e) { /* storage off */ }
}

export function currentLanguage() { return lang; }

export function t(key, vars) {
  let text = (catalogues[lang] && catalogues[lang][key]) || (catalogues.en && catalogues.en[key]) || key;
  if (vars) for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
  return text;
}

/// A code from the API (status, channel, resolution...) in words, or the code itself.
export function term(kind, code) {
  if (code === null || code === undefined) return '';
  const key = `${kind}.${code}`;
  const text = t(key);
  return text === key ? String(code).replace(/[_-]/g, ' ') : text;
}

export function money(amount, currency) {
  const n = Number(amount);
  if (!Number.isFinite(n)) return String(amount);
  try {
    return new Intl.NumberFormat(locales[lang], { style: 'currency', currency: currency || 'EUR' }).format(n);
  } catch (e) {
    return `${currency} ${amount}`;
  }
}

export function number(n, digits = 0) {
  if (n === null || n === undefined) return '–';
  return new Intl.NumberFormat(locales[lang], { maximumFractionDigits: digits }).format(n);
}

export function dateTime(instant) {
  if (!instant) return '–';
  return new Intl.DateTimeFormat(locales[lang], { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(instant));
}

export function date(text) {
  if (!text) return '–';
  const d = text.length === 10 ? new Date(text + 'T12:00:00Z') : new Date(text);
  return new Intl.DateTimeFormat(locales[lang], { dateStyle: 'medium', timeZone: text.length === 10 ? 'UTC' : undefined }).format(d);
}
