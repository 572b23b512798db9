// The web app as people use it, in Debian's headless Chromium (started by browser_test.py with
// disputed serve, the sandboxes and local accounts). Each test is a sentence a user would agree
// with; screenshots of every page go to $SCREENSHOTS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL;
const GRAPH = process.env.GRAPH_URL;
const PASSWORD = process.env.LOCAL_PASSWORD;
const SHOTS = process.env.SCREENSHOTS;
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let browser;
const state = {};  // what one test leaves for the next (the dispute registered, ...)

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROME_BIN || '/usr/bin/chromium',
    args: ['--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => { await browser?.close(); });

async function newPage({ width = 1280, height = 900, locale = 'en-GB' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale });
  // axe-core comes in through the browser's debugging protocol: the page's CSP (no inline
  // scripts) would rightly refuse a script tag.
  await context.addInitScript({ content: AXE });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/401|Failed to load resource/.test(m.text())) page.errors.push(m.text()); });
  return page;
}

async function signInLocal(page, email, path = '/') {
  await page.goto(BASE + path);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

// axe-core: no serious or critical violation of WCAG 2.1 A/AA or best practice.
async function axe(page, name) {
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`), [],
    `axe on ${name}`);
}

// Tab through the whole page: every control in <main> is reached, in a visible place, and has a
// name; the first stop is the skip link.
async function keyboardWalk(page, name) {
  const controls = await page.evaluate(() => [...document.querySelectorAll(
    'main a[href], main button:not([disabled]), main input:not([type=hidden]):not([disabled]), main select:not([disabled]), main textarea:not([disabled])')]
    .filter((e) => e.offsetParent !== null).length);
  // From the top of the page: the skip link is the first stop (the app moves focus to <main>
  // after each navigation, for screen readers; a keyboard user starts here with Shift+Tab).
  await page.focus('.skip-link');
  const seen = [];
  for (let i = 0; i < 200; i++) {
    if (i > 0) await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const r = e.getBoundingClientRect();
      const label = e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent || e.value || e.title;
      return { tag: e.tagName, inMain: !!e.closest('main'), visible: r.width > 0 && r.height > 0, named: !!(label && label.trim()), text: (label || '').trim().slice(0, 40), key: e.id || e.outerHTML.slice(0, 80) };
    });
    if (!info) break;
    if (seen.length && info.key === seen[0].key && info.text === seen[0].text) break;
    seen.push(info);
  }
  assert.ok(seen.length > 0, `${name}: Tab reaches something`);
  assert.match(seen[0].text, /Skip to content|Naar de inhoud/, `${name}: the first Tab stop is the skip link`);
  for (const s of seen) {
    assert.ok(s.visible, `${name}: focus on an invisible element ${s.key}`);
    assert.ok(s.named, `${name}: a control without a name ${s.key}`);
  }
  const inMain = seen.filter((s) => s.inMain).length;
  assert.ok(inMain >= controls, `${name}: Tab reached ${inMain} of the ${controls} controls in main`);
}

test('a credit controller signs in with a local account, by keyboard only', async () => {
  const page = await newPage();
  await page.goto(BASE + '/');
  await page.getByLabel('E-mail address').waitFor();
  await axe(page, 'sign-in');
  await shot(page, 'sign-in');
  await keyboardWalk(page, 'sign-in');
  await page.keyboard.press('Tab');  // skip link
  await page.getByLabel('E-mail address').focus();
  await page.keyboard.type('anna.jansen@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'My work' }).waitFor();
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'disputed_session');
  assert.ok(session && session.httpOnly && session.sameSite === 'Strict', 'an HttpOnly, SameSite=Strict session cookie');
  assert.equal(await page.evaluate(() => document.cookie), '', 'the page script cannot read the session');
  state.anna = page;
});

test('a wrong password is refused with a message next to the form', async () => {
  const page = await newPage();
  await page.goto(BASE + '/');
  await page.getByLabel('E-mail address').fill('anna.jansen@example.com');
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'wrong e-mail address or password' }).waitFor();
  await page.context().close();
});

test('the reports before a registration, for comparison', async () => {
  const page = state.anna;
  await page.goto(BASE + '/reports');
  await page.getByRole('heading', { name: 'Open and closed disputes by category' }).waitFor();
  state.reportBefore = await administrativeCount(page);
});

async function administrativeCount(page) {
  const rows = page.locator('section[aria-labelledby="h-summary"] table tbody tr');
  await rows.first().waitFor();
  let total = 0;
  for (const text of await rows.allInnerTexts())
    if (text.startsWith('Administrative error')) total += Number(text.split('\t')[3]);
  return total;
}

test('registering a dispute: invoice search as you type, a partial amount, the suggested category, API validation next to the field', async () => {
  const page = state.anna;
  await page.getByRole('link', { name: 'Register a dispute' }).click();
  await page.getByRole('heading', { name: 'Register a dispute' }).waitFor();
  await page.getByLabel('Find an invoice').pressSequentially('INV-2026-004', { delay: 20 });
  const hit = page.locator('#invoice-results button').first();
  await hit.waitFor();
  const number = (await hit.innerText()).split(' · ')[0];
  await hit.click();
  await page.getByLabel(`Disputed amount of ${number}`).fill('99999999.00');
  await page.getByLabel('Description').fill('The VAT number on the invoice is wrong');
  await page.getByText('Suggested from the description: Administrative error').waitFor();
  assert.equal(await page.getByLabel('Category').inputValue(), 'administrative');
  await page.getByLabel('Channel').selectOption('email');
  await page.getByLabel('Name', { exact: true }).fill('Jan de Klant');
  await page.getByLabel('E-mail', { exact: true }).fill('jan@klant.example');
  await axe(page, 'register');
  await keyboardWalk(page, 'register');
  await page.getByRole('button', { name: 'Register dispute' }).click();
  // Too much for the invoice: the API's message appears at the amount field.
  const amountError = page.locator('#amount-0-error');
  await amountError.waitFor();
  assert.equal(await page.getByLabel(`Disputed amount of ${number}`).getAttribute('aria-invalid'), 'true');
  await shot(page, 'register');
  await page.getByLabel(`Disputed amount of ${number}`).fill('120,50');
  await page.getByRole('button', { name: 'Register dispute' }).click();
  const heading = page.getByRole('heading', { name: /^Dispute DSP-\d+/ });
  await heading.waitFor();
  state.ref = (await heading.innerText()).match(/DSP-\d+/)[0];
  state.invoice = number;
  await page.getByText('€120.50').first().waitFor();
});

test('the dispute appears in My work of the assignee, who completes the step there', async () => {
  const page = await newPage();
  await signInLocal(page, 'pieter.devries@example.com');
  const card = page.locator('article').filter({ hasText: state.ref });
  await card.waitFor();
  await axe(page, 'my-work');
  await shot(page, 'my-work');
  await keyboardWalk(page, 'my-work');
  await card.getByLabel('Comment (optional)').fill('Customer sent the correct VAT number');
  // By keyboard: focus the outcome button and press Enter.
  await card.getByRole('button', { name: 'Correction needed' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: `Completed Check the invoice details of ${state.ref}` }).waitFor();
  // The list re-renders after the status line: wait for the card to go (fails on the 30 s timeout).
  await page.locator('article').filter({ hasText: state.ref }).waitFor({ state: 'detached' });
  assert.equal(await page.locator('article').filter({ hasText: state.ref }).count(), 0);
  state.pieter = page;
});

test('the dossier grew and the report changed', async () => {
  const page = state.anna;
  await page.goto(BASE + '/disputes/' + state.ref);
  await page.getByRole('heading', { name: 'Dossier' }).waitFor();
  const entries = page.locator('ol.timeline li');
  await page.getByText('Customer sent the correct VAT number').first().waitFor();
  assert.ok(await entries.count() >= 5, 'registration, hold, confirmation, assignment, completion');
  // The stack has no mail server: the customer's confirmation and management's notice were not
  // sent, and the controller is told so at the top of the dispute, not only deep in the dossier.
  const warning = page.getByRole('region', { name: /^Not sent: \d+ message\(s\)$/ });
  await warning.waitFor();
  const warned = await warning.innerText();
  assert.match(warned, /These people were not told by e-mail/);
  assert.match(warned, /mail undeliverable: Not sent \(dispute_confirmation\): undeliverable: no messaging transport/);
  assert.match(warned, /Not sent \(management_info\)/);
  assert.match(await entries.first().innerText(), /step assigned|step completed|task/i);
  await page.goto(BASE + '/reports');
  await page.getByRole('heading', { name: 'Open and closed disputes by category' }).waitFor();
  assert.equal(await administrativeCount(page), state.reportBefore + 1);
  await axe(page, 'reports');
  await shot(page, 'reports');
  await keyboardWalk(page, 'reports');
  const csv = page.getByRole('link', { name: /Download CSV/ }).first();
  assert.match(await csv.getAttribute('href'), /^\/api\/v1\/reports\/summary\?.*format=csv/);
  const download = await page.context().request.get(BASE + (await csv.getAttribute('href')));
  assert.equal(download.status(), 200);
  assert.match(await download.text(), /^category,status,currency,disputes,disputed_amount/);
});

test('a note and a contact moment are added from the dispute page', async () => {
  const page = state.anna;
  await page.goto(BASE + '/disputes/' + state.ref);
  await page.getByLabel('What was said or done').fill('Called Jan: new invoice on its way');
  await page.getByLabel('Contact moment via').selectOption('phone');
  await page.getByRole('button', { name: 'Add note or contact moment' }).click();
  await page.getByRole('status').filter({ hasText: 'Added to the dossier.' }).waitFor();
  await page.locator('ol.timeline li').filter({ hasText: 'Called Jan' }).waitFor();
  await axe(page, 'dispute');
  await shot(page, 'dispute');
  await keyboardWalk(page, 'dispute');
});

test("a task's link in Microsoft To Do opens the dispute's page after sign-in with the identity provider", async () => {
  // The next step (issue the corrected invoice) is mirrored into To Do by the msgraph connector.
  let link = null;
  for (let i = 0; i < 100 && !link; i++) {
    const st = await (await fetch(GRAPH + '/_sandbox/state')).json();
    for (const t of st.tasks)
      for (const l of t.linkedResources || [])
        if (l.webUrl && l.webUrl.endsWith('/disputes/' + state.ref)) link = l.webUrl;
    if (!link) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(link, 'the To Do task carries a link back');
  assert.equal(link, `${BASE}/disputes/${state.ref}`);
  const page = await newPage();
  await page.goto(link);  // signed out: the sign-in page, which returns here
  await page.getByRole('button', { name: 'Sign in with Microsoft Entra ID (sandbox)' }).click();
  await page.getByLabel('Email, phone, or Skype').fill('karin.meijer@example.com');
  await page.getByLabel('Password').fill('sandbox-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: `Dispute ${state.ref}` }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/disputes/${state.ref}`);
  await page.getByText('Karin Meijer').waitFor();
  await page.getByText('(administrator)').waitFor();
  state.karin = page;
});

test('an identity-provider account without a disputed role is not signed in', async () => {
  await fetch(GRAPH + '/_sandbox/oidc/accounts', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'guest@example.com', password: 'guest-password', name: 'Guest', roles: [] }) });
  const page = await newPage();
  await page.goto(BASE + '/sign-in');
  await page.getByRole('button', { name: /Sign in with/ }).click();
  await page.getByLabel('Email, phone, or Skype').fill('guest@example.com');
  await page.getByLabel('Password').fill('guest-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByText('no disputed role').waitFor();
  await page.context().close();
});

test('operations: connectors and their health, dead letters, and API keys made and revoked', async () => {
  const page = state.karin;
  await page.getByRole('link', { name: 'Operations' }).click();
  await page.getByRole('heading', { name: 'Connectors' }).waitFor();
  await page.getByRole('cell', { name: 'msgraph' }).first().waitFor();
  await page.getByLabel('Name').fill('erp-feed');
  await page.getByLabel('Role').selectOption('integration');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = await page.locator('.key-once').innerText();
  assert.match(key, /^dsp_/);
  const r = await fetch(BASE + '/api/v1/session', { headers: { Authorization: 'Bearer ' + key } });
  assert.equal((await r.json()).role, 'integration');
  await axe(page, 'operations');
  await shot(page, 'operations');
  await keyboardWalk(page, 'operations');
  await page.getByRole('row', { name: /erp-feed/ }).getByRole('button', { name: /Revoke/ }).click();
  await page.getByRole('status').filter({ hasText: 'erp-feed revoked' }).waitFor();
  const again = await fetch(BASE + '/api/v1/session', { headers: { Authorization: 'Bearer ' + key } });
  assert.equal(again.status, 401);
});

test('the disputes list filters and pages on the server', async () => {
  const page = state.anna;
  await page.goto(BASE + '/disputes');
  await page.getByRole('heading', { name: 'Disputes' }).waitFor();
  await page.getByLabel('Category').selectOption('administrative');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByRole('link', { name: state.ref, exact: true }).waitFor();
  assert.match(page.url(), /category=administrative/);
  await axe(page, 'disputes');
  await shot(page, 'disputes');
  await keyboardWalk(page, 'disputes');
});

test('the invoice page shows the hold and its disputes', async () => {
  const page = state.anna;
  await page.goto(BASE + '/invoices/' + encodeURIComponent(state.invoice));
  await page.getByText('on hold', { exact: true }).first().waitFor();
  await page.getByRole('link', { name: state.ref }).first().waitFor();
  await axe(page, 'invoice');
  await shot(page, 'invoice');
  await keyboardWalk(page, 'invoice');
});

test('Dutch from the browser language, English by the switch; amounts and dates follow', async () => {
  const page = await newPage({ locale: 'nl-NL' });
  await signInLocalDutch(page);
  await page.goto(BASE + '/disputes/' + state.ref);
  await page.getByRole('heading', { name: `Geschil ${state.ref}` }).waitFor();
  await page.getByText('€ 120,50').first().waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');
  await axe(page, 'dispute (nl)');
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('heading', { name: `Dispute ${state.ref}` }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
});

async function signInLocalDutch(page) {
  await page.goto(BASE + '/');
  await page.getByLabel('E-mailadres').fill('erik.mulder@example.com');
  await page.getByLabel('Wachtwoord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
  await page.getByRole('heading', { name: 'Mijn werk' }).waitFor();
}

test('a viewer sees no actions, and the pages fit a phone', async () => {
  const page = await newPage({ width: 390, height: 844 });
  await signInLocal(page, 'erik.mulder@example.com', '/disputes/' + state.ref);
  await page.getByRole('heading', { name: `Dispute ${state.ref}` }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Resolve' }).count(), 0);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling on a phone (${overflow}px)`);
  await shot(page, 'dispute-phone');
  await axe(page, 'dispute (phone)');
  for (const [path, ready] of [['/', 'h1'], ['/disputes', 'table'], ['/reports', 'section[aria-labelledby="h-causes"] table'],
                               ['/invoices/' + encodeURIComponent(state.invoice), 'h1']]) {
    await page.goto(BASE + path);
    await page.locator(ready).first().waitFor();
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(wide <= 1, `no sideways scrolling on a phone at ${path} (${wide}px)`);
  }
});

test('resolving from the page releases the hold; reopen and close are offered as the status allows', async () => {
  const page = state.anna;
  await page.goto(BASE + '/disputes/' + state.ref);
  await page.locator('#resolution').selectOption('corrected_invoice');
  await page.getByLabel('Note (e.g. credit note number)').fill('INV-2026-9001');
  await page.getByRole('button', { name: 'Resolve' }).click();
  await page.getByRole('status').filter({ hasText: 'Resolved' }).waitFor();
  await page.getByRole('button', { name: 'Close' }).waitFor();
  await page.getByRole('button', { name: 'Reopen' }).waitFor();
  await page.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('status').filter({ hasText: 'Closed.' }).waitFor();
});

test('signing out ends the session on the server', async () => {
  const page = state.pieter;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('E-mail address').waitFor();
  const r = await page.context().request.get(BASE + '/api/v1/session');
  assert.equal(r.status(), 401);
});

test('no page had a script error', async () => {
  for (const page of [state.anna, state.pieter, state.karin])
    assert.deepEqual(page?.errors ?? [], []);
});
