// zonekeeper's web UI: plain JavaScript, no framework, nothing loaded from elsewhere.
// Data comes from /api/v1 (records, zones, status) and live from /api/v1/events (Server-Sent
// Events, read with fetch so the bearer token travels in a header: no cookies). Every text from
// the server is put in the page as text (textContent), never as HTML.
'use strict';

const state = {
  token: sessionStorage.getItem('zk-token') || '',
  records: [],      // as /api/v1/records gives them, plus a lower-case search text
  shown: [],        // filtered and sorted
  zones: [],
  sortKey: 'name',
  sortDir: 1,
  filter: '',
  lastEventId: '',
  stream: null,     // AbortController of the running event stream
  refreshTimer: 0,
  lastRefresh: 0,
};
const ROW_HEIGHT = 28;
const MAX_EVENTS = 500;
const $ = (id) => document.getElementById(id);

function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (state.token) h.Authorization = 'Bearer ' + state.token;
  return h;
}

// What an action did (or why it was refused).
function say(text, isError) {
  const m = $('message');
  m.textContent = text;
  m.className = isError ? 'error' : '';
  m.hidden = !text;
}

// Why the page cannot show its data ('' once it can).
function loadError(text) {
  const m = $('load-error');
  m.textContent = text;
  m.hidden = !text;
}

async function api(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = headers(opts.headers);
  const res = await fetch(path, opts);
  let body = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.startsWith('application/json')) body = await res.json();
  else body = await res.text();
  if (!res.ok) {
    const why = body && body.error ? body.error : String(body || res.statusText);
    const err = new Error(res.status + ': ' + why);
    err.status = res.status;
    throw err;
  }
  return body;
}

// ------------------------------------------------------------------ records table

function rowValue(r, key) {
  switch (key) {
    case 'value': return r.values.join(' ');
    case 'ttl': return r.ttl === null ? -1 : r.ttl;
    case 'servers': return r.servers.join(' ');
    case 'source': return r.source ? r.source.kind + '/' + r.source.namespace + '/' + r.source.name : '';
    case 'status': return r.reason || r.status;
    default: return r[key] || '';
  }
}

function applyView() {
  const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
  let rows = state.records;
  if (words.length) rows = rows.filter((r) => words.every((w) => r.search.includes(w)));
  const k = state.sortKey, d = state.sortDir;
  rows = rows.slice().sort((a, b) => {
    const x = rowValue(a, k), y = rowValue(b, k);
    if (x < y) return -d;
    if (x > y) return d;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  state.shown = rows;
  $('record-count').textContent = rows.length === state.records.length
    ? '(' + rows.length + ')' : '(' + rows.length + ' of ' + state.records.length + ')';
  document.querySelectorAll('#records-table th[data-sort]').forEach((th) => {
    th.classList.toggle('asc', th.dataset.sort === k && d > 0);
    th.classList.toggle('desc', th.dataset.sort === k && d < 0);
  });
  renderRows();
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  td.title = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function spacer(height) {
  const tr = document.createElement('tr');
  tr.className = 'spacer';
  const td = document.createElement('td');
  td.colSpan = 9;
  td.style.height = height + 'px';
  tr.appendChild(td);
  return tr;
}

// Only the rows in view (and a margin) are in the page: thousands of rows stay fast.
function renderRows() {
  const scroll = $('records-scroll');
  const body = $('records');
  const total = state.shown.length;
  const first = Math.max(0, Math.floor(scroll.scrollTop / ROW_HEIGHT) - 20);
  const count = Math.ceil(scroll.clientHeight / ROW_HEIGHT) + 40;
  const last = Math.min(total, first + count);
  const frag = document.createDocumentFragment();
  if (first > 0) frag.appendChild(spacer(first * ROW_HEIGHT));
  for (let i = first; i < last; i++) {
    const r = state.shown[i];
    const tr = document.createElement('tr');
    tr.className = 'record';
    cell(tr, r.name, 'name');
    cell(tr, r.type, 'type');
    cell(tr, r.values.join('  '), 'value');
    cell(tr, r.ttl === null ? '' : String(r.ttl), 'ttl');
    cell(tr, r.zone, 'zone');
    cell(tr, r.servers.join(', '), 'servers');
    const src = cell(tr, '', 'source');
    if (r.source) {
      const a = document.createElement('a');
      const key = r.source.kind + '/' + r.source.namespace + '/' + r.source.name;
      a.textContent = key;
      a.href = '#object=' + encodeURIComponent(key);
      a.title = 'Show only what ' + key + ' declares';
      src.title = [key, r.owner && 'owner: ' + r.owner, r.description].filter(Boolean).join('\n');
      src.appendChild(a);
      if (r.owner) {
        const o = document.createElement('span');
        o.className = 'owner';
        o.textContent = ' · ' + r.owner;
        src.appendChild(o);
      }
    }
    const st = cell(tr, r.reason || r.status, 'status status-' + r.status);
    st.title = r.message || r.reason || r.status;
    const act = cell(tr, '', 'act');
    if (r.source && /Record$/.test(r.source.kind)) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'danger delete';
      b.textContent = '✕';
      b.title = 'Delete ' + r.source.kind + ' ' + r.source.namespace + '/' + r.source.name;
      b.addEventListener('click', () => deleteRecord(r.source));
      act.appendChild(b);
    }
    frag.appendChild(tr);
  }
  if (last < total) frag.appendChild(spacer((total - last) * ROW_HEIGHT));
  body.replaceChildren(frag);
}

async function loadRecords() {
  const doc = await api('/api/v1/records');
  for (const r of doc.records) {
    r.search = [r.name, r.type, r.values.join(' '), r.ttl, r.zone, r.servers.join(' '),
      r.source ? r.source.kind + '/' + r.source.namespace + '/' + r.source.name : '',
      r.status, r.reason, r.owner || '', r.description || ''].join(' ').toLowerCase();
  }
  state.records = doc.records;
  applyView();
}

// ------------------------------------------------------------------ zones and status

function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleTimeString();
}

async function loadStatus() {
  const st = await api('/api/v1/status');
  $('mode').textContent = st.mode + ' mode';
  $('leader').textContent = st.leader ? 'leader' : 'standby';
  $('leader').className = 'badge ' + (st.leader ? 'ok' : '');
  $('ready').textContent = st.ready ? 'ready' : 'not ready: ' + (st.unready || '');
  $('ready').className = 'badge ' + (st.ready ? 'ok' : 'bad');
  const rec = st.reconciles || {};
  const last = rec.last;
  $('last-reconcile').textContent = last
    ? fmtTime(last.at) + ' · ' + last.kind + ' ' + last.result + (last.reason ? ' (' + last.reason + ')' : '')
    : '–';
  if (rec.inWindow) {
    const ok = rec.inWindow - rec.errorsInWindow;
    $('success-rate').textContent = (100 * Math.max(ok, 0) / rec.inWindow).toFixed(1) + '% of ' + rec.inWindow;
  } else {
    $('success-rate').textContent = 'no reconciles';
  }
  $('queue-depth').textContent = String(st.queue ? st.queue.depth : 0);
  $('zones-ready').textContent = st.zonesReady + ' of ' + st.zoneCount;
}

async function loadZones() {
  const doc = await api('/api/v1/zones');
  state.zones = doc.zones;
  const body = $('zones');
  const frag = document.createDocumentFragment();
  for (const z of doc.zones) {
    const tr = document.createElement('tr');
    tr.dataset.zone = z.namespace + '/' + z.name;
    cell(tr, z.zone);
    cell(tr, z.namespace + '/' + z.name);
    const r = cell(tr, z.ready.reason || z.ready.status, 'status-' + z.ready.status);
    r.title = z.ready.message;
    cell(tr, String(z.recordCount));
    cell(tr, z.servers.map((s) => s.name + ' ' + s.role + ' ' + (s.serial === null ? '–' : s.serial)).join(', '));
    const act = cell(tr, '');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'secondary resync';
    b.textContent = 'Resync';
    b.addEventListener('click', () => resync(z.namespace + '/' + z.name));
    act.appendChild(b);
    frag.appendChild(tr);
  }
  body.replaceChildren(frag);
  const sel = $('new-zone');
  const was = sel.value;
  sel.replaceChildren(...doc.zones.map((z) => {
    const o = document.createElement('option');
    o.value = z.namespace + '/' + z.name;
    o.textContent = (z.zone || '?') + ' (' + z.namespace + '/' + z.name + ')';
    return o;
  }));
  if (was) sel.value = was;
  fillNamespaces();
}

// Where a record for the chosen DNSZone may be created: its own namespace, and those its
// recordsFrom[].namespaceSelector reaches and its Namespace admits (recordTargets).
function targetsOf(zone) {
  if (zone.recordTargets && zone.recordTargets.length) return zone.recordTargets;
  return [{ namespace: zone.namespace, labels: zone.recordLabels || {} }];
}

function fillNamespaces() {
  const zone = state.zones.find((z) => z.namespace + '/' + z.name === $('new-zone').value);
  const sel = $('new-namespace');
  const was = sel.value;
  sel.replaceChildren(...(zone ? targetsOf(zone) : []).map((t) => {
    const o = document.createElement('option');
    o.value = t.namespace;
    o.textContent = t.namespace;
    return o;
  }));
  if (was && [...sel.options].some((o) => o.value === was)) sel.value = was;
}

async function refresh() {
  state.lastRefresh = Date.now();
  try {
    await Promise.all([loadStatus(), loadZones(), loadRecords()]);
    loadError('');
  } catch (e) {
    loadError(e.message + (e.status === 401 ? ' — paste a token above' : ''));
  }
}

// After events: soon, but at most once a second (a busy controller sends many).
function refreshSoon() {
  if (state.refreshTimer) return;
  const wait = Math.max(100, 1000 - (Date.now() - state.lastRefresh));
  state.refreshTimer = setTimeout(() => { state.refreshTimer = 0; refresh(); }, wait);
}

// ------------------------------------------------------------------ actions

async function resync(zone) {
  try {
    const out = await api('/api/v1/resync', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(zone ? { zone } : {}),
    });
    say('Resync queued: ' + out.queued + ' work item(s)' + (zone ? ' for ' + zone : ''));
    refreshSoon();
  } catch (e) {
    say('Resync refused: ' + e.message, true);
  }
}

function specFor(kind, name, value, ttl) {
  const spec = { name };
  if (ttl !== '') spec.ttl = Number(ttl);
  switch (kind) {
    case 'ARecord': spec.ipv4Addresses = value.split(/[\s,]+/).filter(Boolean); break;
    case 'AAAARecord': spec.ipv6Addresses = value.split(/[\s,]+/).filter(Boolean); break;
    case 'CNAMERecord': spec.target = value.trim(); break;
    case 'TXTRecord': spec.texts = [value]; break;
    default: break;
  }
  return spec;
}

async function createRecord(ev) {
  ev.preventDefault();
  const zone = state.zones.find((z) => z.namespace + '/' + z.name === $('new-zone').value);
  if (!zone) { say('Choose a DNSZone first', true); return; }
  const kind = $('new-kind').value;
  const target = targetsOf(zone).find((t) => t.namespace === $('new-namespace').value);
  if (!target) { say('Choose a namespace the DNSZone takes records from', true); return; }
  const obj = {
    apiVersion: 'dns.zonekeeper.io/v1alpha1', kind,
    metadata: { name: $('new-object').value.trim(), namespace: target.namespace,
      labels: Object.assign({}, target.labels) },
    spec: specFor(kind, $('new-name').value.trim(), $('new-value').value, $('new-ttl').value.trim()),
  };
  try {
    const out = await api('/api/v1/records', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(obj),
    });
    say('Created ' + out.created);
    refreshSoon();
  } catch (e) {
    say('Create refused: ' + e.message, true);
  }
}

async function deleteRecord(src) {
  const what = src.kind + ' ' + src.namespace + '/' + src.name;
  if (!window.confirm('Delete ' + what + '?')) return;
  const q = new URLSearchParams({ kind: src.kind, namespace: src.namespace, name: src.name });
  try {
    await api('/api/v1/records?' + q.toString(), { method: 'DELETE' });
    say('Deleted ' + what);
    refreshSoon();
  } catch (e) {
    say('Delete refused: ' + e.message, true);
  }
}

// ------------------------------------------------------------------ live events

function showEvent(id, line) {
  let ev;
  try { ev = JSON.parse(line); } catch (e) { return; }
  const li = document.createElement('li');
  li.className = 'event ' + (ev.level || '');
  li.dataset.id = id;
  const t = document.createElement('span');
  t.textContent = (ev.time || '').replace('T', ' ').replace('Z', '') + ' ';
  const lv = document.createElement('span');
  lv.className = 'level';
  lv.textContent = ev.level || '';
  const msg = document.createElement('span');
  msg.className = 'msg';
  msg.textContent = ev.msg || '';
  const rest = Object.keys(ev).filter((k) => !['time', 'level', 'msg'].includes(k))
    .map((k) => k + '=' + ev[k]).join(' ');
  const f = document.createElement('span');
  f.className = 'fields';
  f.textContent = rest ? '  ' + rest : '';
  li.append(t, lv, msg, f);
  const list = $('events');
  list.prepend(li);
  while (list.children.length > MAX_EVENTS) list.lastChild.remove();
}

async function streamEvents() {
  if (state.stream) state.stream.abort();
  const ctl = new AbortController();
  state.stream = ctl;
  const h = headers({ Accept: 'text/event-stream' });
  if (state.lastEventId) h['Last-Event-ID'] = state.lastEventId;
  try {
    const res = await fetch('/api/v1/events?backlog=100', { headers: h, signal: ctl.signal });
    if (!res.ok) {
      let why = res.statusText;
      try { why = (await res.json()).error; } catch (e) { /* not JSON */ }
      $('events-state').textContent = 'stopped: ' + res.status + ' ' + why;
      $('events-state').className = 'badge bad';
      return;  // a new token restarts it
    }
    $('events-state').textContent = 'live';
    $('events-state').className = 'badge ok';
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let at;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        let id = '', data = '';
        for (const l of block.split('\n')) {
          if (l.startsWith('id: ')) id = l.slice(4);
          else if (l.startsWith('data: ')) data += l.slice(6);
        }
        if (!data) continue;
        state.lastEventId = id;
        showEvent(id, data);
        refreshSoon();
      }
    }
  } catch (e) {
    if (ctl.signal.aborted) return;
  }
  if (state.stream !== ctl) return;
  $('events-state').textContent = 'reconnecting';
  $('events-state').className = 'badge';
  setTimeout(() => { if (state.stream === ctl) streamEvents(); }, 2000);
}

// ------------------------------------------------------------------ wiring

function filterFromHash() {
  const m = /^#object=(.*)$/.exec(location.hash);
  if (m) {
    state.filter = decodeURIComponent(m[1]);
    $('filter').value = state.filter;
    applyView();
  }
}

function start() {
  $('token').value = state.token ? '••••••••' : '';
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = $('token').value.trim();
    if (v && v !== '••••••••') {
      state.token = v;
      sessionStorage.setItem('zk-token', v);
      $('token').value = '••••••••';
      loadError('');  // what the old token (or none) got no longer applies
    }
    refresh();
    streamEvents();
  });
  $('token-clear').addEventListener('click', () => {
    state.token = '';
    sessionStorage.removeItem('zk-token');
    $('token').value = '';
    refresh();
    streamEvents();
  });
  $('filter').addEventListener('input', () => {
    state.filter = $('filter').value;
    $('records-scroll').scrollTop = 0;  // a shorter list: start at its top
    applyView();
  });
  document.querySelectorAll('#records-table th[data-sort]').forEach((th) => {
    th.addEventListener('click', () => {
      if (state.sortKey === th.dataset.sort) state.sortDir = -state.sortDir;
      else { state.sortKey = th.dataset.sort; state.sortDir = 1; }
      applyView();
    });
  });
  let pending = false;
  $('records-scroll').addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; renderRows(); });
  });
  $('resync-all').addEventListener('click', () => resync(''));
  $('create-form').addEventListener('submit', createRecord);
  $('new-zone').addEventListener('change', fillNamespaces);
  window.addEventListener('hashchange', filterFromHash);
  filterFromHash();
  refresh();
  streamEvents();
  setInterval(refresh, 10000);
}

document.addEventListener('DOMContentLoaded', start);
