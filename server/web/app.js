// elib web page: check view and library view over the JSON API.
// Every piece of user or library text is put into the page with textContent
// or text nodes; nothing from the server is ever parsed as HTML.
'use strict';

const I18N = {
  zh: {
    tagline: '素材元件库 · 发布前查重', tabCheck: '查重', tabLibrary: '元件库',
    pasteLabel: '粘贴脚本（可带 【钩子】【冲突】【证言】【转化】【故事】 标签）',
    formatLabel: '格式', fileLabel: '或上传文件', checkBtn: '查重', checking: '查重中…',
    searchPlaceholder: '搜索元件文案', searchBtn: '搜索', sideTitle: '对照',
    yourText: '你的元件', libraryElement: '库中元件',
    reject: '回炉', pass: '通过', duplication: '重复度', threshold: '阈值',
    reuse: '元件复用率', noMatches: '未发现与库中素材重复的内容。',
    matchTitle: '匹配 {asset} · 相似度 {sim} · 包含度 {cont}',
    editedCopy: '洗稿：改动处标红，只有未改动的字计入重复',
    alreadyIn: '元件库中已有这份稿件（同一 ID、同一文本），不计自身',
    ownVersion: '与本稿已发布的版本（{id}）比对',
    licensedDup: '授权复用 {pct}（创作包固定元件，不计入判定）',
    footageDup: '画面重复 {pct}（{matched}/{frames} 帧出现在库内视频中，画面阈值 {th}）',
    footageMatch: '{asset} · {pct} 帧重合 · 待检 ↔ 库内 {ranges}',
    thumbChecked: '待检 {at}', thumbLibrary: '库内 {at}', thumbMissing: '（画面不在服务器上）',
    total: '共 {n} 个元件', all: '全部', emptyScript: '请先粘贴脚本或选择文件。',
    library: '元件库：', assets: '（{n} 个素材）', readonly: '只读', writable: '可写入（需令牌）',
    tokenPrompt: '此服务器为私有，请输入访问令牌（ELIB_TOKEN）：',
    statsComputing: '统计计算中（素材多时需要几分钟），稍后自动刷新…',
    hook: '钩子', conflict: '冲突', testimonial: '证言', conversion: '转化', story: '故事', other: '其他',
    noResults: '没有结果。', errors: '无法处理的输入：',
    level: '平台分级', throttled: '限流',
    fcamera: '镜头', fsubtitle_color: '字幕色', fbpm: 'BPM', fplatform: '平台', fcampaign: '活动',
    sortScore: '按相关度', sortPlays: '按播放量', sortCreated: '按发布时间', plays: '播放', published: '发布',
    tabDashboard: '看板', tabPacks: '创作包', reportBtn: '打印报告', periodLabel: '时间段',
    chartReuse: '复用率趋势', chartLevels: '平台分级分布', fatiguedTitle: '疲劳元件', mostReusedTitle: '最常复用元件',
    packsHint: '创作包：爆款的固定元件加上达人必须替换的位置。导出说明书发给达人。',
    periodAssets: '期内素材', reuseRate: '复用率', homogeneity: '同质化率（L3+）', fatiguedCount: '疲劳元件',
    uses: '次复用', none: '无', element: '元件', recentUses: '近期复用', exportAs: '导出', slots: '替换位', from: '来源',
    type: '类型', text: '文案', useCount: '复用次数', noAssets: '无素材',
    sampleLibrary: '内置示例元件库（{n} 个素材，{e} 个元件）', assetsOnly: '（{n} 个素材）',
    httpError: '请求失败（HTTP {status}）。', networkError: '连不上 elib 服务器，请检查它是否在运行。',
    tooLarge: '文件太大：视频最大 {video}，脚本最大 {script}。', tooLargeServer: '上传被服务器拒绝（413）：超过大小上限。视频最大 {video}，脚本最大 {script}。',
    uploading: '上传中…',
    period30: '近 30 天', period90: '近 90 天', period365: '近一年', periodAll: '全部',
    reuseExplain: '元件复用率：至少 80 % 的内容出现在同一个库内元件中的元件占比；重复度统计的是被复制的字数，所以两者可以相差很大。',
    containmentExplain: '包含度：本元件中连续 5 字片段出现在这一个库内元件里的比例；元件的重复度统计所有匹配合计覆盖的字数。',
    notVariant: '这份稿件里没有创作包 {pack} 的任何固定元件：它不是这个创作包的变体（不选创作包再查，或换用它自己的创作包）。',
  },
  en: {
    tagline: 'element library · pre-publish check', tabCheck: 'Check', tabLibrary: 'Library',
    pasteLabel: 'Paste a script (labels like [hook] [conflict] [testimonial] [conversion] [story] optional)',
    formatLabel: 'Format', fileLabel: 'or upload a file', checkBtn: 'Check', checking: 'Checking…',
    searchPlaceholder: 'Search element copy', searchBtn: 'Search', sideTitle: 'Side by side',
    yourText: 'Your element', libraryElement: 'Library element',
    reject: 'Rejected', pass: 'Pass', duplication: 'Duplication', threshold: 'threshold',
    reuse: 'element reuse rate', noMatches: 'Nothing matches existing library material.',
    matchTitle: 'matches {asset} · similarity {sim} · containment {cont}',
    editedCopy: 'edited copy: changes marked red; only the unchanged characters count',
    alreadyIn: 'already in the library (same id, same text): itself not counted',
    ownVersion: 'checked against its own published version ({id})',
    licensedDup: 'licensed {pct} (the pack\'s fixed elements, not in the verdict)',
    footageDup: 'footage {pct} ({matched}/{frames} frames found in library videos; footage threshold {th})',
    footageMatch: '{asset} · {pct} of frames · checked ↔ library {ranges}',
    thumbChecked: 'checked {at}', thumbLibrary: 'library {at}', thumbMissing: '(frame not on the server)',
    total: '{n} elements', all: 'All', emptyScript: 'Paste a script or choose a file first.',
    library: 'Library: ', assets: ' ({n} assets)', readonly: 'read-only', writable: 'writable (token required)',
    tokenPrompt: 'This server is private: enter its access token (ELIB_TOKEN):',
    statsComputing: 'Computing the stats (minutes for a large library); retrying…',
    hook: 'hook', conflict: 'conflict', testimonial: 'testimonial', conversion: 'conversion', story: 'story', other: 'other',
    noResults: 'No results.', errors: 'Inputs that could not be processed: ',
    level: 'platform level', throttled: 'throttled',
    fcamera: 'Camera', fsubtitle_color: 'Subtitle colour', fbpm: 'BPM', fplatform: 'Platform', fcampaign: 'Campaign',
    sortScore: 'by relevance', sortPlays: 'by plays', sortCreated: 'newest first', plays: 'plays', published: 'published',
    tabDashboard: 'Dashboard', tabPacks: 'Packs', reportBtn: 'Printable report', periodLabel: 'Period',
    chartReuse: 'Reuse rate over time', chartLevels: 'Platform levels', fatiguedTitle: 'Fatigued elements', mostReusedTitle: 'Most reused elements',
    packsHint: 'Creator packs: a hit\'s fixed elements and the slots creators replace. Export the brief for creators.',
    periodAssets: 'assets in period', reuseRate: 'reuse rate', homogeneity: 'homogeneity (L3+)', fatiguedCount: 'fatigued elements',
    uses: 'uses', none: 'none', element: 'element', recentUses: 'recent uses', exportAs: 'export', slots: 'slots', from: 'from',
    type: 'type', text: 'copy', useCount: 'uses', noAssets: 'no assets',
    sampleLibrary: 'embedded sample library ({n} assets, {e} elements)', assetsOnly: ' ({n} assets)',
    httpError: 'The request failed (HTTP {status}).', networkError: 'Cannot reach the elib server: is it running?',
    tooLarge: 'Too large: videos up to {video}, scripts up to {script}.', tooLargeServer: 'The server refused the upload (413): over the size limit. Videos up to {video}, scripts up to {script}.',
    uploading: 'Uploading…',
    period30: 'last 30 days', period90: 'last 90 days', period365: 'last year', periodAll: 'all',
    reuseExplain: 'Element reuse rate: the share of elements at least 80 % contained in one library element; duplication counts copied characters, so the two can differ widely.',
    containmentExplain: 'Containment: the share of this element\'s 5-character runs found in that one library element; the element\'s duplication counts what all its matches cover.',
    notVariant: 'None of pack {pack}\'s fixed elements is in this script: it is not a variant of the pack (check it without the pack, or with its own).',
  },
};
// LEVEL_EDGES are the lowest duplications of platform levels L2–L5
// (check/level.go); L3 and above are throttled.
const LEVEL_EDGES = [0.1, 0.3, 0.5, 0.8];
const LEVEL_THROTTLED = { L3: true, L4: true, L5: true };
const TYPES = ['hook', 'conflict', 'testimonial', 'conversion', 'story', 'other'];

const state = {
  // Chinese unless the user switched (kept in localStorage): the team's
  // language, whatever the browser's.
  lang: 'zh',
  info: null,
  last: null, // last check: {split, check}
  search: { q: '', type: '', where: [], bpm: '', sort: 'score' },
  searchResult: null,
  stats: null, // last GET /v1/stats
  packs: null, // last GET /v1/packs
};
try {
  const saved = localStorage.getItem('elib.lang');
  if (saved === 'zh' || saved === 'en') state.lang = saved;
} catch (e) { /* storage disabled */ }

// teamZone is the team's time zone the page shows times in: the
// library's (/v1/info's time_zone), Asia/Shanghai by default.
function teamZone() {
  const zone = (state.info && state.info.time_zone) || 'Asia/Shanghai';
  try { new Intl.DateTimeFormat('en-CA', { timeZone: zone }); return zone; } catch (e) { return 'Asia/Shanghai'; }
}

// zoneParts are the fields of an RFC 3339 time in the team's zone (null
// when it does not parse). The API's times are UTC; a date cut from one
// would be the day before for the team's mornings.
function zoneParts(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return null;
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: teamZone(), year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(d);
  return Object.fromEntries(parts.map((x) => [x.type, x.value]));
}

// fmtDate shows a time's date in the team's zone, e.g. 2026-11-03.
function fmtDate(iso) {
  const p = zoneParts(iso);
  return p ? `${p.year}-${p.month}-${p.day}` : String(iso).slice(0, 10);
}

// pageLanguage is the Accept-Language the page's requests send.
function pageLanguage() {
  return state.lang === 'zh' ? 'zh-CN' : 'en';
}

function t(key, vars) {
  let s = (I18N[state.lang] && I18N[state.lang][key]) || I18N.en[key] || key;
  if (vars) for (const k of Object.keys(vars)) s = s.split('{' + k + '}').join(String(vars[k]));
  return s;
}

const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  if (text !== undefined && text !== null) n.textContent = String(text);
  return n;
}

function pct(x) { return (Math.round(x * 1000) / 10).toFixed(1) + ' %'; }

// ---- language -------------------------------------------------------------

function applyLang() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  for (const n of document.querySelectorAll('[data-i18n-placeholder]')) n.placeholder = t(n.dataset.i18nPlaceholder);
  $('lang-toggle').textContent = state.lang === 'zh' ? 'EN' : '中文';
  renderLegend();
  renderInfo();
  if (state.last) renderCheck(state.last.split, state.last.check);
  if (state.searchResult) renderSearch(state.searchResult);
  if (state.stats) renderDashboard(state.stats);
  if (state.packs) renderPacks(state.packs);
}

function renderLegend() {
  const lg = $('legend');
  lg.replaceChildren();
  for (const ty of TYPES) lg.append(el('span', 'type-' + ty, t(ty)));
}

function renderInfo() {
  const p = $('library-info');
  if (!state.info) { p.textContent = ''; return; }
  const i = state.info;
  const name = i.sample ? t('sampleLibrary', { n: i.assets, e: i.elements || 0 }) : (i.library_name || i.library) + t('assetsOnly', { n: i.assets });
  p.textContent = t('library') + name + ' · ' + (i.writable ? t('writable') : t('readonly'));
}

// ---- API ------------------------------------------------------------------

// A private server (elib serve --private) answers 401 without its token:
// the page asks for it once, sends it as a bearer token and keeps it in
// localStorage and in a SameSite=Strict cookie, so the report form and the
// pack export links (which cannot set headers) carry it too.
const TOKEN_KEY = 'elib.token';
const TOKEN_COOKIE = 'elib_token';

function storedToken() {
  try { return localStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; }
}

function saveToken(tok) {
  try { localStorage.setItem(TOKEN_KEY, tok); } catch (e) { /* private mode: the cookie still works */ }
  document.cookie = TOKEN_COOKIE + '=' + encodeURIComponent(tok) + '; path=/; SameSite=Strict';
}

async function api(method, url, body, retried) {
  const opts = { method, headers: {} };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers['Content-Type'] = 'application/json'; }
  const tok = storedToken();
  if (tok) opts.headers['Authorization'] = 'Bearer ' + tok;
  const who = typeof storedUser === 'function' ? storedUser() : ''; // history.js: the checker's name
  if (who) opts.headers['X-Elib-User'] = encodeURIComponent(who);
  // The server says its errors in the page's language, not the browser's.
  opts.headers['Accept-Language'] = pageLanguage();
  let resp;
  try {
    resp = await fetch(url, opts);
  } catch (e) {
    throw new Error(t('networkError'));
  }
  if (resp.status === 401 && !retried) {
    const entered = window.prompt(t('tokenPrompt'));
    if (entered && entered.trim()) {
      saveToken(entered.trim());
      return api(method, url, body, true);
    }
  }
  let data = null;
  try { data = await resp.json(); } catch (e) { /* not JSON */ }
  if (!resp.ok) {
    // elib's replies carry a stable code and a message in the page's
    // language; anything else (a proxy's page) is named by its status.
    let msg = (data && data.error) || t('httpError', { status: resp.status });
    if (resp.status === 413) msg = t('tooLargeServer', sizeLimits());
    const err = new Error(msg);
    err.status = resp.status;
    err.code = (data && data.code) || '';
    err.retryAfter = Number(resp.headers.get('Retry-After')) || 0;
    throw err;
  }
  return data;
}

// ---- check view -----------------------------------------------------------

// VIDEO_EXTS are the video files the server parses (element.FormatOf).
const VIDEO_EXTS = ['mp4', 'mov', 'mkv', 'webm'];

function isVideoFile(f) { return VIDEO_EXTS.includes(f.name.split('.').pop().toLowerCase()); }

function mb(n) { return n >= 1 << 20 ? Math.round(n / (1 << 20)) + ' MB' : Math.round(n / 1024) + ' KB'; }

// sizeLimits are the server's upload limits for messages (GET /v1/info).
function sizeLimits() {
  const i = state.info || {};
  return { video: mb(i.max_body_bytes || 200 << 20), script: mb(i.max_check_bytes || 1 << 20) };
}

// oversize says why a chosen file is over the server's limits ('' if not):
// the page refuses it before sending a byte.
function oversize(f) {
  const i = state.info;
  if (!i || !i.max_body_bytes) return '';
  const limit = isVideoFile(f) ? i.max_body_bytes : (i.max_check_bytes || i.max_body_bytes);
  return f.size > limit ? t('tooLarge', sizeLimits()) : '';
}

function checkBody() {
  const file = $('file').files[0];
  if (file) {
    const fd = new FormData();
    fd.append('file', file, file.name);
    return fd;
  }
  const text = $('script').value;
  if (!text.trim()) return null;
  return { text, format: $('format').value };
}

async function onCheck(ev) {
  ev.preventDefault();
  const err = $('check-error');
  err.hidden = true;
  const body = checkBody();
  if (!body) { err.textContent = t('emptyScript'); err.hidden = false; return; }
  const file = $('file').files[0];
  const big = file ? oversize(file) : '';
  if (big) { err.textContent = big; err.hidden = false; return; }
  const btn = $('check-btn');
  btn.disabled = true;
  btn.textContent = file && isVideoFile(file) ? t('uploading') : t('checking');
  try {
    let split, check;
    if (file && isVideoFile(file)) {
      // A video is uploaded and parsed once: the check (copy and
      // footage) answers with the split of what it read, and with the
      // matched frames side by side (thumbs=1).
      check = await api('POST', '/v1/check?split=1&thumbs=1', body);
      split = check.split;
    } else {
      [split, check] = await Promise.all([api('POST', '/v1/split', body), api('POST', '/v1/check', body)]);
    }
    state.last = { split, check };
    renderCheck(split, check);
  } catch (e) {
    err.textContent = e.message;
    err.hidden = false;
  } finally {
    btn.disabled = false;
    btn.textContent = t('checkBtn');
  }
}

// renderCheck draws each checked asset: verdict, the duplication bar against
// the threshold, and the script with elements coloured by type and matched
// spans highlighted.
function renderCheck(split, check) {
  const box = $('results');
  box.replaceChildren();
  const assets = [];
  for (const f of split.files || []) for (const a of f.assets || []) assets.push(a);
  (check.results || []).forEach((res, i) => {
    const asset = assets.find((a) => a.id === res.asset_id && !a._used) || assets[i];
    if (asset) asset._used = true;
    box.append(renderResult(res, asset, check.threshold));
  });
  for (const a of assets) delete a._used;
  if (check.errors && check.errors.length) {
    const p = el('p', 'error', t('errors') + check.errors.map((e) => e.file + (e.line ? ':' + e.line : '') + ': ' + e.error).join('; '));
    box.append(p);
  }
  $('check-result').hidden = false;
}

function renderResult(res, asset, threshold) {
  const card = el('article', 'result');
  card.dataset.verdict = res.verdict;
  const h = el('h2');
  const v = el('span', 'verdict ' + res.verdict, t(res.verdict));
  v.classList.add('verdict-badge');
  h.append(v, document.createTextNode((asset && asset.title) || res.file));
  card.append(h);

  const bar = el('div', 'bar ' + res.verdict);
  bar.setAttribute('role', 'meter');
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', '1');
  bar.setAttribute('aria-valuenow', String(res.duplication));
  const fill = el('div', 'fill');
  fill.style.width = Math.min(100, res.duplication * 100) + '%';
  const mark = el('div', 'mark');
  mark.style.left = (threshold * 100) + '%';
  mark.append(el('span', null, t('threshold') + ' ' + pct(threshold)));
  const label = el('span', 'label duplication', t('duplication') + ' ' + pct(res.duplication));
  // Platform level bands (L1 < 10 %, L2 < 30 %, L3 < 50 %, L4 < 80 %, L5).
  for (const edge of LEVEL_EDGES) {
    const tick = el('div', 'band');
    tick.style.left = (edge * 100) + '%';
    bar.append(tick);
  }
  bar.append(fill, mark, label);
  card.append(bar);
  if (res.level) {
    const lv = el('p', 'level level-' + res.level, t('level') + ' ' + res.level + (LEVEL_THROTTLED[res.level] ? ' · ' + t('throttled') : ''));
    lv.dataset.level = res.level;
    card.append(lv);
  }
  const reuse = el('p', 'muted reuse', t('reuse') + ' ' + pct(res.reuse_rate) + ' ⓘ');
  reuse.title = t('reuseExplain');
  card.append(reuse);
  if (res.already_in_library) card.append(el('p', 'note self', t('alreadyIn')));
  if (res.own_version) card.append(el('p', 'note self', t('ownVersion', { id: res.own_version.asset_id })));
  if (res.licensed_duplication) card.append(el('p', 'note licensed', t('licensedDup', { pct: pct(res.licensed_duplication) })));
  for (const w of res.warnings || []) {
    const p = el('p', 'note warn', '⚠ ' + (w.kind === 'not_a_pack_variant' ? t('notVariant', { pack: res.pack || '' }) : w.message));
    p.dataset.kind = w.kind;
    card.append(p);
  }
  if (res.footage) card.append(renderFootage(res.footage));

  let any = false;
  res.elements.forEach((er, i) => {
    const src = asset && asset.elements ? asset.elements[i] : null;
    const text = src ? src.text : '';
    if (er.matches && er.matches.length) any = true;
    card.append(renderElement(er, text));
  });
  if (!any) card.append(el('p', 'muted', t('noMatches')));
  return card;
}

// renderFootage shows a video's footage check: the share of its frames
// found in library videos and, per library video, the matched stretches
// on both sides (m:ss).
function renderFootage(f) {
  const box = el('div', 'footage');
  const over = f.frames > 0 && f.matched / f.frames > f.threshold;
  const p = el('p', 'note footage-dup' + (over ? ' reject' : ''), t('footageDup', { pct: pct(f.duplication), matched: f.matched, frames: f.frames, th: pct(f.threshold) }));
  p.dataset.footage = String(f.duplication);
  box.append(p);
  const clock = (ms) => Math.floor(ms / 60000) + ':' + String(Math.floor(ms / 1000) % 60).padStart(2, '0');
  const ul = el('ul', 'footage-matches');
  for (const m of f.matches || []) {
    const ranges = (m.ranges || []).map((r) => clock(r.start_ms) + '–' + clock(r.end_ms) + ' ↔ ' + clock(r.library_start_ms) + '–' + clock(r.library_end_ms)).join(', ');
    const li = el('li', null, t('footageMatch', { asset: m.title || m.asset_id, pct: pct(m.coverage), ranges }));
    li.dataset.asset = m.asset_id;
    if (m.thumbs && m.thumbs.length) {
      const row = el('div', 'footage-thumbs');
      for (const th of m.thumbs) {
        const pair = el('div', 'thumb-pair');
        pair.append(thumbFigure(th.checked, t('thumbChecked', { at: clock(th.at_ms) }), 'checked'),
          thumbFigure(th.library, t('thumbLibrary', { at: clock(th.library_at_ms) }), 'library'));
        row.append(pair);
      }
      li.append(row);
    }
    ul.append(li);
  }
  if (ul.children.length) box.append(ul);
  return box;
}

// thumbFigure is one matched frame with its caption; only a JPEG data:
// URI from the server is shown, anything else says the frame is missing.
function thumbFigure(src, caption, side) {
  const fig = el('figure', 'thumb thumb-' + side);
  if (typeof src === 'string' && src.startsWith('data:image/jpeg;base64,')) {
    const img = el('img');
    img.src = src;
    img.alt = caption;
    fig.append(img);
  } else {
    fig.append(el('div', 'thumb-missing', t('thumbMissing')));
  }
  fig.append(el('figcaption', null, caption));
  return fig;
}

// renderElement shows one element's text; each matched span is a link to
// the library element it matches (the best match covering it).
function renderElement(er, text) {
  const box = el('div', 'el type-' + er.type);
  box.dataset.type = er.type;
  box.append(el('span', 'tag', t(er.type)));
  box.append(el('span', 'dup', pct(er.duplication)));
  const body = el('div', 'el-text');
  const cps = Array.from(text);
  const owner = new Array(cps.length).fill(-1);
  (er.matches || []).forEach((m, mi) => {
    for (const sp of m.spans || []) {
      for (let k = Math.max(0, sp.start); k < Math.min(cps.length, sp.end); k++) if (owner[k] < 0) owner[k] = mi;
    }
  });
  let i = 0;
  while (i < cps.length) {
    let j = i;
    while (j < cps.length && owner[j] === owner[i]) j++;
    const piece = cps.slice(i, j).join('');
    if (owner[i] < 0) {
      body.append(document.createTextNode(piece));
    } else {
      const m = er.matches[owner[i]];
      const a = el('a', 'hl', piece);
      a.href = '#element=' + encodeURIComponent(m.element_id);
      a.dataset.elementId = m.element_id;
      a.title = t('matchTitle', { asset: m.asset_id, sim: pct(m.similarity), cont: pct(m.containment) }) + '\n' + t('containmentExplain');
      a.addEventListener('click', (ev) => { ev.preventDefault(); showMatch(text, m, a); });
      body.append(a);
    }
    i = j;
  }
  box.append(body);
  return box;
}

// highlight fills node with text, wrapping code-point ranges in <mark>
// and the edits of edited spans in editTag (ins on the writer's side, del
// on the library's), as a diff shows them.
function highlight(node, text, ranges, edits, editTag) {
  node.replaceChildren();
  const cps = Array.from(text);
  const on = new Array(cps.length).fill(0);
  for (const [s, e] of ranges) for (let k = Math.max(0, s); k < Math.min(cps.length, e); k++) on[k] = 1;
  for (const [s, e] of edits || []) for (let k = Math.max(0, s); k < Math.min(cps.length, e); k++) on[k] = 2;
  let i = 0;
  while (i < cps.length) {
    let j = i;
    while (j < cps.length && on[j] === on[i]) j++;
    const piece = cps.slice(i, j).join('');
    if (on[i] === 0) node.append(document.createTextNode(piece));
    else node.append(el(on[i] === 1 ? 'mark' : editTag, on[i] === 2 ? 'edit' : null, piece));
    i = j;
  }
}

// spanEdits lists the edits of a match's edited spans, on the writer's
// side (mine) or the library's.
function spanEdits(m, mine) {
  const out = [];
  for (const sp of m.spans || []) {
    for (const e of sp.edits || []) out.push(mine ? [e.start, e.end] : [e.library_start, e.library_end]);
  }
  return out;
}

async function showMatch(myText, m, link) {
  for (const a of document.querySelectorAll('a.hl.active')) a.classList.remove('active');
  if (link) link.classList.add('active');
  const side = $('side');
  $('side-id').textContent = m.element_id;
  highlight($('side-mine'), myText, (m.spans || []).map((s) => [s.start, s.end]), spanEdits(m, true), 'ins');
  $('side-lib').textContent = '…';
  $('side-meta').textContent = '';
  side.hidden = false;
  try {
    const e = await api('GET', '/v1/elements/' + encodeURIComponent(m.element_id));
    $('side-meta').textContent = [t(e.type), e.asset_id, e.title || ''].filter(Boolean).join(' · ') +
      ' · ' + t('matchTitle', { asset: m.asset_id, sim: pct(m.similarity), cont: pct(m.containment) }) +
      ((m.spans || []).some((s) => s.kind === 'edited') ? ' · ' + t('editedCopy') : '');
    highlight($('side-lib'), e.text, (m.spans || []).map((s) => [s.library_start, s.library_end]), spanEdits(m, false), 'del');
  } catch (err) {
    $('side-lib').textContent = err.message;
  }
}

// ---- library view ---------------------------------------------------------

// appendFragment renders a server fragment (HTML-escaped text with
// <mark>…</mark>) by building nodes: only <mark> becomes an element, all
// else is text.
function appendFragment(node, frag) {
  let cur = node;
  for (const part of String(frag).split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') { const m = el('mark'); node.append(m); cur = m; continue; }
    if (part === '</mark>') { cur = node; continue; }
    if (part) cur.append(document.createTextNode(unescapeHTML(part)));
  }
}

function unescapeHTML(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos|#39);/g, (all, ent) => {
    switch (ent) {
      case 'lt': return '<';
      case 'gt': return '>';
      case 'amp': return '&';
      case 'quot': return '"';
      case 'apos': return "'";
    }
    const code = ent[1] === 'x' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
    try { return String.fromCodePoint(code); } catch (e) { return all; }
  });
}

// newestOf numbers one kind of request: each call starts a request and
// returns whether it is still the newest of its kind. Only the newest
// shows its answer: a slow answer to an earlier request (the search the
// library tab starts on its own, the period chosen before) must not
// replace the answer to a later one.
function newestOf() {
  let last = 0;
  return () => {
    const mine = ++last;
    return () => mine === last;
  };
}

const searches = newestOf();
const dashboardLoads = newestOf();

async function doSearch(ev) {
  if (ev) ev.preventDefault();
  const current = searches();
  state.search.q = $('q').value;
  const params = new URLSearchParams({ q: state.search.q, limit: '30' });
  if (state.search.type) params.set('type', state.search.type);
  for (const w of state.search.where) params.append('where', w);
  if (state.search.bpm) params.set('bpm', state.search.bpm);
  if (state.search.sort && state.search.sort !== 'score') params.set('sort', state.search.sort);
  const err = $('search-error');
  err.hidden = true;
  try {
    const res = await api('GET', '/v1/search?' + params.toString());
    if (!current()) return;
    state.searchResult = res;
    renderSearch(res);
  } catch (e) {
    if (!current()) return;
    err.textContent = e.message;
    err.hidden = false;
  }
}

function renderSearch(res) {
  $('search-total').textContent = t('total', { n: res.total });
  const facets = $('facets');
  facets.replaceChildren();
  const allBtn = el('button', state.search.type ? '' : 'active', t('all'));
  allBtn.type = 'button';
  allBtn.addEventListener('click', () => { state.search.type = ''; doSearch(); });
  facets.append(allBtn);
  for (const f of (res.facets && res.facets.type) || []) {
    const b = el('button', 'facet type-' + f.term + (state.search.type === f.term ? ' active' : ''), t(f.term) + ' (' + f.count + ')');
    b.type = 'button';
    b.dataset.type = f.term;
    b.addEventListener('click', () => { state.search.type = f.term; doSearch(); });
    facets.append(b);
  }
  renderChips(res);
  const list = $('search-results');
  list.replaceChildren();
  if (!res.hits.length) list.append(el('li', 'muted', t('noResults')));
  for (const h of res.hits) {
    const li = el('li', 'el type-' + h.type);
    li.append(el('span', 'tag', t(h.type)));
    li.append(el('strong', null, h.title || h.asset_id));
    li.append(el('code', 'muted', ' ' + h.id));
    const facts = [];
    if (h.plays !== undefined && h.plays !== null) facts.push(t('plays') + ' ' + Math.round(h.plays).toLocaleString());
    if (h.published) facts.push(t('published') + ' ' + fmtDate(h.published));
    if (facts.length) li.append(el('span', 'muted facts', ' · ' + facts.join(' · ')));
    if (h.fragments && h.fragments.length) {
      for (const f of h.fragments) {
        const p = el('div', 'frag el-text');
        appendFragment(p, f);
        li.append(p);
      }
    } else {
      li.append(el('div', 'frag el-text', h.text));
    }
    list.append(li);
  }
}

// ---- printable report -------------------------------------------------------

// printableReport posts the check form to /v1/report (the HTML report of
// `elib check --format html`) into a new tab the writer can print or save.
// With a file chosen, the form carries the file itself (as the check
// does), else the pasted text and its format.
function printableReport() {
  const err = $('check-error');
  err.hidden = true;
  const file = $('file').files[0];
  const text = $('script').value;
  if (!file && !text.trim()) { err.textContent = t('emptyScript'); err.hidden = false; return; }
  const big = file ? oversize(file) : '';
  if (big) { err.textContent = big; err.hidden = false; return; }
  $('report-text').disabled = $('report-format').disabled = !!file;
  $('report-file').disabled = !file;
  if (file) {
    $('report-file').files = $('file').files;
  } else {
    $('report-file').value = '';
    $('report-text').value = text;
    $('report-format').value = $('format').value;
  }
  $('report-form').submit();
}

// ---- dashboard ------------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const n = document.createElementNS(SVG, tag);
  for (const k of Object.keys(attrs || {})) n.setAttribute(k, String(attrs[k]));
  if (text !== undefined) n.textContent = String(text);
  return n;
}

async function loadDashboard() {
  const current = dashboardLoads();
  const err = $('dash-error');
  err.hidden = true;
  const params = new URLSearchParams();
  if ($('period').value) params.set('since', $('period').value);
  try {
    // A large library's stats are computed in the background and cached;
    // until they are, the server answers 503 with Retry-After.
    let stats;
    for (let tries = 0; ; tries++) {
      try {
        stats = await api('GET', '/v1/stats?' + params.toString());
        break;
      } catch (e) {
        if (e.status !== 503 || tries >= 20 || !current()) throw e;
        err.textContent = t('statsComputing');
        err.hidden = false;
        await new Promise((r) => setTimeout(r, 1000 * Math.max(2, e.retryAfter)));
      }
    }
    if (!current()) return;
    state.stats = stats;
    err.hidden = true;
    renderDashboard(state.stats);
    document.body.dataset.dashboard = 'ready';
  } catch (e) {
    if (!current()) return;
    err.textContent = e.message;
    err.hidden = false;
  }
}

function renderDashboard(st) {
  const p = st.period;
  const figs = $('dash-figures');
  figs.replaceChildren();
  const fig = (key, value, raw) => {
    const d = el('div', 'figure');
    d.dataset.key = key;
    d.dataset.value = String(raw);
    d.append(el('b', null, value), el('span', 'muted', t(key)));
    figs.append(d);
  };
  fig('periodAssets', p.assets, p.assets);
  fig('reuseRate', pct(p.reuse_rate), p.reuse_rate);
  fig('homogeneity', pct(p.homogeneity), p.homogeneity);
  fig('fatiguedCount', p.fatigued.length, p.fatigued.length);
  $('chart-reuse').replaceChildren(reuseChart(p.series || []));
  $('chart-levels').replaceChildren(levelChart(p.levels || {}));
  const ft = $('fatigued');
  ft.replaceChildren();
  if (!p.fatigued.length) ft.append(rowOf([t('none')]));
  else ft.append(headOf(['element', 'type', 'text', 'useCount', 'recentUses']));
  for (const f of p.fatigued) {
    const tr = rowOf([f.element_id, t(f.type), f.text, f.window_uses.length + ' ' + t('uses'),
      f.window_uses.map((u) => u.asset_id + ' ' + fmtDate(u.published)).join(', ')]);
    tr.dataset.elementId = f.element_id;
    tr.dataset.uses = String(f.window_uses.length);
    ft.append(tr);
  }
  const mr = $('most-reused');
  mr.replaceChildren();
  if (!p.most_reused.length) mr.append(rowOf([t('none')]));
  else mr.append(headOf(['element', 'type', 'text', 'useCount']));
  for (const r of p.most_reused) {
    const tr = rowOf([r.element_id, t(r.type), r.text, r.uses + ' ' + t('uses')]);
    tr.dataset.elementId = r.element_id;
    tr.dataset.uses = String(r.uses);
    mr.append(tr);
  }
}

// COLUMN_CLASSES style the dashboard tables' columns: ids and use lists
// may break anywhere, a type name never.
const COLUMN_CLASSES = ['c-id', 'c-type', 'c-text', 'c-count', 'c-uses'];

function rowOf(cells) {
  const tr = el('tr');
  cells.forEach((c, i) => tr.append(el('td', cells.length > 1 ? COLUMN_CLASSES[i] : null, c)));
  return tr;
}

function headOf(keys) {
  const tr = el('tr');
  keys.forEach((k, i) => tr.append(el('th', COLUMN_CLASSES[i], t(k))));
  return tr;
}

// reuseChart draws the reuse rate per bucket as an inline SVG line chart
// (0–100 % on the y axis, one point per week or month). The series is
// continuous (empty weeks or months are hollow points off the line); the
// x axis names months (or days) with the year under the first and under
// each January (or the first week of a year).
function reuseChart(series) {
  const W = 480, H = 210, L = 40, B = 40, T = 10, R = 10;
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', class: 'chart', 'aria-label': t('chartReuse') });
  for (const y of [0, 0.5, 1]) {
    const yy = T + (1 - y) * (H - T - B);
    s.append(svg('line', { x1: L, x2: W - R, y1: yy, y2: yy, class: 'grid' }));
    s.append(svg('text', { x: L - 4, y: yy + 4, 'text-anchor': 'end', class: 'axis' }, Math.round(y * 100) + '%'));
  }
  const n = series.length;
  const monthly = n > 1 && series[0].start.slice(8) === '01' && series[1].start.slice(8) === '01';
  const x = (i) => (n <= 1 ? (L + W - R) / 2 : L + i * (W - L - R) / (n - 1));
  const y = (v) => T + (1 - v) * (H - T - B);
  const full = series.map((b, i) => [b, i]).filter(([b]) => b.assets > 0);
  if (full.length > 1) s.append(svg('polyline', { points: full.map(([b, i]) => x(i) + ',' + y(b.reuse_rate)).join(' '), class: 'line' }));
  const every = Math.ceil(n / 12);
  let lastYear = '';
  series.forEach((b, i) => {
    const empty = !(b.assets > 0);
    const c = svg('circle', { cx: x(i), cy: y(b.reuse_rate), r: empty ? 2.5 : 4, class: 'point' + (empty ? ' empty' : ''), 'data-start': b.start, 'data-value': b.reuse_rate, 'data-assets': b.assets });
    c.append(svg('title', {}, b.start + ': ' + (empty ? t('noAssets') : pct(b.reuse_rate) + ' (' + b.assets + ')')));
    s.append(c);
    const year = b.start.slice(0, 4);
    const labelled = i % every === 0 || i === n - 1 || (monthly && b.start.slice(5, 7) === '01');
    if (!labelled) return;
    const label = monthly ? monthLabel(b.start) : b.start.slice(5);
    s.append(svg('text', { x: x(i), y: H - 22, 'text-anchor': 'middle', class: 'axis tick', 'data-start': b.start }, label));
    if (year !== lastYear) {
      s.append(svg('text', { x: x(i), y: H - 6, 'text-anchor': 'middle', class: 'axis year' }, year));
      lastYear = year;
    }
  });
  return s;
}

// monthLabel names a month bucket (2026-06-01 → 6月 / Jun).
function monthLabel(start) {
  const m = Number(start.slice(5, 7));
  if (state.lang === 'zh') return m + '月';
  return ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1];
}

// levelChart draws the number of period assets per platform level as bars
// (L3 and above in red: throttled).
function levelChart(levels) {
  const W = 320, H = 200, B = 30, T = 16;
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', class: 'chart', 'aria-label': t('chartLevels') });
  const names = ['L1', 'L2', 'L3', 'L4', 'L5'];
  const top = Math.max(1, ...names.map((k) => levels[k] || 0));
  const bw = W / names.length;
  names.forEach((k, i) => {
    const v = levels[k] || 0;
    const h = (H - T - B) * v / top;
    s.append(svg('rect', { x: i * bw + 8, y: H - B - h, width: bw - 16, height: h, class: 'bar-' + (LEVEL_THROTTLED[k] ? 'hot' : 'ok'), 'data-level': k, 'data-count': v }));
    s.append(svg('text', { x: i * bw + bw / 2, y: H - B - h - 3, 'text-anchor': 'middle', class: 'axis' }, v));
    s.append(svg('text', { x: i * bw + bw / 2, y: H - 10, 'text-anchor': 'middle', class: 'axis' }, k));
  });
  return s;
}

// ---- packs ----------------------------------------------------------------

async function loadPacks() {
  const err = $('packs-error');
  err.hidden = true;
  try {
    state.packs = await api('GET', '/v1/packs');
    renderPacks(state.packs);
  } catch (e) {
    err.textContent = e.message;
    err.hidden = false;
  }
}

function renderPacks(res) {
  const ul = $('packs');
  ul.replaceChildren();
  if (!res.packs.length) ul.append(el('li', 'muted', t('none')));
  for (const p of res.packs) {
    const li = el('li', 'pack');
    li.dataset.id = p.id;
    li.append(el('strong', null, p.title + ' '), el('code', 'muted', p.id));
    const slots = p.elements.filter((e) => e.slot).map((e) => t(e.type));
    li.append(el('div', 'muted', t('from') + ' ' + p.from + ' · ' + t('slots') + ' ' + slots.join(', ')));
    const links = el('div', 'row');
    links.append(el('span', null, t('exportAs') + ':'));
    for (const f of ['html', 'md', 'json']) {
      const a = el('a', 'export', f.toUpperCase());
      a.href = '/v1/packs/' + encodeURIComponent(p.id) + '/export?format=' + f;
      a.target = '_blank';
      a.rel = 'noopener';
      a.dataset.format = f;
      links.append(a);
    }
    li.append(links);
    ul.append(li);
  }
}

// FILTER_FACETS are the facets shown as filter chips: facet name → the
// where key (bpm is a range parameter of its own).
const FILTER_FACETS = ['camera', 'subtitle_color', 'bpm', 'platform', 'campaign'];

// bpmRange turns a BPM facet band ("<90", "90-110", "150+") into the bpm
// parameter's LO-HI (bands are [lo, hi); the parameter is inclusive).
function bpmRange(term) {
  if (term.startsWith('<')) return '0-' + (Number(term.slice(1)) - 0.001);
  if (term.endsWith('+')) return term.slice(0, -1) + '-';
  const [lo, hi] = term.split('-');
  return lo + '-' + (Number(hi) - 0.001);
}

// renderChips shows the active filters (click to remove) and, per facet,
// the values of the current hits (click to filter by one).
function renderChips(res) {
  const box = $('chips');
  box.replaceChildren();
  const active = el('div', 'chips-active');
  const chip = (label, onclick, cls) => {
    const b = el('button', 'chip ' + (cls || ''), label);
    b.type = 'button';
    b.addEventListener('click', onclick);
    return b;
  };
  state.search.where.forEach((w, i) => {
    const c = chip(w + ' ×', () => { state.search.where.splice(i, 1); doSearch(); }, 'on');
    c.dataset.where = w;
    active.append(c);
  });
  if (state.search.bpm) active.append(chip('bpm=' + state.search.bpm + ' ×', () => { state.search.bpm = ''; doSearch(); }, 'on'));
  const sortSel = el('select', 'sort');
  sortSel.id = 'sort';
  for (const [v, k] of [['score', 'sortScore'], ['plays', 'sortPlays'], ['created', 'sortCreated']]) {
    const o = el('option', null, t(k));
    o.value = v;
    o.selected = state.search.sort === v;
    sortSel.append(o);
  }
  sortSel.addEventListener('change', () => { state.search.sort = sortSel.value; doSearch(); });
  active.append(sortSel);
  box.append(active);
  for (const name of FILTER_FACETS) {
    const counts = (res.facets && res.facets[name]) || [];
    if (!counts.length) continue;
    const row = el('div', 'chip-row');
    row.dataset.facet = name;
    row.append(el('span', 'muted', t('f' + name) + ' '));
    for (const f of counts) {
      const c = chip(f.term + ' (' + f.count + ')', () => {
        if (name === 'bpm') state.search.bpm = bpmRange(f.term);
        else if (!state.search.where.includes(name + '=' + f.term)) state.search.where.push(name + '=' + f.term);
        doSearch();
      });
      c.dataset.term = f.term;
      row.append(c);
    }
    box.append(row);
  }
}

// ---- wiring ---------------------------------------------------------------

const VIEWS = ['check', 'library', 'dashboard', 'packs', 'history'];

function showView(name) {
  for (const v of VIEWS) {
    $('view-' + v).hidden = name !== v;
    $('tab-' + v).classList.toggle('active', name === v);
  }
  if (name === 'library' && !state.searchResult) doSearch();
  if (name === 'dashboard') loadDashboard();
  if (name === 'packs') loadPacks();
  if (name === 'history') loadHistory(); // history.js
}

document.addEventListener('DOMContentLoaded', async () => {
  $('check-form').addEventListener('submit', onCheck);
  $('search-form').addEventListener('submit', doSearch);
  for (const v of VIEWS) $('tab-' + v).addEventListener('click', () => showView(v));
  $('period').addEventListener('change', loadDashboard);
  $('report-btn').addEventListener('click', printableReport);
  $('side-close').addEventListener('click', () => { $('side').hidden = true; });
  $('file').addEventListener('change', () => {
    const f = $('file').files[0];
    if (f) {
      const ext = f.name.split('.').pop().toLowerCase();
      if ([...$('format').options].some((o) => o.value === ext)) $('format').value = ext;
    }
  });
  $('lang-toggle').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    try { localStorage.setItem('elib.lang', state.lang); } catch (e) { /* ignore */ }
    applyLang();
    if (typeof reportAction === 'function') reportAction(); // history.js: the report's language
  });
  applyLang();
  // The cookie is per session; the token kept in localStorage renews it.
  if (storedToken()) saveToken(storedToken());
  try {
    state.info = await api('GET', '/v1/info');
    renderInfo();
  } catch (e) { /* the page still works without it */ }
  document.body.dataset.ready = '1';
});
