// sgz dashboards: charts from data-option (JSON built on the server), the
// period selector, sortable tables, printing and the big-screen refresh.
// No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  var body = document.body;
  var big = body.classList.contains("big");
  var screen = body.classList.contains("bigscreen"); // GET /big: type for a room, rotation
  var charts = [];
  window.sgzCharts = { total: 0, finished: 0, errors: [] };

  function initChart(el, option) {
    var chart = echarts.init(el, big ? "dark" : null, { renderer: "canvas" });
    var done = false;
    chart.on("finished", function () {
      if (!done) {
        done = true;
        el.setAttribute("data-finished", "1");
        window.sgzCharts.finished++;
      }
    });
    if (big) { option.backgroundColor = "transparent"; }
    if (screen) { roomType(option); }
    if (option.animationDuration === undefined) { option.animationDuration = 300; option.animationDurationUpdate = 300; }
    chart.setOption(option);
    chart.on("click", function (p) {
      if (p && p.data && typeof p.data.href === "string" && p.data.href.charAt(0) === "/") { location.href = p.data.href; }
    });
    charts.push(chart);
  }

  function setup() {
    var els = document.querySelectorAll(".chart[data-option]");
    window.sgzCharts.total = els.length;
    Array.prototype.forEach.call(els, function (el) {
      var option;
      try { option = JSON.parse(el.getAttribute("data-option")); }
      catch (e) { window.sgzCharts.errors.push(String(e)); return; }
      var geo = el.getAttribute("data-geo");
      if (geo) {
        fetch(geo, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (g) {
          echarts.registerMap("sgz-districts", g);
          initChart(el, option);
        }).catch(function (e) { window.sgzCharts.errors.push(String(e)); });
      } else {
        initChart(el, option);
      }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });

    var sel = document.getElementById("period-select");
    if (sel) { sel.addEventListener("change", function () { sel.form.submit(); }); }
    var pr = document.getElementById("print-link");
    if (pr) { pr.addEventListener("click", function (e) { e.preventDefault(); window.print(); }); }

    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), sortable);

    Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (f) {
      f.addEventListener("submit", function (e) {
        var r = f.querySelector("[name=reason]");
        if (r && !r.value.trim()) { e.preventDefault(); r.focus(); }
      });
    });

    var refresh = parseInt(body.getAttribute("data-refresh") || "0", 10);
    if (refresh > 0) { setTimeout(function () { location.reload(); }, refresh * 1000); }
    rotate();

  }

  // roomType sizes a chart's type for the big screen (16-22 px at 1080
  // lines, in proportion to the window) and leaves the map room for the
  // labels of its markers.
  function roomType(option) {
    var k = Math.max(0.6, Math.min(window.innerWidth / 1920, window.innerHeight / 1080));
    function px(n) { return Math.round(n * k); }
    function each(x, f) { if (x) { (Array.isArray(x) ? x : [x]).forEach(f); } }
    function axis(a) {
      a.axisLabel = Object.assign({}, a.axisLabel, { fontSize: px(17) });
      a.nameTextStyle = Object.assign({}, a.nameTextStyle, { fontSize: px(16) });
    }
    option.textStyle = Object.assign({}, option.textStyle, { fontSize: px(17) });
    each(option.title, function (t) {
      t.textStyle = Object.assign({}, t.textStyle, { fontSize: px(22) });
      t.subtextStyle = Object.assign({}, t.subtextStyle, { fontSize: px(16) });
    });
    each(option.xAxis, axis);
    each(option.yAxis, axis);
    each(option.legend, function (g) { g.textStyle = Object.assign({}, g.textStyle, { fontSize: px(16) }); });
    each(option.geo, function (g) {
      g.label = Object.assign({}, g.label, { fontSize: px(16) });
      // Room for the markers' labels on the right, the spotlight above them.
      g.top = "12%"; g.bottom = "10%"; g.left = "3%"; g.right = "22%";
      g.emphasis = { itemStyle: { areaColor: "#ffd166" }, label: { show: true, color: "#111" } };
    });
    each(option.visualMap, function (v) { v.textStyle = Object.assign({}, v.textStyle, { fontSize: px(15) }); v.itemHeight = px(160); });
    each(option.series, function (x) {
      x.label = Object.assign({}, x.label, { fontSize: px(17) });
      if (x.type === "line") { x.lineStyle = Object.assign({}, x.lineStyle, { width: px(4) }); x.symbolSize = px(9); }
    });
  }

  // rotate cycles the big screen's district in focus (?rotate=20s): the
  // spotlight panel, and the district highlighted on the map and in the
  // ranking. The place in the cycle survives the auto-refresh.
  function rotate() {
    var secs = parseInt(body.getAttribute("data-rotate") || "0", 10);
    var spots = document.querySelectorAll("#spotlight .spot");
    if (!(secs > 0) || spots.length === 0) { return; }
    var i = parseInt(sessionStorage.getItem("sgz-spot") || "-1", 10);
    var prev = null;
    function chartOf(id) {
      var el = document.getElementById(id);
      return el && window.echarts ? echarts.getInstanceByDom(el) : null;
    }
    function step() {
      if (prev) { prev.hidden = true; }
      if (isNaN(i) || i < -1) { i = -1; }
      i = (i + 1) % spots.length;
      var s = spots[i];
      s.hidden = false;
      prev = s;
      sessionStorage.setItem("sgz-spot", String(i));
      body.setAttribute("data-spot", s.getAttribute("data-code"));
      var name = s.getAttribute("data-name"), idx = parseInt(s.getAttribute("data-index"), 10);
      var m = chartOf("chart-map"), r = chartOf("chart-ranking");
      if (m) {
        m.dispatchAction({ type: "downplay", seriesIndex: 0 });
        m.dispatchAction({ type: "highlight", seriesIndex: 0, name: name });
      }
      if (r) {
        r.dispatchAction({ type: "downplay", seriesIndex: 0 });
        r.dispatchAction({ type: "highlight", seriesIndex: 0, dataIndex: idx });
      }
    }
    step();
    setInterval(step, secs * 1000);
  }

  function cellValue(td) {
    var v = td.getAttribute("data-v");
    if (v !== null && v !== "") { return parseFloat(v); }
    var t = td.textContent.trim().replace(/[,%]/g, "").replace(/ 万元$/, "");
    var n = parseFloat(t);
    return isNaN(n) ? td.textContent.trim() : n;
  }

  function sortable(table) {
    var ths = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(ths, function (th, i) {
      th.classList.add("sort");
      th.addEventListener("click", function () {
        var asc = th.getAttribute("data-sort") !== "asc";
        Array.prototype.forEach.call(ths, function (x) { x.removeAttribute("data-sort"); });
        th.setAttribute("data-sort", asc ? "asc" : "desc");
        var tb = table.tBodies[0];
        var rows = Array.prototype.slice.call(tb.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[i]), y = cellValue(b.cells[i]);
          var c = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y), "zh");
          return asc ? c : -c;
        });
        rows.forEach(function (r) { tb.appendChild(r); });
      });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
