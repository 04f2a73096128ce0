// somnomotor review — the page.  Plain JavaScript, no libraries, no external requests.
// Text from files (channel labels, names) is always set with textContent, never as HTML.
"use strict";

(function () {
  // Event kinds, their labels, colours and headline figures: the server's kind
  // registry (GET /api/kinds), the same palette as the night report.
  let KINDS = [];
  const KIND_COLORS = {};
  const OTHER_COLOR = "#444";
  const STAGE_LEVEL = { W: 0, R: 1, N1: 2, N2: 3, N3: 4 };
  const STAGE_COLOR = { W: "#e6a23c", R: "#d62728", N1: "#8fb8de", N2: "#3f7fbf", N3: "#1f3f7f" };
  const DERIVED_ROW = "(derived)";
  const DEFAULT_WINDOW_S = 20;
  const AXIS_LEFT = 110;  // px: hypnogram and raster share one time axis

  const $ = (id) => document.getElementById(id);
  const state = {
    nights: [], night: null, hyp: null, events: [], visible: [], selKey: null,
    kinds: new Set(), status: "", win: DEFAULT_WINDOW_S, pinned: new Set(), signals: [],
    drag: null, mark: null, seq: 0, rows: [], loading: false,
    startS: null, epochMode: false, epochIndex: 0,
  };

  // ---------------------------------------------------------------- helpers
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  // Clock time of the recording start (s after midnight), read from the ISO text of
  // summary.provenance.recording_start as written (the recording's own wall clock).
  function parseStart(iso) {
    const m = /T?(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(iso || "");
    return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
  }

  // Clock time (HH:MM:SS.s) of s seconds from the recording start; "+h:mm:ss.s" from
  // the start when the recording does not say when it began.
  function fmtTime(s, decimals) {
    if (s === null || s === undefined || !isFinite(s)) return "—";
    const d = decimals === undefined ? 1 : decimals;
    const clock = state.startS !== null;
    const t = clock ? (((state.startS + s) % 86400) + 86400) % 86400 : s;
    // truncated to d decimals once, in whole units, as a clock shows it (the report does
    // the same): 59.96 s is never "60.0", and every precision names the same second
    const scale = 10 ** d, units = Math.floor(t * scale + 1e-6);
    const whole = Math.floor(units / scale), frac = units - whole * scale;
    const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), sec = whole % 60;
    const secText = String(sec).padStart(2, "0") + (d ? "." + String(frac).padStart(d, "0") : "");
    return clock ? `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${secText}`
      : `+${h}:${String(m).padStart(2, "0")}:${secText}`;
  }

  function fmtNum(v, digits) {
    return v === null || v === undefined || !isFinite(v) ? "—" : Number(v).toFixed(digits);
  }

  function say(text, isError) {
    const m = $("message");
    m.textContent = text;
    m.className = isError ? "message error" : "message";
    m.hidden = !text;
  }

  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    if (opts.body !== undefined && typeof opts.body !== "string") {
      opts.body = JSON.stringify(opts.body);
      opts.headers["Content-Type"] = "application/json";
    }
    const res = await fetch(path, opts);
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const msg = data && data.error ? data.error : `${res.status} ${res.statusText}`;
      const err = new Error(msg);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  function nightPath(id) {
    return "/api/nights/" + id.split("/").map(encodeURIComponent).join("/");
  }

  function reviewer() {
    const input = $("reviewer");
    const name = input.value.trim();
    if (!name) {
      input.classList.add("missing");
      input.focus();
      say("Type your name as reviewer first: every decision records who made it.", true);
      return null;
    }
    input.classList.remove("missing");
    try { localStorage.setItem("somnomotor.reviewer", name); } catch (e) { /* private mode */ }
    return name;
  }

  function setupCanvas(canvas) {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(100, canvas.clientWidth), h = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return { ctx, w, h };
  }

  // ---------------------------------------------------------------- routing
  function route() {
    const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
    if (hash.startsWith("night/")) openNight(hash.slice(6));
    else showList();
  }

  function crumbs(parts) {
    const c = $("crumbs");
    c.textContent = "";
    parts.forEach((p, i) => { if (i) c.append(" › "); c.append(el("span", p)); });
  }

  // ---------------------------------------------------------------- night list
  async function showList() {
    state.night = null;
    $("night-view").hidden = true;
    $("list-view").hidden = false;
    crumbs(["nights"]);
    try {
      const data = await api("/api/nights");
      state.nights = data.nights;
      renderListHeadings();
      const body = $("nights-table").querySelector("tbody");
      body.textContent = "";
      $("list-hint").textContent = data.nights.length
        ? `${data.nights.length} night(s) under ${data.root}. Click a night to review it.`
        : `No analysed nights under ${data.root} (a night folder holds events.csv and summary.json).`;
      for (const n of data.nights) {
        const tr = el("tr");
        tr.dataset.night = n.id;
        tr.append(el("td", n.id));
        if (n.error) {
          const td = el("td", n.error, "status-rejected");
          td.colSpan = 5 + reviewHeadlines().length;
          tr.append(td);
        } else {
          const f = n.figures || {};
          tr.append(el("td", n.input_file || "—"),
            el("td", n.subject ? `${n.subject} · ${n.night_date}` : "—"),
            el("td", fmtNum(f.tst_h, 2), "num"),
            ...reviewHeadlines().map((h) => el("td", fmtNum(f[h.key], h.digits), "num")),
            el("td", n.events, "num"), el("td", reviewText(n.review)));
        }
        tr.addEventListener("click", () => { location.hash = "#/night/" + encodeURIComponent(n.id); });
        body.append(tr);
      }
      say("");
    } catch (e) { say(e.message, true); }
  }

  // The registry's review headlines (PLMS, PLMW, myoclonus …), in registry order.
  function reviewHeadlines() {
    return KINDS.flatMap((k) => k.headlines);
  }

  function renderListHeadings() {
    const events = $("events-heading");
    for (const th of [...events.parentNode.querySelectorAll("th.headline")]) th.remove();
    for (const h of reviewHeadlines()) {
      const th = el("th", h.label + (h.unit ? " " + h.unit : ""), "headline");
      events.before(th);
    }
  }

  function reviewText(r) {
    if (!r) return "—";
    const total = r.accepted + r.rejected + r.pending;
    const done = r.accepted + r.rejected;
    let t = `${done}/${total} reviewed (${r.accepted} accepted, ${r.rejected} rejected`;
    if (r.added) t += `, ${r.added} added`;
    t += ")";
    if (r.orphaned) t += ` · ${r.orphaned} decision(s) on events no longer in events.csv`;
    return t;
  }

  // ---------------------------------------------------------------- one night
  async function openNight(id) {
    $("list-view").hidden = true;
    $("night-view").hidden = false;
    crumbs(["nights", id]);
    try {
      const base = nightPath(id);
      const [summary, hyp, evs] = await Promise.all([
        api(base + "/summary"), api(base + "/hypnogram"), api(base + "/events")]);
      state.night = summary;
      state.hyp = hyp;
      state.startS = parseStart(((summary.summary || {}).provenance || {}).recording_start);
      state.events = evs.events;
      if (!state.kinds.size || ![...state.kinds].some((k) => summary.kinds.includes(k))) {
        state.kinds = new Set(summary.kinds);
      }
      renderNightHead();
      renderKindFilters();
      fillSelects();
      applyFilter();
      const first = state.visible.find((e) => e.status === "pending") || state.visible[0];
      select(first ? first.key : null);
      say(summary.signal.available ? "" : summary.signal.reason, false);
    } catch (e) {
      say(e.message, true);
      if (e.status === 404) crumbs(["nights", id + " (not found)"]);
    }
  }

  function renderNightHead() {
    const n = state.night, s = n.summary;
    $("night-title").textContent = n.id;
    const f = $("night-figures");
    f.textContent = "";
    const basis = s.index_basis === "recording" ? "recording" : "sleep";
    const items = [["TST", fmtNum(s.tst_h, 2) + " h"]];
    // every index names its denominator; indices over too little sleep say so
    const caveat = s.indices_interpretable === false ? " (not interpretable)" : "";
    for (const h of reviewHeadlines()) {
      const isIndex = h.unit === "/h";
      const unit = !isIndex ? h.unit
        : h.key.startsWith("plmw") ? "/h wake after sleep onset" : `/h ${basis}`;
      const v = fmtNum(s[h.key], h.digits);
      items.push([h.label, v + (v === "—" ? "" : " " + unit.trim() + (isIndex ? caveat : ""))]);
    }
    items.push(["stages", (s.provenance || {}).hypnogram_source || "—"]);
    for (const [k, v] of items) {
      const sp = el("span", k + " ");
      sp.append(el("b", v));
      f.append(sp);
    }
    $("review-progress").textContent = reviewText(n.review);
  }

  function renderKindFilters() {
    const box = $("kind-filters");
    box.textContent = "";
    for (const k of state.night.kinds) {
      const lab = el("label");
      const cb = el("input");
      cb.type = "checkbox";
      cb.checked = state.kinds.has(k);
      cb.dataset.kind = k;
      cb.addEventListener("change", () => {
        if (cb.checked) state.kinds.add(k); else state.kinds.delete(k);
        applyFilter();
        redraw();
      });
      const sw = el("span", null, "kind-swatch");
      sw.style.background = KIND_COLORS[k] || OTHER_COLOR;
      lab.append(cb, sw, document.createTextNode(k));
      box.append(lab);
    }
  }

  function fillSelects() {
    const kinds = $("add-kind");
    kinds.textContent = "";
    for (const k of KINDS) kinds.append(new Option(k.name, k.name));
    const labels = state.night.channels.map((c) => c.label);
    const sel = $("add-channel");
    sel.textContent = "";
    sel.append(new Option("(none: derived)", ""));
    for (const l of labels) sel.append(new Option(l, l));
    $("add-onset").value = "";
    $("add-duration").value = "";
    state.rows = labels.slice();
    if (state.events.some((e) => !e.channel)) state.rows.push(DERIVED_ROW);
    state.pinned = new Set([...state.pinned].filter((l) => labels.includes(l)));
    renderLanePicks();
  }

  function applyFilter() {
    state.visible = state.events.filter((e) =>
      (state.kinds.has(e.kind) || e.status === "added") && (!state.status || e.status === state.status));
    renderTable();
  }

  function selected() {
    return state.visible.find((e) => e.key === state.selKey)
      || state.events.find((e) => e.key === state.selKey) || null;
  }

  function renderTable() {
    const body = $("events-table").querySelector("tbody");
    body.textContent = "";
    const frag = document.createDocumentFragment();
    for (const e of state.visible) {
      const tr = el("tr");
      tr.dataset.key = e.key;
      if (e.key === state.selKey) tr.className = "selected";
      tr.append(el("td", fmtTime(e.onset)), el("td", fmtNum(e.onset, 2), "num"), el("td", e.kind),
        el("td", channelText(e)), el("td", fmtNum(e.duration, 2), "num"), el("td", e.stage),
        el("td", fmtNum(e.amplitude_uv, 1), "num"), el("td", e.status, "status-" + e.status));
      tr.addEventListener("click", () => select(e.key));
      frag.append(tr);
    }
    body.append(frag);
  }

  function updateRow(e) {
    const tr = $("events-table").querySelector(`tbody tr[data-key="${CSS.escape(e.key)}"]`);
    if (!tr) return;
    const td = tr.lastChild;
    td.textContent = e.status;
    td.className = "status-" + e.status;
  }

  function select(key) {
    state.selKey = key;
    state.mark = null;
    const e = selected();
    const body = $("events-table").querySelector("tbody");
    for (const tr of body.querySelectorAll("tr.selected")) tr.classList.remove("selected");
    const row = key === null ? null : body.querySelector(`tr[data-key="${CSS.escape(key)}"]`);
    if (row) {
      row.classList.add("selected");
      row.scrollIntoView({ block: "nearest" });
    }
    renderDetail(e);
    if (state.epochMode && e) { state.epochIndex = epochOf(e.onset); renderEpochLabel(); }
    redraw();
    loadSignal();
  }

  // An event over several channels (GRM, hypnic jerk …) names them in `channels`.
  function channelText(e) {
    if (e.channel) return e.channel;
    const several = String(e.channels || "").split(";").filter((c) => c);
    return several.length ? several.join(", ") : "—";
  }

  function renderDetail(e) {
    const dl = $("event-detail");
    dl.textContent = "";
    const rows = e ? [
      ["kind", e.kind], ["channel", e.channel || (e.channels ? channelText(e) : "(derived)")],
      ["muscle", e.muscle || "—"],
      ["side", e.side || "—"], ["time", fmtTime(e.onset)], ["onset", fmtNum(e.onset, 3) + " s"],
      ["duration", fmtNum(e.duration, 3) + " s"], ["stage", e.stage],
      ["amplitude", e.amplitude_uv === null ? "—" : fmtNum(e.amplitude_uv, 1) + " µV"],
      ["series", e.series === null ? "—" : e.series], ["arousal", e.arousal ? "yes" : "no"],
      ["respiratory", e.respiratory ? "yes" : "no"],
      ["status", e.status + (e.reviewer ? " by " + e.reviewer : "")],
    ] : [["—", "no event selected"]];
    for (const [k, v] of rows) {
      dl.append(el("dt", k));
      dl.append(el("dd", v, k === "status" && e ? "status-" + e.status : null));
    }
    const pending = !e || e.status === "added";
    $("accept-btn").disabled = pending;
    $("reject-btn").disabled = pending;
    $("clear-btn").disabled = !e || e.status === "pending";
  }

  function step(delta) {
    if (!state.visible.length) return;
    let i = state.visible.findIndex((e) => e.key === state.selKey);
    i = i < 0 ? 0 : Math.min(state.visible.length - 1, Math.max(0, i + delta));
    select(state.visible[i].key);
  }

  // ---------------------------------------------------------------- decisions
  async function decide(decision) {
    const e = selected();
    if (!e) return;
    const who = reviewer();
    if (!who) return;
    try {
      if (e.status === "added") {
        if (decision !== "clear") return;
        const res = await api(`${nightPath(state.night.id)}/review/added/${encodeURIComponent(e.key)}?reviewer=${encodeURIComponent(who)}`,
          { method: "DELETE" });
        const at = state.visible.findIndex((x) => x.key === e.key);
        state.events = state.events.filter((x) => x.key !== e.key);
        state.night.review = res.counts;
        applyFilter();
        renderNightHead();
        const near = state.visible[Math.min(Math.max(at, 0), state.visible.length - 1)];
        select(near ? near.key : null);
        say(`withdrew the added ${e.kind}`);
        return;
      }
      const res = await api(nightPath(state.night.id) + "/review/decisions",
        { method: "POST", body: { key: e.key, decision, reviewer: who, note: $("note").value.trim() } });
      $("note").value = "";
      e.status = res.decision.decision;
      e.reviewer = decision === "clear" ? null : res.decision.reviewer;
      state.night.review = res.counts;
      renderNightHead();
      const i = state.visible.findIndex((x) => x.key === e.key);
      const nextKey = i >= 0 && i + 1 < state.visible.length ? state.visible[i + 1].key : null;
      if (state.status) {
        applyFilter();  // the event may leave the filtered list
      } else {
        updateRow(e);   // a whole-table redraw is slow for nights with thousands of events
      }
      const target = decision !== "clear" && nextKey ? nextKey : e.key;
      select(state.visible.some((x) => x.key === target) ? target
        : (state.visible.find((x) => x.onset >= e.onset) || {}).key || null);
      say(`${e.kind} at ${fmtTime(e.onset)}: ${res.decision.decision}`);
    } catch (err) { say(err.message, true); }
  }

  async function addEvent(ev) {
    ev.preventDefault();
    const who = reviewer();
    if (!who) return;
    const body = {
      onset: parseFloat($("add-onset").value), duration: parseFloat($("add-duration").value),
      kind: $("add-kind").value, channel: $("add-channel").value, reviewer: who,
    };
    if (!isFinite(body.onset) || !isFinite(body.duration)) {
      say("Give the added event's onset and duration in seconds (or drag across the signal).", true);
      return;
    }
    try {
      const res = await api(nightPath(state.night.id) + "/review/added", { method: "POST", body });
      const a = res.added;
      const row = { id: a.id, key: a.id, onset: a.onset, duration: a.duration, kind: a.kind,
        channel: a.channel, muscle: a.muscle, side: a.side, stage: "?", amplitude_uv: null,
        series: null, arousal: false, respiratory: false, status: "added", reviewer: a.reviewer };
      state.events.push(row);
      state.events.sort((x, y) => x.onset - y.onset);
      state.night.review = res.counts;
      renderNightHead();
      applyFilter();
      select(row.key);
      say(`added ${a.kind} at ${fmtTime(a.onset)} (${a.id})`);
    } catch (err) { say(err.message, true); }
  }

  async function exportReviewed() {
    const who = reviewer();
    if (!who) return;
    try {
      const r = await api(nightPath(state.night.id) + "/review/export",
        { method: "POST", body: { reviewer: who } });
      say(`wrote ${r.file} in the night folder: ${r.rows} events (${r.rejected} rejected removed, ` +
        `${r.added} added, ${r.pending} not reviewed kept as scored)`);
    } catch (err) { say(err.message, true); }
  }

  // ---------------------------------------------------------------- drawing
  function nightSpan() {
    const d = state.night && state.night.duration;
    if (d) return d;
    const hypEnd = state.hyp && state.hyp.stages.length
      ? state.hyp.offset + state.hyp.stages.length * state.hyp.epoch : 0;
    const evEnd = state.events.reduce((m, e) => Math.max(m, e.onset + e.duration), 0);
    return Math.max(hypEnd, evEnd, 1);
  }

  function redraw() {
    if (!state.night) return;
    drawHypnogram();
    drawRaster();
    drawSignal();
  }

  function drawCursor(ctx, w, h, span) {
    const e = selected();
    if (!e) return;
    const x = (e.onset / span) * w;
    ctx.strokeStyle = "rgba(0,0,0,0.7)";
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(x + 0.5, 0); ctx.lineTo(x + 0.5, h); ctx.stroke();
  }

  function drawHypnogram() {
    const { ctx, w, h } = setupCanvas($("hypnogram"));
    const span = nightSpan(), hyp = state.hyp;
    const left = AXIS_LEFT, plotW = w - left;
    ctx.font = "10px sans-serif";
    ctx.fillStyle = "#66717c";
    const levelY = (lvl) => 6 + lvl * ((h - 12) / 4);
    for (const [s, lvl] of Object.entries(STAGE_LEVEL)) ctx.fillText(s, 4, levelY(lvl) + 3);
    if (!hyp || !hyp.available) {
      ctx.fillText("no hypnogram in this night's folder", left + 8, h / 2);
      return;
    }
    ctx.save();
    ctx.translate(left, 0);
    for (let i = 0; i < hyp.stages.length; i++) {
      const s = hyp.stages[i];
      const x0 = ((hyp.offset + i * hyp.epoch) / span) * plotW;
      const x1 = ((hyp.offset + (i + 1) * hyp.epoch) / span) * plotW;
      if (s === "?") { ctx.fillStyle = "#eceff2"; ctx.fillRect(x0, 0, x1 - x0 + 0.5, h); continue; }
      ctx.fillStyle = STAGE_COLOR[s];
      ctx.fillRect(x0, levelY(STAGE_LEVEL[s]) - 3, Math.max(1, x1 - x0 + 0.5), 6);
    }
    drawCursor(ctx, plotW, h, span);
    ctx.restore();
  }

  function rasterGeometry(h) {
    const n = Math.max(1, state.rows.length);
    return { rowH: (h - 14) / n, left: AXIS_LEFT };
  }

  function drawRaster() {
    const canvas = $("raster");
    const wanted = Math.max(60, 14 + state.rows.length * 16);
    if (canvas.clientHeight !== wanted) canvas.style.height = wanted + "px";
    const { ctx, w, h } = setupCanvas(canvas);
    const span = nightSpan();
    const { rowH, left } = rasterGeometry(h);
    const plotW = w - left;
    ctx.font = "11px sans-serif";
    state.rows.forEach((r, i) => {
      ctx.fillStyle = i % 2 ? "#ffffff" : "#f5f7f9";
      ctx.fillRect(left, i * rowH, plotW, rowH);
      ctx.fillStyle = "#1d2329";
      ctx.fillText(r.length > 16 ? r.slice(0, 15) + "…" : r, 4, i * rowH + rowH / 2 + 4);
    });
    // time axis: clock time (HH:MM) at round clock steps (minutes for short recordings,
    // hours for nights); elapsed "+h:mm" when the start time is unknown
    ctx.fillStyle = "#66717c";
    const stepS = [60, 300, 600, 1800, 3600, 7200].find((s) => span / s <= 12) || 14400;
    const s0 = state.startS === null ? 0 : state.startS;
    for (let c = Math.ceil(s0 / stepS) * stepS; c - s0 <= span; c += stepS) {
      const t = c - s0;
      const x = left + (t / span) * plotW;
      ctx.fillRect(x, h - 14, 1, 4);
      ctx.fillText(fmtTime(t, 0).slice(0, state.startS === null ? -3 : 5), x + 2, h - 2);
    }
    for (const e of state.visible) {
      const row = state.rows.indexOf(e.channel || DERIVED_ROW);
      if (row < 0) continue;
      const x = left + (e.onset / span) * plotW;
      const wpx = Math.max(1.5, (e.duration / span) * plotW);
      ctx.fillStyle = e.status === "rejected" ? "#c8cdd2" : (KIND_COLORS[e.kind] || OTHER_COLOR);
      ctx.fillRect(x, row * rowH + 2, wpx, rowH - 4);
      if (e.status === "added") {
        ctx.strokeStyle = "#7a4bb3";
        ctx.strokeRect(x - 1, row * rowH + 1, wpx + 2, rowH - 2);
      }
    }
    ctx.save();
    ctx.translate(left, 0);
    drawCursor(ctx, plotW, h - 14, span);
    ctx.restore();
  }

  function rasterClick(ev) {
    const canvas = $("raster");
    const rect = canvas.getBoundingClientRect();
    const { rowH, left } = rasterGeometry(rect.height);
    const x = ev.clientX - rect.left, y = ev.clientY - rect.top;
    if (x < left) return;
    const span = nightSpan(), t = ((x - left) / (rect.width - left)) * span;
    const row = state.rows[Math.floor(y / rowH)];
    const pool = state.visible.filter((e) => (e.channel || DERIVED_ROW) === row);
    const candidates = pool.length ? pool : state.visible;
    let best = null, bestD = Infinity;
    for (const e of candidates) {
      const d = Math.abs(e.onset + e.duration / 2 - t);
      if (d < bestD) { bestD = d; best = e; }
    }
    if (best) select(best.key);
  }

  // ---------------------------------------------------------------- signal
  // The signal pane stacks lanes: the selected event's channel, then every pinned channel.
  function epochLength() {
    return state.hyp && state.hyp.epoch ? state.hyp.epoch : 30;
  }

  function epochCount() {
    const dur = state.night ? state.night.duration || nightSpan() : 0;
    return Math.max(1, Math.ceil((dur - (state.hyp ? state.hyp.offset : 0)) / epochLength() - 1e-9));
  }

  function epochOf(t) {
    const off = state.hyp ? state.hyp.offset : 0;
    return Math.max(0, Math.min(epochCount() - 1, Math.floor((t - off) / epochLength())));
  }

  function setEpoch(i) {
    state.epochIndex = Math.max(0, Math.min(epochCount() - 1, i));
    renderEpochLabel();
    redraw();
    loadSignal();
  }

  function renderEpochLabel() {
    const lab = $("epoch-label");
    if (!state.epochMode) { lab.textContent = ""; return; }
    const { start } = signalWindow();
    const i = state.epochIndex;
    const st = state.hyp && state.hyp.available ? state.hyp.stages[i] || "—" : "—";
    lab.textContent = `epoch ${i + 1} of ${epochCount()} · ${fmtTime(start, 0)} · stage ${st}`;
  }

  function signalWindow() {
    if (state.epochMode) {
      const start = (state.hyp ? state.hyp.offset : 0) + state.epochIndex * epochLength();
      return { start, end: start + epochLength() };
    }
    const e = selected();
    const win = state.win;
    const center = e ? e.onset + e.duration / 2 : win / 2;
    const len = Math.max(win, e ? e.duration + 4 : win);
    const start = Math.max(0, center - len / 2);
    return { start, end: start + len };
  }

  function inRecording(label) {
    const c = state.night && state.night.channels.find((x) => x.label === label);
    return !!(c && c.in_recording);
  }

  function eventChannel(e) {
    if (!e) return null;
    if (e.channel) return e.channel;
    // a derived event (CLM, PLM…) is shown on the leg channel of its side
    const leg = state.night.channels.find((c) => c.muscle === "tibialis_anterior"
      && (c.side === e.side || e.side === "bilateral") && c.in_recording);
    return leg ? leg.label : null;
  }

  function lanes() {
    if (state.epochMode) {  // the 30-s epoch view: every channel of the recording
      return state.night.channels.filter((c) => c.in_recording).map((c) => c.label);
    }
    const out = [];
    const own = eventChannel(selected());
    if (own) out.push(own);
    for (const c of state.night.channels) {
      if (state.pinned.has(c.label) && !out.includes(c.label)) out.push(c.label);
    }
    if (!out.length && state.night.channels.length) out.push(state.night.channels[0].label);
    return out;
  }

  function renderLanePicks() {
    const box = $("lane-picks");
    box.textContent = "";
    for (const c of state.night.channels) {
      if (!c.in_recording) continue;
      const lab = el("label");
      const cb = el("input");
      cb.type = "checkbox";
      cb.checked = state.pinned.has(c.label);
      cb.dataset.channel = c.label;
      cb.addEventListener("change", () => {
        if (cb.checked) state.pinned.add(c.label); else state.pinned.delete(c.label);
        loadSignal();
      });
      lab.append(cb, document.createTextNode(c.label));
      box.append(lab);
    }
  }

  async function loadSignal() {
    const seq = ++state.seq;
    state.signals = [];
    $("signal-note").textContent = "";
    if (!state.night) return;
    const { start, end } = signalWindow();
    $("signal-window").textContent = `${fmtTime(start)} – ${fmtTime(end)} (${(end - start).toFixed(0)} s)`;
    const labels = lanes();
    const canvas = $("signal");
    canvas.style.height = (state.epochMode
      ? Math.max(200, 30 + labels.length * 70)
      : Math.max(200, Math.min(900, 30 + labels.length * 130))) + "px";
    if (!state.night.signal.available) {
      state.signals = labels.map((l) => ({ channel: l, error: "signal not available" }));
      $("signal-note").textContent = state.night.signal.reason;
      drawSignal();
      return;
    }
    state.loading = true;
    drawSignal();
    const pts = Math.min(4000, Math.max(200, Math.round(canvas.clientWidth * 2)));
    const results = await Promise.all(labels.map(async (label) => {
      if (!inRecording(label)) return { channel: label, error: `${label} is not in the recording` };
      const q = new URLSearchParams({ channel: label, start: start.toFixed(3), end: end.toFixed(3),
        points: String(pts), filtered: String($("signal-filtered").checked) });
      try {
        return await api(`${nightPath(state.night.id)}/signal?${q}`);
      } catch (err) {
        return { channel: label, error: err.message };
      }
    }));
    if (seq !== state.seq) return;
    state.loading = false;
    state.signals = results;
    const notes = [...new Set(results.map((r) => r.error || r.note).filter(Boolean))];
    $("signal-note").textContent = notes.join(" · ");
    drawSignal();
  }

  function niceStep(span) {
    for (const s of [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600]) if (span / s <= 12) return s;
    return 1200;
  }

  function drawLane(ctx, w, top, bottom, sig, t0, t1) {
    const span = Math.max(1e-6, t1 - t0);
    const X = (t) => ((t - t0) / span) * w;
    const sel = selected();
    for (const e of state.events) {
      if (e.onset > t1 || e.onset + e.duration < t0) continue;
      const isSel = sel && e.key === sel.key;
      if (e.channel !== sig.channel && !isSel) continue;
      ctx.fillStyle = isSel ? "rgba(31,95,168,0.16)"
        : (e.status === "added" ? "rgba(122,75,179,0.14)" : "rgba(120,120,120,0.12)");
      ctx.fillRect(X(e.onset), top, Math.max(1, X(e.onset + e.duration) - X(e.onset)), bottom - top);
    }
    if (state.mark && state.mark.lane === sig.channel) {
      ctx.fillStyle = "rgba(122,75,179,0.22)";
      ctx.fillRect(X(state.mark.a), top, X(state.mark.b) - X(state.mark.a), bottom - top);
    }
    ctx.fillStyle = "#1d2329";
    if (sig.error || !(sig.values || sig.min)) {
      ctx.fillStyle = "#66717c";
      ctx.fillText(`${sig.channel}: ${sig.error || "no data"}`, 6, top + 14);
      return;
    }
    // amplitude scale per lane: robust maximum of |values|
    const vals = sig.mode === "samples" ? sig.values : sig.max.concat(sig.min);
    const abs = vals.filter((v) => v !== null).map(Math.abs).sort((a, b) => a - b);
    const robust = abs.length ? abs[Math.min(abs.length - 1, Math.floor(abs.length * 0.995))] : 1;
    const scale = Math.max(robust, 5) * 1.1;
    const mid = (top + bottom) / 2, half = (bottom - top) / 2 - 2;
    const Y = (v) => mid - Math.max(-1, Math.min(1, v / scale)) * half;
    ctx.strokeStyle = "#e3e7eb";
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(0, mid); ctx.lineTo(w, mid); ctx.stroke();
    ctx.strokeStyle = "#1d2329";
    ctx.beginPath();
    if (sig.mode === "samples") {
      let pen = false;
      sig.values.forEach((v, i) => {
        if (v === null) { pen = false; return; }
        const x = X(sig.t0 + i * sig.dt), y = Y(v);
        if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        pen = true;
      });
    } else {
      for (let i = 0; i < sig.min.length; i++) {
        if (sig.min[i] === null) continue;
        const x = X(sig.t0 + (i + 0.5) * sig.dt);
        ctx.moveTo(x, Y(sig.max[i]));
        ctx.lineTo(x, Math.max(Y(sig.min[i]), Y(sig.max[i]) + 1));
      }
    }
    ctx.stroke();
    ctx.fillStyle = "#1f5fa8";
    ctx.fillText(`${sig.channel}  ±${scale.toFixed(0)} µV${sig.filtered ? " (conditioned, as the detectors saw it)" : " (raw)"}`,
      6, top + 12);
  }

  function laneGeometry(h, n) {
    const bottom = h - 16;
    const laneH = (bottom - 4) / Math.max(1, n);
    return { bottom, laneH };
  }

  function drawSignal() {
    const { ctx, w, h } = setupCanvas($("signal"));
    ctx.font = "11px sans-serif";
    const sigs = state.signals;
    if (!sigs.length) {
      ctx.fillStyle = "#66717c";
      ctx.fillText(state.loading ? "loading the signal…" : "", 8, h / 2);
      return;
    }
    const { start: t0, end: t1 } = signalWindow();
    const { bottom, laneH } = laneGeometry(h, sigs.length);
    sigs.forEach((sig, i) => {
      const top = 4 + i * laneH;
      if (i) {
        ctx.fillStyle = "#d5dae0";
        ctx.fillRect(0, top, w, 1);
      }
      drawLane(ctx, w, top + 2, top + laneH - 2, sig, t0, t1);
    });
    // the selected event's onset and offset across every lane
    const span = Math.max(1e-6, t1 - t0);
    const X = (t) => ((t - t0) / span) * w;
    const e = selected();
    if (e) {
      ctx.strokeStyle = "#1f5fa8";
      ctx.lineWidth = 1.5;
      for (const t of [e.onset, e.onset + e.duration]) {
        ctx.beginPath(); ctx.moveTo(X(t), 4); ctx.lineTo(X(t), bottom); ctx.stroke();
      }
    }
    ctx.fillStyle = "#66717c";
    const stepS = niceStep(span);
    for (let t = Math.ceil(t0 / stepS) * stepS; t <= t1; t += stepS) {
      ctx.fillRect(X(t), bottom, 1, 4);
      ctx.fillText(fmtTime(t), X(t) + 2, h - 3);
    }
  }

  function signalPoint(ev) {
    const rect = $("signal").getBoundingClientRect();
    if (!state.signals.length) return null;
    const { start, end } = signalWindow();
    const t = start + ((ev.clientX - rect.left) / rect.width) * (end - start);
    const { laneH } = laneGeometry(rect.height, state.signals.length);
    const i = Math.min(state.signals.length - 1, Math.max(0, Math.floor((ev.clientY - rect.top - 4) / laneH)));
    return { t, lane: state.signals[i].channel };
  }

  function onSignalDown(ev) {
    const p = signalPoint(ev);
    if (!p) return;
    state.drag = p;
    state.mark = { a: p.t, b: p.t, lane: p.lane };
  }

  function onSignalMove(ev) {
    if (!state.drag) return;
    const p = signalPoint(ev);
    if (!p) return;
    state.mark = { a: Math.min(state.drag.t, p.t), b: Math.max(state.drag.t, p.t), lane: state.drag.lane };
    drawSignal();
  }

  function onSignalUp() {
    if (!state.drag) return;
    state.drag = null;
    const m = state.mark;
    if (m && m.b - m.a > 0.05) {
      $("add-onset").value = m.a.toFixed(2);
      $("add-duration").value = (m.b - m.a).toFixed(2);
      $("add-channel").value = m.lane;
    } else {
      state.mark = null;
    }
    drawSignal();
  }

  // ---------------------------------------------------------------- wiring
  function onKey(ev) {
    const tag = (ev.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (!state.night) return;
    const k = ev.key;
    if (k === "j") step(1);
    else if (k === "k") step(-1);
    else if (k === "a") decide("accept");
    else if (k === "r") decide("reject");
    else if (k === "u") decide("clear");
    else if (k === "+" || k === "=") { state.win = Math.max(2, state.win / 2); loadSignal(); }
    else if (k === "-" || k === "_") { state.win = Math.min(600, state.win * 2); loadSignal(); }
    else if (k === "e") toggleEpochMode(!state.epochMode);
    else if (k === "]" && state.epochMode) setEpoch(state.epochIndex + 1);
    else if (k === "[" && state.epochMode) setEpoch(state.epochIndex - 1);
    else if (k === "Escape") { location.hash = "#/"; }
    else return;
    ev.preventDefault();
  }

  function toggleEpochMode(on) {
    state.epochMode = on;
    $("epoch-mode").checked = on;
    $("epoch-prev").disabled = $("epoch-next").disabled = !on;
    const e = selected();
    if (on) state.epochIndex = e ? epochOf(e.onset) : 0;
    renderEpochLabel();
    redraw();
    loadSignal();
  }

  async function loadKinds() {
    try {
      KINDS = (await api("/api/kinds")).kinds;
      for (const k of KINDS) KIND_COLORS[k.name] = k.colour;
    } catch (e) {
      say(e.message, true);
    }
  }

  function init() {
    try { $("reviewer").value = localStorage.getItem("somnomotor.reviewer") || ""; } catch (e) { /* ignore */ }
    $("reviewer").addEventListener("change", () => reviewer());
    $("status-filter").addEventListener("change", (ev) => {
      state.status = ev.target.value; applyFilter(); redraw();
    });
    $("prev-btn").addEventListener("click", () => step(-1));
    $("next-btn").addEventListener("click", () => step(1));
    $("accept-btn").addEventListener("click", () => decide("accept"));
    $("reject-btn").addEventListener("click", () => decide("reject"));
    $("clear-btn").addEventListener("click", () => decide("clear"));
    $("export-btn").addEventListener("click", exportReviewed);
    $("add-form").addEventListener("submit", addEvent);
    $("raster").addEventListener("click", rasterClick);
    $("signal").addEventListener("mousedown", onSignalDown);
    window.addEventListener("mousemove", onSignalMove);
    window.addEventListener("mouseup", onSignalUp);
    $("signal-filtered").addEventListener("change", loadSignal);
    $("epoch-mode").addEventListener("change", (ev) => toggleEpochMode(ev.target.checked));
    $("epoch-prev").addEventListener("click", () => setEpoch(state.epochIndex - 1));
    $("epoch-next").addEventListener("click", () => setEpoch(state.epochIndex + 1));
    $("zoom-in").addEventListener("click", () => { state.win = Math.max(2, state.win / 2); loadSignal(); });
    $("zoom-out").addEventListener("click", () => { state.win = Math.min(600, state.win * 2); loadSignal(); });
    document.addEventListener("keydown", onKey);
    window.addEventListener("hashchange", route);
    let resizeTimer = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(redraw, 100);
    });
    loadKinds().then(route);
  }

  document.addEventListener("DOMContentLoaded", init);
})();
