// elib web page: the 历史 (check history) view and the 导出 Excel button.
// Loaded after app.js; uses its helpers ($, el, t, api, checkBody,
// storedToken, I18N).
// Text from the server goes into the page with textContent only.
'use strict';

Object.assign(I18N.zh, {
  tabHistory: '历史', xlsxBtn: '导出 Excel', userLabel: '检查人', historyVerdict: '结论', historyAll: '全部',
  hTime: '检查时间', hWho: '检查人', hFile: '文件', hVerdict: '结论', hDup: '重复度', hLevel: '分级', hTop: '主要来源',
  hLicensed: '授权复用', hKind: '复制方式', kindExact: '原样', kindEdited: '洗稿',
  historyEmpty: '还没有检查记录。', historyTotal: '共 {n} 条检查记录',
});
Object.assign(I18N.en, {
  tabHistory: 'History', xlsxBtn: 'Export Excel', userLabel: 'Checker', historyVerdict: 'Verdict', historyAll: 'all',
  hTime: 'Checked', hWho: 'Who', hFile: 'File', hVerdict: 'Verdict', hDup: 'Duplication', hLevel: 'Level', hTop: 'Top source',
  hLicensed: 'Licensed', hKind: 'Copied', kindExact: 'exact', kindEdited: 'edited',
  historyEmpty: 'No checks recorded yet.', historyTotal: '{n} recorded checks',
});

// The checker's name: typed once, kept in localStorage, sent with every
// API request (X-Elib-User, percent-encoded) and in the printable report's
// URL, so the history names a person rather than an address.
const USER_KEY = 'elib.user';

function storedUser() {
  try { return (localStorage.getItem(USER_KEY) || '').trim(); } catch (e) { return ($('user') && $('user').value.trim()) || ''; }
}

function saveUser(name) {
  try { localStorage.setItem(USER_KEY, name); } catch (e) { /* storage disabled: the field still holds it */ }
  reportAction();
}

// reportAction names the user and the page's language in the report
// form's URL (a form post to a new tab cannot carry a header).
function reportAction() {
  const who = storedUser();
  $('report-form').action = '/v1/report?lang=' + state.lang + (who ? '&user=' + encodeURIComponent(who) : '');
}

// fmtTime shows a time in the team's zone (the library's, /v1/info's
// time_zone; Asia/Shanghai by default), e.g. 2026-11-03 11:30:00.
function fmtTime(iso) {
  const p = zoneParts(iso); // app.js
  if (!p) return iso;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

async function loadHistory() {
  const err = $('history-error');
  err.hidden = true;
  const params = new URLSearchParams({ limit: '500' });
  if ($('history-verdict').value) params.set('verdict', $('history-verdict').value);
  try {
    const h = await api('GET', '/v1/history?' + params.toString());
    renderHistory(h);
    document.body.dataset.history = 'ready';
  } catch (e) {
    err.textContent = e.message;
    err.hidden = false;
  }
}

let lastHistory = null;

function renderHistory(h) {
  lastHistory = h;
  const table = $('history');
  table.replaceChildren();
  const entries = (h.entries || []).slice().reverse(); // newest first
  $('history-total').textContent = entries.length ? t('historyTotal', { n: h.total }) : t('historyEmpty');
  if (!entries.length) return;
  const head = el('tr');
  for (const k of ['hTime', 'hWho', 'hFile', 'hVerdict', 'hDup', 'hLicensed', 'hLevel', 'hKind', 'hTop']) head.append(el('th', '', t(k)));
  table.append(head);
  for (const e of entries) {
    const tr = el('tr', 'verdict-' + e.verdict);
    tr.dataset.file = e.file;
    tr.dataset.verdict = e.verdict;
    const top = e.top_source ? (e.top_source_title ? `${e.top_source_title}（${e.top_source}）` : e.top_source) : '—';
    tr.dataset.kind = e.span_kind || '';
    const kind = e.span_kind === 'edited' ? t('kindEdited') : e.span_kind === 'exact' ? t('kindExact') : '';
    const licensed = e.pack ? (e.licensed_duplication * 100 || 0).toFixed(1) + ' %' : '';
    tr.append(el('td', '', fmtTime(e.time)), el('td', '', e.who), el('td', '', e.file),
      el('td', 'v', t(e.verdict)), el('td', '', (e.duplication * 100).toFixed(1) + ' %'), el('td', 'licensed', licensed),
      el('td', '', e.level || ''), el('td', 'kind', kind), el('td', '', top));
    table.append(tr);
  }
}

// exportXLSX posts the check view's input to /v1/export and saves the
// workbook it answers.
async function exportXLSX() {
  const err = $('check-error');
  err.hidden = true;
  const body = checkBody();
  if (!body) { err.textContent = t('emptyScript'); err.hidden = false; return; }
  const opts = { method: 'POST', headers: {} };
  if (body instanceof FormData) opts.body = body;
  else { opts.body = JSON.stringify(body); opts.headers['Content-Type'] = 'application/json'; }
  const tok = storedToken(); // app.js: a private server's token
  if (tok) opts.headers['Authorization'] = 'Bearer ' + tok;
  const who = storedUser();
  if (who) opts.headers['X-Elib-User'] = encodeURIComponent(who);
  opts.headers['Accept-Language'] = pageLanguage(); // app.js
  try {
    let resp;
    try {
      resp = await fetch('/v1/export', opts);
    } catch (e) {
      throw new Error(t('networkError'));
    }
    if (!resp.ok) {
      let msg = t('httpError', { status: resp.status });
      try { msg = (await resp.json()).error || msg; } catch (e) { /* not JSON */ }
      if (resp.status === 413) msg = t('tooLargeServer', sizeLimits());
      throw new Error(msg);
    }
    const blob = await resp.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'elib-check.xlsx';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    document.body.dataset.exported = String(blob.size);
  } catch (e) {
    err.textContent = e.message;
    err.hidden = false;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('user').value = storedUser();
  $('user').addEventListener('change', () => saveUser($('user').value.trim()));
  reportAction();
  $('xlsx-btn').addEventListener('click', exportXLSX);
  $('history-verdict').addEventListener('change', loadHistory);
  $('lang-toggle').addEventListener('click', () => { if (lastHistory) renderHistory(lastHistory); });
});
