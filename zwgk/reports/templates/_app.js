(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  function cellKey(row, i) {
    var cell = row.cells[i];
    if (!cell) { return ""; }
    var v = cell.getAttribute("data-sort");
    return v === null ? cell.textContent.replace(/\s+/g, " ").trim() : v;
  }
  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    var nx = a !== "" && !isNaN(x) && /^-?[0-9.]/.test(a), ny = b !== "" && !isNaN(y) && /^-?[0-9.]/.test(b);
    if (nx && ny) { return x - y; }
    if (nx !== ny) { return nx ? -1 : 1; }
    return a.localeCompare(b, "zh-CN");
  }
  each(document.querySelectorAll("table.sortable"), function (table) {
    each(table.tHead.rows[0].cells, function (th, i) {
      if (th.classList.contains("nosort")) { return; }
      th.tabIndex = 0;
      th.classList.add("sort");
      th.setAttribute("aria-sort", "none");
      var go = function () {
        var body = table.tBodies[0];
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) { return dir * compare(cellKey(r1, i), cellKey(r2, i)); });
        each(rows, function (r) { body.appendChild(r); });
        each(table.tHead.rows[0].cells, function (c) { if (c.hasAttribute("aria-sort")) { c.setAttribute("aria-sort", "none"); } });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      };
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); } });
    });
  });
  var box = document.getElementById("unit-filter");
  if (box) {
    var grade = document.getElementById("grade-filter");
    var count = document.getElementById("filter-count");
    // 发改局 finds 发展和改革局, 人社局 人力资源和社会保障局, 住建局 住房和城乡建设局: the way offices
    // shorten unit names keeps the characters in order, so a Chinese query also matches the unit's
    // name (the first field) as a subsequence.
    var cjk = /[\u3400-\u9fff]/;
    var abbreviates = function (name, q) {
      var at = 0;
      for (var i = 0; i < q.length; i += 1) {
        at = name.indexOf(q.charAt(i), at);
        if (at === -1) { return false; }
        at += 1;
      }
      return true;
    };
    var matches = function (search, q) {
      if (search.indexOf(q) !== -1) { return true; }
      return cjk.test(q) && q.length >= 2 && abbreviates(search.split("|")[0], q);
    };
    var apply = function () {
      var q = box.value.replace(/\s+/g, "").toLowerCase();
      var g = grade ? grade.value : "";
      var shown = 0;
      each(document.querySelectorAll("[data-search]"), function (row) {
        var ok = (!q || matches(row.getAttribute("data-search"), q)) &&
          (!g || row.getAttribute("data-grade") === g);
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (count) { count.textContent = String(shown); }
    };
    box.addEventListener("input", apply);
    if (grade) { grade.addEventListener("change", apply); }
    apply();
  }
}());
