// chancheng explorer: the report's levers on the left, the paired answer on the right.
// The page holds only lever settings; every number comes from the server, which runs exactly
// the scenario file that "Save scenario" downloads.
"use strict";

const T = {
  zh: {
    title: "产城 · 政策探索", preset: "方案预设", reset: "恢复现状", save: "保存情景", briefing: "简报",
    link: "复制链接", lang: "English", deltas: "与现状的配对差（95% 置信区间）", over_time: "关键指标随时间（中位数与 5–95% 区间）",
    coupling: "产城耦合：U₁（产业）、U₂（城市）与协调度 D", map: "各区常住人口与通勤流（本方案，末年）",
    cost: "成本效益：每亿元累计公共支出带来的变化（末年）", warnings: "实施预警（本方案）",
    status_quo: "现状", view: "本方案", from: "起始月", sq_value: "现状值", none: "无",
    running: (d, n) => `已完成 ${d} / ${n} 对配对模拟…`, done: (d, n) => `已完成全部 ${n} 对配对模拟`,
    cancelled: "已取消（新的设置）", failed: "运行失败", waiting: "等待第一对模拟…",
    indicator: "指标", unit: "单位", no_warnings: "无预警",
    cost_note: (c) => `累计公共支出变化：${c}`, cost_none: "公共支出变化过小或不显著，不计算比值。", in_runs: (k, n) => `（${n} 次中 ${k} 次）`,
    intro: (s) => `相对于“${s}”：每项设置都在相同随机数上与现状成对运行；区间随模拟完成而收窄。`,
    copied: "链接已复制到地址栏", packages: "报告的四组建议", custom: "（自定义）",
  },
  en: {
    title: "chancheng · policy explorer", preset: "Preset", reset: "Status quo", save: "Save scenario", briefing: "Briefing",
    link: "Copy link", lang: "中文", deltas: "Paired difference to the status quo (95 % interval)",
    over_time: "Key indicators over time (median and 5–95 % band)",
    coupling: "Industry–city coupling: U₁ (industry), U₂ (city) and D", map: "Residents and commuting by district (this view, final year)",
    cost: "Cost-effectiveness: change per 亿元 of cumulative public cost (final year)", warnings: "Implementation warnings (this view)",
    status_quo: "status quo", view: "this view", from: "from", sq_value: "status quo", none: "none",
    running: (d, n) => `${d} of ${n} paired runs finished…`, done: (d, n) => `all ${n} paired runs finished`,
    cancelled: "cancelled (new settings)", failed: "a run failed", waiting: "waiting for the first pair of runs…",
    indicator: "indicator", unit: "unit", no_warnings: "no warnings",
    cost_note: (c) => `change in cumulative public cost: ${c}`, cost_none: "the change in public cost is too small or within noise: no ratio shown.", in_runs: (k, n) => ` (in ${k} of ${n} runs)`,
    intro: (s) => `Against “${s}”: every setting runs paired with the status quo on common random numbers; intervals tighten as runs finish.`,
    copied: "link copied to the address bar", packages: "The report's four packages", custom: "(custom)",
  },
};

const TABLE_IDS = ["gdp", "employment", "unemployment_rate", "pendulum_index", "zone_residents",
  "coupling_coordination", "debt_incl_ppp", "public_cost_cumulative"];
const CHART_IDS = ["gdp", "employment", "pendulum_index", "zone_residents", "unemployment_rate", "debt_incl_ppp"];
const COUPLING_IDS = ["industry_subsystem", "city_subsystem", "coupling_coordination"];
const FONT = '"WenQuanYi Micro Hei Subset", sans-serif';

const state = {
  lang: document.body.dataset.lang === "en" ? "en" : "zh",
  catalogue: null,
  levers: {},        // scenario key -> {value, from}: only what differs from the status quo
  source: null,
  status: { done: 0, runs: 0, state: "idle" },
  answer: null,
  charts: {},
  timer: null,
  requests: 0,       // views asked for so far (the browser test waits on it)
};

const t = (k, ...a) => { const v = T[state.lang][k]; return typeof v === "function" ? v(...a) : v; };
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const kid of kids) if (kid != null) e.append(kid);
  return e;
};

// ---------- numbers as planners read them ----------
function fmtValue(v, unit) {
  if (v === null || v === undefined) return "–";
  if (typeof v === "boolean") return state.lang === "zh" ? (v ? "是" : "否") : (v ? "on" : "off");
  if (typeof v === "string") return v;
  if (unit && unit.startsWith("CNY")) {
    const yi = v / 1e8;
    return state.lang === "zh" ? `${+yi.toFixed(2)} 亿元${unit.endsWith("/yr") ? "/年" : ""}` : `${+(v / 1e9).toFixed(3)} bn CNY${unit.endsWith("/yr") ? "/yr" : ""}`;
  }
  return `${+Number(v).toPrecision(4)}${unit && unit !== "on/off" ? " " + unit : ""}`;
}

// ---------- the request ----------
function request() {
  return JSON.stringify({ levers: state.levers });
}
function query(extra = "") {
  return `s=${encodeURIComponent(request())}&lang=${state.lang}${extra}`;
}
function saveToHash() {
  const hash = `#s=${encodeURIComponent(request())}&lang=${state.lang}`;
  if (location.hash !== hash) history.replaceState(null, "", hash);
}
function loadFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.get("lang") === "en" || params.get("lang") === "zh") state.lang = params.get("lang");
  const s = params.get("s");
  if (!s) return;
  try { state.levers = JSON.parse(s).levers || {}; } catch (e) { state.levers = {}; }
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(run, 250);
}

async function run() {
  state.requests += 1;
  saveToHash();
  renderLeverMarks();
  if (state.source) { state.source.close(); state.source = null; }
  document.querySelectorAll(".lever .err").forEach((e) => (e.textContent = ""));
  const errorBox = document.getElementById("error");
  errorBox.hidden = true;
  const checked = await fetch(`/api/check?${query()}`);
  if (!checked.ok) {
    const body = await checked.json().catch(() => ({ error: checked.statusText }));
    const where = body.key && document.querySelector(`.lever[data-key="${CSS.escape(body.key)}"] .err`);
    if (where) where.textContent = body.error;
    errorBox.textContent = body.error;
    errorBox.hidden = false;
    setStatus({ done: 0, runs: state.status.runs, state: "failed" });
    return;
  }
  setStatus({ done: 0, runs: state.status.runs, state: "waiting" });
  const source = new EventSource(`/api/stream?${query()}`);
  state.source = source;
  source.addEventListener("start", (e) => setStatus({ done: 0, runs: JSON.parse(e.data).runs, state: "waiting" }));
  source.addEventListener("view", (e) => {
    const answer = JSON.parse(e.data);
    state.answer = answer;
    setStatus({ done: answer.done, runs: answer.runs, state: answer.done === answer.runs ? "done" : "running" });
    render(answer);
  });
  source.addEventListener("end", (e) => {
    const end = JSON.parse(e.data);
    if (end.status === "failed") { errorBox.textContent = end.message; errorBox.hidden = false; }
    setStatus({ done: end.done, runs: state.status.runs, state: end.status });
    source.close();
    if (state.source === source) state.source = null;
  });
  source.onerror = () => { source.close(); };
}

function setStatus(s) {
  state.status = s;
  const text = { waiting: t("waiting"), running: t("running", s.done, s.runs), done: t("done", s.done, s.runs),
    cancelled: t("cancelled"), failed: t("failed"), idle: "" }[s.state] || "";
  document.getElementById("status").textContent = text;
  document.getElementById("progress-fill").style.width = s.runs ? `${(100 * s.done) / s.runs}%` : "0";
}

// ---------- the levers ----------
function leverLabel(l) {
  const name = state.lang === "zh" ? l.name_zh : l.name_en;
  const district = state.lang === "zh" ? l.district_zh : l.district_en;
  return district ? `${name} · ${district}` : name;
}

function current(l) {
  return state.levers[l.key] || l.status_quo || { value: null, from: null };
}

function setLever(key, value, from) {
  const l = findLever(key);
  if (!l) throw new Error(`no lever ${key}`);
  const sq = l.status_quo || {};
  const next = { value, from: from || null };
  if (next.value === sq.value && (next.from || null) === (sq.from || null)) delete state.levers[key];
  else state.levers[key] = next;
  document.getElementById("preset").value = "";
  syncControl(l);
  schedule();
}

function findLever(key) {
  for (const p of state.catalogue.packages) for (const l of p.levers) if (l.key === key) return l;
  return null;
}

function leverControl(l) {
  const box = el("div", { class: "lever", "data-key": l.key });
  box.append(el("div", { class: "name", text: leverLabel(l) }));
  box.append(el("div", { class: "meta",
    text: `${l.report_ids} · ${l.unit} · ${t("sq_value")}: ${fmtValue(l.status_quo && l.status_quo.value, l.unit)}` }));
  const row = el("div", { class: "row" });
  if (l.kind === "switch") {
    const c = el("input", { type: "checkbox" });
    c.addEventListener("change", () => setLever(l.key, c.checked, current(l).from));
    row.append(c);
  } else if (l.kind === "choice") {
    const s = el("select");
    for (const c of l.choices) s.append(el("option", { value: c, text: c }));
    s.addEventListener("change", () => setLever(l.key, s.value, current(l).from));
    row.append(s);
  } else {
    const step = (l.max - l.min) / 200;
    const r = el("input", { type: "range", min: l.min, max: l.max, step: step > 0 ? step : "any" });
    const n = el("input", { type: "number", min: l.min, max: l.max, step: "any" });
    const integer = Number.isInteger(l.status_quo && l.status_quo.value);
    const value = (x) => (integer ? Math.round(Number(x)) : Number(x));
    r.addEventListener("input", () => { n.value = value(r.value); });
    r.addEventListener("change", () => setLever(l.key, value(r.value), current(l).from));
    n.addEventListener("change", () => setLever(l.key, value(n.value), current(l).from));
    row.append(r, n);
  }
  const m = el("input", { type: "month", title: t("from") });
  m.addEventListener("change", () => setLever(l.key, current(l).value, m.value || null));
  const when = el("div", { class: "row" }, el("span", { class: "meta", text: t("from") }), m);
  box.append(row, when, el("div", { class: "mech", text: l.mechanism }), el("div", { class: "err" }));
  return box;
}

function syncControl(l) {
  const box = document.querySelector(`.lever[data-key="${CSS.escape(l.key)}"]`);
  if (!box) return;
  const c = current(l);
  const input = box.querySelector("input[type=checkbox], select, input[type=number]");
  if (l.kind === "switch") input.checked = !!c.value;
  else input.value = c.value;
  const range = box.querySelector("input[type=range]");
  if (range) range.value = c.value;
  box.querySelector("input[type=month]").value = c.from || "";
}

function renderLeverMarks() {
  document.querySelectorAll(".lever").forEach((b) => b.classList.toggle("changed", b.dataset.key in state.levers));
}

function buildLevers() {
  const aside = document.getElementById("levers");
  aside.replaceChildren(el("h2", { text: t("packages") }));
  for (const p of state.catalogue.packages) {
    const d = el("details", { class: "package", open: "" });
    d.append(el("summary", { text: `${p.id} ${state.lang === "zh" ? p.name_zh : p.name_en}` }));
    for (const l of p.levers) d.append(leverControl(l));
    aside.append(d);
  }
  for (const p of state.catalogue.packages) for (const l of p.levers) syncControl(l);
  renderLeverMarks();
  const preset = document.getElementById("preset");
  preset.replaceChildren(el("option", { value: "", text: t("custom") }),
    el("option", { value: "__status_quo", text: state.lang === "zh" ? state.catalogue.scenario.label_zh : state.catalogue.scenario.label_en }));
  for (const p of state.catalogue.presets) preset.append(el("option", { value: p.name, text: state.lang === "zh" ? p.label_zh : p.label_en }));
}

function applyPreset(name) {
  if (!name) return;
  const preset = state.catalogue.presets.find((p) => p.name === name);
  state.levers = {};
  if (preset) for (const [k, v] of Object.entries(preset.levers)) if (findLever(k)) state.levers[k] = { value: v.value, from: v.from || null };
  for (const p of state.catalogue.packages) for (const l of p.levers) syncControl(l);
  schedule();
}

// ---------- the answer ----------
function render(a) {
  renderTable(a);
  renderSeries(a);
  renderCoupling(a);
  renderMap(a);
  renderCost(a);
  renderWarnings(a);
}

function renderTable(a) {
  const years = [...new Set(a.deltas.map((d) => d.year))];
  const last = years[years.length - 1];
  const table = el("table");
  const head = el("tr", {}, el("th", { text: t("indicator") }), el("th", { text: t("unit") }),
    el("th", { text: `${last}: ${t("status_quo")}` }));
  for (const y of years) head.append(el("th", { text: `Δ ${y}` }));
  table.append(head);
  for (const id of TABLE_IDS) {
    const rows = a.deltas.filter((d) => d.id === id);
    if (!rows.length) continue;
    const reference = rows.find((r) => r.year === last);
    const tr = el("tr", {}, el("td", { text: rows[0].name }), el("td", { text: rows[0].unit }),
      el("td", { text: reference ? reference.reference : "–" }));
    for (const y of years) {
      const d = rows.find((r) => r.year === y);
      const cell = el("td", { "data-delta": `${id}:${y}` }, el("span", { class: "delta", text: d.delta }), " ",
        el("span", { class: "ci", text: `[${d.low}, ${d.high}]` }));
      if (d.excludes_zero) cell.className = d.delta_value > 0 ? "up" : "down";
      tr.append(cell);
    }
    table.append(tr);
  }
  document.getElementById("delta-table").replaceChildren(table);
}

function chart(id) {
  const node = document.getElementById(id);
  if (!state.charts[id]) state.charts[id] = echarts.init(node, null, { renderer: "canvas" });
  return state.charts[id];
}

function bandSeries(name, band, colour, dashed) {
  const lower = band.p5.map((v) => (Number.isFinite(v) ? v : null));
  const width = band.p95.map((v, i) => (Number.isFinite(v) && lower[i] !== null ? v - lower[i] : null));
  const stack = `band-${name}`;
  return [
    { name, type: "line", data: band.p50, symbol: "none", lineStyle: { color: colour, width: 2, type: dashed ? "dashed" : "solid" }, itemStyle: { color: colour }, z: 3 },
    { type: "line", data: lower, stack, symbol: "none", lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } },
    { type: "line", data: width, stack, symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: colour, opacity: 0.18 }, silent: true, tooltip: { show: false } },
  ];
}

function renderSeries(a) {
  const box = document.getElementById("charts");
  if (box.children.length !== CHART_IDS.length) {
    box.replaceChildren(...CHART_IDS.map((id) => el("div", { id: `chart-${id}`, class: "chart" })));
    state.charts = Object.fromEntries(Object.entries(state.charts).filter(([k]) => !k.startsWith("chart-") || !CHART_IDS.includes(k.slice(6))));
  }
  for (const id of CHART_IDS) {
    const s = a.series.find((x) => x.id === id);
    if (!s) continue;
    chart(`chart-${id}`).setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      title: { text: `${s.name} (${s.unit})`, textStyle: { fontSize: 13, fontFamily: FONT }, left: 6, top: 4 },
      grid: { left: 54, right: 12, top: 40, bottom: 28 },
      tooltip: { trigger: "axis" },
      legend: { show: false },
      xAxis: { type: "category", data: a.years, axisLabel: { interval: 4 } },
      yAxis: { type: "value", scale: true },
      series: [...bandSeries(t("status_quo"), s.reference, "#6b7280", true), ...bandSeries(t("view"), s.view, "#d55e00", false)],
    }, true);
  }
}

function renderCoupling(a) {
  const colours = { industry_subsystem: "#0072b2", city_subsystem: "#009e73", coupling_coordination: "#d55e00" };
  const series = [];
  for (const id of COUPLING_IDS) {
    const s = a.series.find((x) => x.id === id);
    if (!s) continue;
    series.push(...bandSeries(s.name, s.view, colours[id], false));
    series.push({ name: `${s.name} · ${t("status_quo")}`, type: "line", data: s.reference.p50, symbol: "none", lineStyle: { color: colours[id], type: "dashed", width: 1 }, itemStyle: { color: colours[id] } });
  }
  chart("chart-coupling").setOption({
    animation: false, textStyle: { fontFamily: FONT },
    grid: { left: 44, right: 12, top: 56, bottom: 28 }, tooltip: { trigger: "axis" },
    legend: { top: 4, textStyle: { fontSize: 11, fontFamily: FONT }, data: series.filter((s) => s.name).map((s) => s.name) },
    xAxis: { type: "category", data: a.years, axisLabel: { interval: 4 } },
    yAxis: { type: "value", min: 0, max: 1 },
    series,
  }, true);
}

function renderMap(a) {
  const m = a.map;
  const colours = { cluster: "#e69f00", city: "#56b4e9", rural: "#009e73" };
  const residents = m.residents_view;
  const biggest = Math.max(...residents, 1);
  const nodes = m.districts.map((d, i) => ({
    name: d.name, x: d.x, y: d.y, symbolSize: 18 + 50 * Math.sqrt(residents[i] / biggest),
    itemStyle: { color: colours[d.kind] || "#999" },
    label: { show: true, formatter: `${d.name}\n${fmtCount(residents[i])}`, fontFamily: FONT, fontSize: 11 },
  }));
  const links = [];
  let maxFlow = 1;
  m.flows_view.forEach((row, i) => row.forEach((f, j) => { if (i !== j) maxFlow = Math.max(maxFlow, f); }));
  m.flows_view.forEach((row, i) => row.forEach((f, j) => {
    if (i !== j && f >= 0.01 * maxFlow) links.push({ source: i, target: j, value: f,
      lineStyle: { width: 1 + 9 * (f / maxFlow), curveness: 0.2, opacity: 0.7, color: "#555" } });
  }));
  chart("chart-map").setOption({
    animation: false, textStyle: { fontFamily: FONT },
    tooltip: { formatter: (p) => (p.dataType === "edge" ? `${m.districts[p.data.source].name} → ${m.districts[p.data.target].name}: ${fmtCount(p.data.value)}` : p.name) },
    series: [{ type: "graph", layout: "none", roam: true, data: nodes, links, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8 }],
  }, true);
}

function fmtCount(n) {
  if (state.lang === "zh") return n >= 1e4 ? `${(n / 1e4).toFixed(1)} 万人` : `${Math.round(n)} 人`;
  return n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : `${Math.round(n)}`;
}

function renderCost(a) {
  const c = a.cost;
  document.getElementById("cost-note").textContent = t("cost_note", c.public_cost_delta) + (c.measurable ? "" : ` — ${t("cost_none")}`);
  const rows = c.measurable ? c.outcomes.filter((o) => o.per_yi_value !== null) : [];
  document.getElementById("chart-cost").style.display = rows.length ? "" : "none";
  if (!rows.length) return;
  chart("chart-cost").setOption({
    animation: false, textStyle: { fontFamily: FONT },
    grid: { left: 150, right: 60, top: 10, bottom: 24 }, tooltip: {},
    xAxis: { type: "value" },
    yAxis: { type: "category", data: rows.map((o) => `${o.name} (${o.unit})`), axisLabel: { fontFamily: FONT, fontSize: 11 } },
    series: [{ type: "bar", data: rows.map((o) => o.per_yi_value), itemStyle: { color: "#d55e00" },
      label: { show: true, position: "right", formatter: (p) => rows[p.dataIndex].per_yi } }],
  }, true);
}

function renderWarnings(a) {
  const list = document.getElementById("warnings");
  if (!a.warnings.length) { list.replaceChildren(el("li", { text: t("no_warnings") })); return; }
  list.replaceChildren(...a.warnings.map((w) => el("li", { text: w.text + t("in_runs", w.runs, w.of) })));
}

// ---------- the page ----------
function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  document.getElementById("title").textContent = t("title");
  document.querySelectorAll("[data-t]").forEach((e) => (e.textContent = t(e.dataset.t)));
  document.getElementById("lang-switch").textContent = t("lang");
  const s = state.catalogue && state.catalogue.scenario;
  if (s) document.getElementById("intro").textContent = t("intro", state.lang === "zh" ? s.label_zh : s.label_en);
}

async function start() {
  loadFromHash();
  state.catalogue = await (await fetch("/api/catalogue")).json();
  applyLanguage();
  buildLevers();
  document.getElementById("preset").addEventListener("change", (e) => applyPreset(e.target.value === "__status_quo" ? "__none" : e.target.value));
  document.getElementById("reset").addEventListener("click", () => applyPreset("__none"));
  document.getElementById("save").addEventListener("click", () => { location.href = `/api/scenario.toml?${query()}`; });
  document.getElementById("briefing").addEventListener("click", () => { location.href = `/api/briefing?${query()}`; });
  document.getElementById("link").addEventListener("click", () => { saveToHash(); document.getElementById("status").textContent = t("copied"); });
  document.getElementById("lang-switch").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    applyLanguage();
    buildLevers();
    run();
  });
  window.addEventListener("resize", () => Object.values(state.charts).forEach((c) => c.resize()));
  run();
}

// What the browser test reads and drives.
window.explorer = {
  status: () => ({ ...state.status, request: state.requests }),
  setLever: (key, value, from) => setLever(key, value, from),
  delta: (id, year) => {
    const d = state.answer && state.answer.deltas.find((x) => x.id === id && x.year === year);
    return d ? { delta: d.delta, low: d.low, high: d.high } : null;
  },
  shown: (id, year) => {
    const cell = document.querySelector(`[data-delta="${id}:${year}"]`);
    return cell ? cell.textContent : null;
  },
  request: () => request(),
};

start();
