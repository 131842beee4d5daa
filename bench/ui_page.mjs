// The web UI's cost in Debian's Chromium, for bench/ui: loads ZK_UI_URL (a local-mode controller
// serving ZK_RECORDS records) and measures
//   first_paint_ms  first-contentful-paint of the page
//   table_ms        navigation start → the records table shows "(N)" rows (fetched, parsed, drawn)
//   fetch_ms        the same page fetching /api/v1/records again and JSON.parse-ing it, nothing drawn
//   filter_ms       typing a filter that leaves one row → that row drawn (median of 5)
//   scroll_ms       scrolling to the middle → the rows there drawn (median of 5)
//   js_heap_bytes   the page's JS heap in use after the table is drawn (CDP Performance metrics)
//   dom_rows        <tr> in the table (virtual rows: a few dozen, whatever N is)
//   bytes_shipped   the page's own files (HTML, JS, CSS) as sent, uncompressed
// and prints them as one JSON object. playwright-core comes from ZK_UI_MODULES (node_modules).
import { createRequire } from 'node:module';

const require = createRequire(process.env.ZK_UI_MODULES + '/');
const { chromium } = require('playwright-core');
const URL_UI = process.env.ZK_UI_URL;
const N = Number(process.env.ZK_RECORDS);
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
    '--disable-default-apps', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  let shipped = 0;
  page.on('response', (r) => {
    if (/^\/ui(\/|$)/.test(new URL(r.url()).pathname)) shipped += Number(r.headers()['content-length'] || 0);
  });
  await page.goto(URL_UI, { waitUntil: 'commit' });
  await page.waitForFunction((n) => {
    const t = document.getElementById('record-count').textContent;
    return t === `(${n})`;
  }, N, { timeout: 120000, polling: 'raf' });
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { table: performance.now() - nav.startTime, fcp: fcp ? fcp.startTime : -1 };
  });
  const floors = [];
  for (let i = 0; i < 3; i++) {
    floors.push(await page.evaluate(async () => {
      const t0 = performance.now();
      const res = await fetch('/api/v1/records');
      const doc = JSON.parse(await res.text());
      if (!doc.records.length) throw new Error('no records');
      return performance.now() - t0;
    }));
  }
  const filters = [];
  for (let i = 0; i < 5; i++) {
    const name = `host-${String(1 + (i * 997) % N).padStart(6, '0')}.`;
    const t0 = Date.now();
    await page.fill('#filter', name);
    await page.waitForFunction(() => document.getElementById('record-count').textContent.startsWith('(1 of'),
      null, { polling: 'raf' });
    filters.push(Date.now() - t0);
  }
  await page.fill('#filter', '');
  await page.waitForFunction((n) => document.getElementById('record-count').textContent === `(${n})`, N,
    { polling: 'raf' });
  const scrolls = [];
  for (let i = 0; i < 5; i++) {
    scrolls.push(await page.evaluate(async (frac) => {
      const s = document.getElementById('records-scroll');
      const t0 = performance.now();
      s.scrollTop = s.scrollHeight * frac;
      const box = s.getBoundingClientRect();
      // Drawn when a record row (not a spacer) is under the top of the view.
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        const hit = document.elementFromPoint(box.left + 20, box.top + 60);
        if (hit && hit.closest('tr.record')) return performance.now() - t0;
        if (performance.now() - t0 > 5000) return -1;
      }
    }, 0.2 + 0.15 * i));
  }
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const metrics = (await cdp.send('Performance.getMetrics')).metrics;
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  const domRows = await page.locator('#records tr').count();
  console.log(JSON.stringify({
    records: N, first_paint_ms: Math.round(timing.fcp), table_ms: Math.round(timing.table),
    fetch_ms: Math.round(median(floors)), filter_ms: median(filters), scroll_ms: Math.round(median(scrolls)),
    js_heap_bytes: heap, dom_rows: domRows, bytes_shipped: shipped,
  }));
} finally {
  await browser.close();
}
