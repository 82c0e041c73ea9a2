// sgz dashboards: charts from data-option (JSON built on the server), the
// period selector, sortable tables, printing and the big-screen refresh.
// No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  var body = document.body;
  var big = body.classList.contains("big");
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
