// Page timings of the web app in Debian's headless Chromium (bench/web_bench.sh starts the
// server on a database with 100,000 disputes). For the disputes list, the list's 10th page,
// a filtered list, a dispute, My work and the reports: first contentful paint and the moment the
// page's data is on screen (its table rows, its dossier), from navigation start, over N runs.
//
//   node bench/web_pages.mjs BASE_URL EMAIL PASSWORD RUNS
import { chromium } from 'playwright-core';

const [base, email, password, runsText] = process.argv.slice(2);
const runs = Number(runsText || 10);
const browser = await chromium.launch({
  executablePath: process.env.CHROME_BIN || '/usr/bin/chromium',
  args: ['--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
await page.goto(base + '/');
await page.getByLabel('E-mail address').fill(email);
await page.getByLabel('Password').fill(password);
await page.getByRole('button', { name: 'Sign in', exact: true }).click();
await page.getByRole('button', { name: 'Sign out' }).waitFor();

// The 10th page of the list: follow next_cursor nine times through the API.
let cursor = '';
for (let i = 0; i < 9; i++) {
  const r = await page.evaluate(async (c) => (await fetch(`/api/v1/disputes?order=newest&limit=25${c ? '&cursor=' + c : ''}`)).json(), cursor);
  cursor = r.next_cursor;
}
const someRef = (await page.evaluate(async () => (await fetch('/api/v1/disputes?order=newest&limit=1&status=in_progress')).json())).items[0].ref;

const pages = [
  { name: 'disputes list (first page, total counted)', path: '/disputes', ready: 'table tbody tr' },
  { name: 'disputes list, 10th page', path: `/disputes?cursor=${cursor}`, ready: 'table tbody tr' },
  { name: 'disputes list filtered (category + status + text)', path: '/disputes?category=price&status=open&q=Customer', ready: 'table tbody tr, main p[role=status]' },
  { name: `dispute page (${someRef})`, path: `/disputes/${someRef}`, ready: 'ol.timeline li' },
  { name: 'my work', path: '/', ready: 'main p' },
  { name: 'reports (five reports)', path: '/reports', ready: 'section[aria-labelledby="h-causes"] table' },
];

function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  const at = (p) => v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)];
  return `median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, max ${v[v.length - 1].toFixed(0)} ms`;
}

console.log(`| page | first contentful paint | data on screen |`);
console.log(`| --- | --- | --- |`);
for (const p of pages) {
  const paint = [], ready = [];
  for (let i = 0; i < runs + 1; i++) {
    await page.goto(base + p.path, { waitUntil: 'commit' });
    await page.locator(p.ready).first().waitFor();
    const t = await page.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      now: performance.now(),
    }));
    if (i === 0) continue;  // warm-up
    paint.push(t.fcp);
    ready.push(t.now);
  }
  console.log(`| ${p.name} | ${stats(paint)} | ${stats(ready)} |`);
}
await browser.close();
