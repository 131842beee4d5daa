// The web UI in Debian's Chromium (headless, no sandbox, background networking off), against
// the e2e session's controller on the real API server and BIND 9. Run by test_17_ui.py, which
// prepares the namespace, zone, records and tokens and passes them in the environment:
//   ZK_UI_URL       http://127.0.0.1:PORT/ui
//   ZK_TOKEN_VIEWER, ZK_TOKEN_OPERATOR, ZK_TOKEN_NOBODY   ServiceAccount tokens
//   ZK_NS, ZK_ZONE  the namespace and DNS zone of the test (ZK_ZONE without the trailing dot)
//   ZK_ZONE_OBJECT  the DNSZone "ns/name"
//   ZK_DNS_PORT     the primary named's port on 127.0.0.1
//   ZK_KUBECTL, ZK_KUBECONFIG   kubectl and the admin kubeconfig (to apply a record "by hand")
//   ZK_SHOTS        where the screenshots go (a CI artifact)
// Prints one JSON object per step ({"step": ..., ...}) and exits non-zero on the first failure.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const URL_UI = env('ZK_UI_URL');
const NS = env('ZK_NS');
const ZONE = env('ZK_ZONE');
const ZONE_OBJECT = env('ZK_ZONE_OBJECT');
const DNS_PORT = env('ZK_DNS_PORT');
const SHOTS = env('ZK_SHOTS');
const TIMEOUT = 20000;
mkdirSync(SHOTS, { recursive: true });

const report = (step, extra) => console.log(JSON.stringify(Object.assign({ step }, extra || {})));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function dig(name) {
  const out = execFileSync('dig', ['@127.0.0.1', '-p', DNS_PORT, '+short', '+time=1', '+tries=1', name, 'A'],
    { encoding: 'utf8' });
  return out.split('\n').map((s) => s.trim()).filter(Boolean).sort();
}

async function waitFor(what, fn, timeout = TIMEOUT) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < timeout) {
    try {
      last = await fn();
      if (last) return Date.now() - t0;
    } catch (e) {
      last = e.message;
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

function kubectlApply(obj) {
  execFileSync(env('ZK_KUBECTL'), ['--kubeconfig', env('ZK_KUBECONFIG'), 'apply', '-f', '-'],
    { input: JSON.stringify(obj), encoding: 'utf8' });
}

async function useToken(page, token) {
  await page.fill('#token', token);
  await page.click('#token-apply');
}

async function message(page) {
  return (await page.textContent('#message')) || '';
}

async function loadError(page) {
  return (await page.textContent('#load-error')) || '';
}

async function rowsNamed(page, name) {
  return page.locator('#records tr.record', { has: page.locator('td.name', { hasText: name }) });
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
    '--disable-default-apps', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => d.accept());

  // 1. No token: the page loads (its own files need none) and says a token is needed.
  await page.goto(URL_UI);
  await waitFor('the 401 message', async () => /^401: a bearer token is needed/.test(await loadError(page)));
  await page.screenshot({ path: `${SHOTS}/ui-no-token.png`, fullPage: true });
  report('no token: 401 shown', { message: await loadError(page) });

  // 2. The viewer's token: the example records, with their source objects and status. The
  // table is virtual (only rows in view are in the page) and other tests' zones are there too:
  // the zone's rows are filtered in first.
  await useToken(page, env('ZK_TOKEN_VIEWER'));
  await page.fill('#filter', `${ZONE}.`);
  const www = `www.${ZONE}.`;
  await waitFor('the example records', async () => (await (await rowsNamed(page, www)).count()) > 0);
  const stale = await loadError(page);
  if (stale) throw new Error(`still an error shown: ${stale}`);
  const wwwRow = (await rowsNamed(page, www)).filter({ has: page.locator('td.type', { hasText: /^A$/ }) });
  const wwwText = await wwwRow.first().innerText();
  for (const want of ['192.0.2.10', `ARecord/${NS}/www`, 'Served', 'primary']) {
    if (!wwwText.includes(want)) throw new Error(`the www row lacks ${want}: ${wwwText}`);
  }
  const total = await page.locator('#records tr.record').count();
  await page.screenshot({ path: `${SHOTS}/ui-records.png`, fullPage: true });
  report('records shown', { rows: total, www: wwwText.replace(/\s+/g, ' ') });

  // 3. Filtering.
  await page.fill('#filter', `mail.${ZONE}`);
  await waitFor('only rows mentioning mail', async () => {
    const rows = await page.locator('#records tr.record').allInnerTexts();
    return rows.length > 0 && rows.length < total && rows.every((r) => r.includes(`mail.${ZONE}`));
  });
  const countText = await page.textContent('#record-count');
  if (!/of/.test(countText)) throw new Error(`the count does not say it is filtered: ${countText}`);
  report('filter', { count: countText });
  await page.fill('#filter', `${ZONE}.`);

  // 4. A record applied with kubectl appears in the table and in the event stream, no reload.
  await page.evaluate(() => { window.zkNotReloaded = true; });
  const live = `live.${ZONE}.`;
  const t0 = Date.now();
  kubectlApply({
    apiVersion: 'dns.zonekeeper.io/v1alpha1', kind: 'ARecord',
    metadata: { name: 'live', namespace: NS, labels: JSON.parse(env('ZK_LABELS')) },
    spec: { name: 'live', ipv4Addresses: ['192.0.2.55'] },
  });
  const applied = Date.now() - t0;
  const tableMs = await waitFor('the live row', async () => (await (await rowsNamed(page, live)).count()) > 0);
  const eventMs = await waitFor('the live event', async () =>
    (await page.locator('#events li', { hasText: `ARecord/${NS}/live` }).count()) > 0);
  if (!(await page.evaluate(() => window.zkNotReloaded === true))) throw new Error('the page reloaded');
  await page.screenshot({ path: `${SHOTS}/ui-live.png`, fullPage: true });
  report('kubectl apply seen live', { kubectl_ms: applied, table_ms_after_kubectl: tableMs, event_ms_after_kubectl: eventMs });

  // 5. Resync: refused without a permitted token, and the page says so; allowed to the operator.
  await page.click('#resync-all');
  await waitFor('the viewer refused', async () => /^Resync refused: 403: system:serviceaccount:zonekeeper-system:e2e-ui-viewer may not update dnszones/.test(await message(page)));
  report('resync as viewer: 403', { message: await message(page) });
  await useToken(page, env('ZK_TOKEN_NOBODY'));
  await waitFor('reads refused to nobody', async () => /^403: .*e2e-ui-nobody may not list dnszones/.test(await loadError(page)));
  await page.click('#resync-all');
  await waitFor('nobody refused', async () => /^Resync refused: 403: /.test(await message(page)));
  report('resync without RBAC: 403', { message: await message(page) });
  await page.click('#token-clear');
  await page.click('#resync-all');
  await waitFor('no token refused', async () => /^Resync refused: 401: a bearer token is needed/.test(await message(page)));
  await page.screenshot({ path: `${SHOTS}/ui-refused.png`, fullPage: true });
  report('resync without a token: 401', { message: await message(page) });
  await useToken(page, env('ZK_TOKEN_OPERATOR'));
  await waitFor('the operator sees the zone', async () =>
    (await page.locator(`#zones tr[data-zone="${ZONE_OBJECT}"]`).count()) === 1);
  await page.click('#resync-all');
  await waitFor('resync queued', async () => /^Resync queued: \d+ work item/.test(await message(page)));
  report('resync as operator', { message: await message(page) });
  await page.locator(`#zones tr[data-zone="${ZONE_OBJECT}"] button.resync`).click();
  await waitFor('zone resync queued', async () => (await message(page)) === `Resync queued: 1 work item(s) for ${ZONE_OBJECT}`);
  report('zone resync as operator', { message: await message(page) });

  // 6. Create a record from the form: served by BIND; delete it: gone from BIND.
  const made = `made.${ZONE}.`;
  await page.fill('#filter', `${ZONE}.`);
  if (dig(made).length !== 0) throw new Error(`${made} answers before it is made`);
  await page.selectOption('#new-zone', ZONE_OBJECT);
  // The namespaces the zone takes records from (recordTargets): here its own only.
  const offered = await page.locator('#new-namespace option').evaluateAll((os) => os.map((o) => o.value));
  if (offered.join(',') !== NS) throw new Error(`namespaces offered: ${offered}`);
  await page.selectOption('#new-namespace', NS);
  await page.selectOption('#new-kind', 'ARecord');
  await page.fill('#new-object', 'ui-made');
  await page.fill('#new-name', 'made');
  await page.fill('#new-value', '192.0.2.77');
  await page.click('#create-submit');
  await waitFor('created', async () => (await message(page)) === `Created arecords/${NS}/ui-made`);
  const servedMs = await waitFor('dig answers', async () => dig(made).join(',') === '192.0.2.77');
  await waitFor('the made row served', async () => {
    const rows = await rowsNamed(page, made);
    return (await rows.count()) === 1 && /Served/.test(await rows.first().innerText());
  });
  await page.screenshot({ path: `${SHOTS}/ui-created.png`, fullPage: true });
  report('created from the UI', { dig: dig(made), dig_ms_after_created: servedMs });
  await page.fill('#filter', `ARecord/${NS}/ui-made`);
  await (await rowsNamed(page, made)).first().locator('button.delete').click();
  await waitFor('deleted', async () => (await message(page)) === `Deleted ARecord ${NS}/ui-made`);
  await waitFor('dig says nothing', async () => dig(made).length === 0);
  await waitFor('the made row gone', async () => (await (await rowsNamed(page, made)).count()) === 0);
  report('deleted from the UI', { dig: dig(made) });

  // 7. The viewer may not create: the API server is never asked to.
  await useToken(page, env('ZK_TOKEN_VIEWER'));
  await page.fill('#new-object', 'viewer-made');
  await page.click('#create-submit');
  await waitFor('viewer create refused', async () => /^Create refused: 403: .* may not create arecords/.test(await message(page)));
  report('create as viewer: 403', { message: await message(page) });

  // Nothing was fetched from anywhere but the controller.
  const foreign = requests.filter((u) => !u.startsWith(new URL(URL_UI).origin));
  if (foreign.length) throw new Error(`requests outside the controller: ${foreign.join(', ')}`);
  report('only the controller was asked', { requests: requests.length });
} catch (e) {
  failed = true;
  console.error(`FAILED: ${e.stack || e}`);
  try {
    const pages = browser.contexts().flatMap((c) => c.pages());
    if (pages.length) await pages[0].screenshot({ path: `${SHOTS}/ui-failure.png`, fullPage: true });
  } catch (e2) { /* the browser may be gone */ }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
