// The SQL console: runs read-only queries through /api/v1/sql (package query).
// Results are written with textContent only: nothing from a query is parsed as HTML.
(function () {
  "use strict";
  var form = document.getElementById("sql-form");
  if (!form) { return; }
  var api = form.getAttribute("data-api");
  var text = document.getElementById("sql-text");
  var status = document.getElementById("sql-status");
  var errorEl = document.getElementById("sql-error");
  var table = document.getElementById("sql-result");
  var lang = document.body.getAttribute("data-lang") || "zh";
  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  var session = sessionStorage.getItem("sgz-sql-session");
  if (!session) {
    session = Math.random().toString(36).slice(2) + Date.now().toString(36);
    sessionStorage.setItem("sgz-sql-session", session);
  }
  function el(tag, txt) { var e = document.createElement(tag); if (txt !== undefined) { e.textContent = txt; } return e; }
  function show(res) {
    table.textContent = "";
    var thead = el("thead"), tr = el("tr");
    res.columns.forEach(function (c) { tr.appendChild(el("th", c.name)); });
    thead.appendChild(tr); table.appendChild(thead);
    var tb = el("tbody");
    res.rows.forEach(function (r) {
      var row = el("tr");
      r.forEach(function (v) { row.appendChild(el("td", v === null ? "" : String(v))); });
      tb.appendChild(row);
    });
    table.appendChild(tb);
    status.textContent = res.row_count + " " + form.getAttribute("data-rows") + " · " + res.elapsed_ms + " ms" +
      (res.truncated ? " · " + form.getAttribute("data-truncated") : "");
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    errorEl.textContent = ""; status.textContent = "…";
    fetch(api + "/query?lang=" + lang, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() }, credentials: "same-origin",
      body: JSON.stringify({ sql: text.value, session: session }) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (x) {
        if (!x.ok) { status.textContent = ""; errorEl.textContent = (x.j.error && x.j.error.message) || "error"; return; }
        show(x.j);
      }).catch(function (err) { status.textContent = ""; errorEl.textContent = String(err); });
  });
  function dl(fmt) {
    return function (e) { e.preventDefault(); location.href = api + "/query." + fmt + "?lang=" + lang + "&session=" + encodeURIComponent(session) + "&sql=" + encodeURIComponent(text.value); };
  }
  document.getElementById("sql-csv").addEventListener("click", dl("csv"));
  document.getElementById("sql-xlsx").addEventListener("click", dl("xlsx"));
  fetch(api + "/examples").then(function (r) { return r.json(); }).then(function (list) {
    var ul = document.getElementById("sql-examples");
    list.forEach(function (x) {
      var li = el("li"), a = el("a", x.title);
      a.href = "#"; a.addEventListener("click", function (e) { e.preventDefault(); text.value = x.sql; });
      li.appendChild(a); ul.appendChild(li);
    });
  });
  fetch(api + "/views").then(function (r) { return r.json(); }).then(function (list) {
    var box = document.getElementById("sql-views");
    list.forEach(function (v) {
      var d = el("details"), s = el("summary", v.name + " — " + (v.comment || ""));
      d.appendChild(s);
      var ul = el("ul");
      (v.columns || []).forEach(function (c) { ul.appendChild(el("li", c.name + " " + c.type + (c.comment ? " — " + c.comment : ""))); });
      d.appendChild(ul); box.appendChild(d);
    });
  });
})();
