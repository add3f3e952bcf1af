// Venue screen: draws the first data the page embeds, then polls data.json and redraws
// in place. A failed poll keeps the last figures, dims them and says so. The same file
// fills the small traffic panel on the venue's back-office page ([data-screen-panel]).
(function () {
  "use strict";

  const fmt = (n) => (n === null || n === undefined ? "—" : Number(n).toLocaleString("en-US"));
  // Today's hours up to the current one; later hours have not happened (null: not drawn).
  const soFar = (d, key) => {
    const now = parseInt(String(d.updated).slice(0, 2), 10);
    return d.hours.map((h, i) => (Number.isNaN(now) || i <= now ? h[key] : null));
  };
  // The hours worth a column: today's opening hours and any hour with passages.
  const span = (d) => {
    let lo = 24;
    let hi = -1;
    for (const period of d.opening.periods) {
      const [opens, closes] = period.split("–");
      const [ch, cm] = closes.split(":").map(Number);
      lo = Math.min(lo, parseInt(opens, 10));
      hi = Math.max(hi, cm > 0 ? ch : ch - 1);
    }
    d.hours.forEach((h, i) => {
      if (h.entries || h.exits) { lo = Math.min(lo, i); hi = Math.max(hi, i); }
    });
    return hi < lo ? [0, 23] : [lo, hi];
  };
  const pick = (data, path) => path.split(".").reduce((o, k) => (o == null ? o : o[k]), data);

  // A poll that hangs counts as failed once ``ms`` have passed (the next one starts anew).
  function getJSON(url, ms) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), Math.max(ms, 3000));
    return fetch(url, {
      headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store", signal: ctrl.signal,
    }).finally(() => clearTimeout(timer));
  }

  function fillFields(root, data) {
    root.querySelectorAll("[data-field]").forEach((el) => {
      const text = fmt(pick(data, el.dataset.field));
      if (el.textContent !== text) el.textContent = text;
    });
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- The full screen -------------------------------------------------------------

  function screen(body) {
    const t = body.dataset;
    const lang = t.lang && t.lang.startsWith("en") ? "en-GB" : "zh-CN";
    const tz = t.tz || undefined;
    const pollMs = Math.max(1, parseInt(t.poll, 10) || 15) * 1000;
    const embedded = document.getElementById("screen-data");
    let last = embedded ? JSON.parse(embedded.textContent) : null;
    let timer = null;
    let gauge = null;
    let hourly = null;
    let gaugeMode = null;

    const css = getComputedStyle(document.documentElement);
    const color = (name) => css.getPropertyValue(name).trim();
    const C = {
      text: color("--scr-text"), muted: color("--scr-muted"), line: color("--scr-line"),
      accent: color("--scr-accent"), accent2: color("--scr-accent-2"), ok: color("--scr-ok"), bad: color("--scr-bad"),
    };

    function tick() {
      const now = new Date();
      const clock = body.querySelector("[data-clock]");
      const day = body.querySelector("[data-date]");
      clock.textContent = now.toLocaleTimeString(lang, { timeZone: tz, hour12: false });
      day.textContent = now.toLocaleDateString(lang, { timeZone: tz, month: "long", day: "numeric", weekday: "long" });
    }

    function fontFor(node, share) {
      return Math.max(12, Math.round(Math.min(node.clientHeight, node.clientWidth) * share));
    }

    function drawGauge(d) {
      const node = document.getElementById("scr-gauge");
      if (!node || !window.echarts) return;
      const mode = d.capacity ? "gauge" : "bar";
      if (gauge && gaugeMode !== mode) { gauge.dispose(); gauge = null; }
      gauge = gauge || echarts.init(node, null, { renderer: "canvas" });
      gaugeMode = mode;
      if (mode === "gauge") {
        const ratio = d.occupancy / d.capacity;
        const tone = ratio >= 0.9 ? C.bad : ratio >= 0.7 ? C.accent2 : C.ok;
        const width = Math.max(10, Math.round(Math.min(node.clientWidth, node.clientHeight) / 12));
        gauge.setOption({
          series: [{
            type: "gauge", min: 0, max: d.capacity, startAngle: 220, endAngle: -40, radius: "92%",
            center: ["50%", "56%"],
            progress: { show: true, width, roundCap: true, itemStyle: { color: tone } },
            axisLine: { roundCap: true, lineStyle: { width, color: [[1, C.line]] } },
            pointer: { show: false }, axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false },
            anchor: { show: false }, title: { show: false },
            detail: {
              valueAnimation: true, offsetCenter: [0, "0%"], color: C.text, fontWeight: 700,
              fontSize: fontFor(node, 0.2), formatter: () => `${Math.round(ratio * 100)}%`,
            },
            data: [{ value: Math.min(d.occupancy, d.capacity) }],
          }],
        }, true);
      } else {
        // No capacity to measure against: people inside next to today's entries.
        const size = fontFor(node, 0.055);
        gauge.setOption({
          grid: { left: 8, right: size * 3, top: "18%", bottom: "18%", containLabel: true },
          xAxis: { type: "value", show: false, max: Math.max(1, d.today.entries, d.occupancy) },
          yAxis: {
            type: "category", inverse: true, data: [t.tOccupancy, t.tTodayEntries],
            axisLabel: { color: C.muted, fontSize: size }, axisLine: { show: false }, axisTick: { show: false },
          },
          series: [{
            type: "bar", barWidth: "42%", barMaxWidth: Math.round(size * 2.4), showBackground: true, backgroundStyle: { color: C.line, borderRadius: 6 },
            data: [
              { value: d.occupancy, itemStyle: { color: C.ok, borderRadius: 6 } },
              { value: d.today.entries, itemStyle: { color: C.accent, borderRadius: 6 } },
            ],
            label: { show: true, position: "right", color: C.text, fontWeight: 700, fontSize: size },
          }],
        }, true);
      }
    }

    function drawHourly(d) {
      const node = document.getElementById("scr-hourly");
      if (!node || !window.echarts) return;
      hourly = hourly || echarts.init(node, null, { renderer: "canvas" });
      const small = node.clientWidth < 600;
      const size = small ? 11 : Math.max(12, Math.round(node.clientHeight / 22));
      const [lo, hi] = span(d);
      const cut = (values) => values.slice(lo, hi + 1);
      const many = hi - lo > 12;
      hourly.setOption({
        animationDuration: 300,
        tooltip: { trigger: "axis" },
        legend: { top: 0, right: 0, textStyle: { color: C.muted, fontSize: size }, itemWidth: size * 1.4, itemHeight: size * 0.8 },
        grid: { left: 4, right: 8, top: size * 2.4, bottom: 4, containLabel: true },
        xAxis: {
          type: "category", data: cut(d.hours.map((h) => h.hour.slice(0, 2))),
          axisLabel: { color: C.muted, fontSize: size, interval: small && many ? 2 : 0 },
          axisLine: { lineStyle: { color: C.line } }, axisTick: { show: false },
        },
        yAxis: {
          type: "value", minInterval: 1, axisLabel: { color: C.muted, fontSize: size },
          splitLine: { lineStyle: { color: C.line, type: "dashed" } },
        },
        series: [
          { name: t.tEntries, type: "bar", data: cut(soFar(d, "entries")), itemStyle: { color: C.accent, borderRadius: [3, 3, 0, 0] } },
          { name: t.tExits, type: "line", smooth: true, symbolSize: 6, data: cut(soFar(d, "exits")), itemStyle: { color: C.accent2 }, lineStyle: { width: 3 } },
        ],
      });
    }

    function drawOpening(d) {
      const badge = body.querySelector("[data-opening-badge]");
      badge.dataset.status = d.opening.status;
      badge.textContent = d.opening.status_label;
      const text = d.opening.periods.length ? `${t.tOpenPeriods} ${d.opening.periods.join("  ")}` : d.opening.reason;
      body.querySelector("[data-opening-text]").textContent = text;
      const cap = body.querySelector("[data-capacity-text]");
      cap.textContent = d.capacity ? `/ ${fmt(d.capacity)}` : t.tCapacityUnknown;
      cap.classList.toggle("scr-note", !d.capacity);
    }

    function drawEnvironment(d) {
      const box = body.querySelector("[data-list=environment]");
      box.replaceChildren();
      if (!d.environment.length) { box.append(el("p", "scr-empty", t.tNoEnv)); return; }
      for (const r of d.environment) {
        const tile = el("div", `scr-env-tile${r.in_range ? "" : " is-bad"}`);
        tile.dataset.metric = r.metric;
        const value = el("div", "scr-env-value", `${r.value} `);
        value.append(el("small", "", r.unit));
        tile.append(el("div", "scr-env-label", r.label), value,
          el("div", "scr-env-meta", (r.range ? `${t.tRange} ${r.range} · ` : "") + r.at));
        box.append(tile);
      }
    }

    function drawAlerts(d) {
      const list = body.querySelector("[data-list=alerts]");
      const count = body.querySelector("[data-alert-count]");
      count.hidden = !d.alerts.length;
      count.textContent = String(d.alerts.length);
      list.replaceChildren();
      if (!d.alerts.length) { list.append(el("li", "scr-empty scr-ok", t.tNoAlerts)); return; }
      for (const a of d.alerts) {
        const item = el("li", "scr-alert");
        item.dataset.status = a.status;
        const state = a.back_in_range ? t.tBackInRange : a.status_label;
        item.append(el("span", "scr-alert-what", `${a.label} ${a.value} ${a.unit}`),
          el("span", "scr-alert-meta", `${a.range ? `${t.tRange} ${a.range} · ` : ""}${a.since} ${t.tSince} · ${state}`));
        list.append(item);
      }
    }

    function draw(d) {
      fillFields(body, d);
      drawOpening(d);
      drawEnvironment(d);
      drawAlerts(d);
      drawGauge(d);
      drawHourly(d);
    }

    function setState(problem) {
      const banner = body.querySelector("[data-stale-banner]");
      const status = body.querySelector("[data-updated-line]");
      body.classList.toggle("is-stale", Boolean(problem));
      banner.hidden = !problem;
      banner.textContent = problem || "";
      status.textContent = `${t.tUpdated} ${last ? last.updated : "—"}`;
    }

    async function refresh() {
      let problem = null;
      try {
        const res = await getJSON(t.url, Math.min(pollMs, 10000));
        if (res.status === 401) problem = t.tSignedOut;
        else if (res.status === 404) problem = t.tGone;
        else if (!res.ok) problem = t.tOffline;
        else {
          last = await res.json();
          draw(last);
        }
      } catch (err) {
        problem = t.tOffline;
      }
      setState(problem);
      return !problem;
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(async () => { await refresh(); schedule(); }, pollMs);
    }

    tick();
    setInterval(tick, 1000);
    if (last) { draw(last); setState(null); }
    schedule();
    let resizing = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizing);
      resizing = setTimeout(() => { if (last) { gauge && gauge.resize(); hourly && hourly.resize(); draw(last); } }, 150);
    });
    window.tiyuScreen = { refresh, data: () => last };
  }

  // --- The back-office panel -------------------------------------------------------

  function sparkline(svg, values) {
    const w = 240;
    const h = 48;
    const top = Math.max(1, ...values);
    const step = w / 23;  // the whole day is the width; the line stops at this hour
    const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - 2 - (v / top) * (h - 6)).toFixed(1)}`);
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.replaceChildren();
    const ns = "http://www.w3.org/2000/svg";
    const area = document.createElementNS(ns, "polygon");
    const end = ((values.length - 1) * step).toFixed(1);
    area.setAttribute("points", `0,${h} ${points.join(" ")} ${end},${h}`);
    area.setAttribute("fill", "rgba(13,110,253,.12)");
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", points.join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "#0d6efd");
    line.setAttribute("stroke-width", "2");
    line.setAttribute("vector-effect", "non-scaling-stroke");
    svg.append(area, line);
  }

  function panel(box) {
    const pollMs = Math.max(5, parseInt(box.dataset.poll, 10) || 60) * 1000;
    async function load() {
      try {
        const res = await getJSON(box.dataset.url, 10000);
        if (!res.ok) throw new Error(String(res.status));
        const d = await res.json();
        fillFields(box, d);
        const cap = box.querySelector("[data-capacity-text]");
        if (cap) cap.textContent = d.capacity ? `/ ${fmt(d.capacity)}` : "";
        const svg = box.querySelector("[data-spark]");
        if (svg) sparkline(svg, soFar(d, "entries").filter((v) => v !== null));
        box.dataset.loaded = "1";
        box.classList.remove("is-stale");
      } catch (err) {
        box.classList.add("is-stale");
      }
    }
    load();
    setInterval(load, pollMs);
  }

  function start() {
    if (document.body.hasAttribute("data-screen")) screen(document.body);
    document.querySelectorAll("[data-screen-panel]").forEach(panel);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
