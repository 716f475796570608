/* kamkit tables: click a column heading to sort, type in the box to filter the rows.
   Offline, no library. Without script the table is shown (and printed) as it is. Cells are
   moved as nodes and text is set with textContent, never innerHTML: no account name can
   become markup. A cell's data-sort attribute, when present, is sorted on instead of its
   shown text. */
(function () {
  "use strict";
  var NUMBER = /^[-+\u2212]?[\d,\u00a0 ]*\.?\d+(e[-+]?\d+)?\s*(%|pts)?$/i;
  var SEARCH_FROM = 6;  /* rows: smaller tables need no search box */

  function key(cell) {
    var raw = (cell && cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort")
               : (cell ? cell.textContent : "")).trim();
    if (NUMBER.test(raw)) {
      return {num: parseFloat(raw.replace(/[,\u00a0 ]/g, "").replace("\u2212", "-")), text: raw};
    }
    return {num: null, text: raw.toLowerCase()};
  }

  function compare(a, b) {
    if (a.num !== null && b.num !== null) { return a.num - b.num; }
    if (a.num !== null || b.num !== null) { return a.num !== null ? -1 : 1; }
    if (!a.text || !b.text) { return a.text ? -1 : (b.text ? 1 : 0); }  /* empty last */
    return a.text.localeCompare(b.text, undefined, {numeric: true});
  }

  function enhance(table) {
    var body = table.tBodies[0];
    var head = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1] : null;
    if (!body || !head) { return; }
    var state = {column: -1, descending: false};
    Array.prototype.forEach.call(head.cells, function (th, column) {
      th.tabIndex = 0;
      th.title = "Sort by this column";
      th.style.cursor = "pointer";
      function sort() {
        state.descending = state.column === column ? !state.descending : false;
        state.column = column;
        var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
          return {row: row, key: key(row.cells[column]), i: i};
        });
        rows.sort(function (a, b) {
          var c = compare(a.key, b.key);
          return (state.descending ? -c : c) || a.i - b.i;
        });
        rows.forEach(function (r) { body.appendChild(r.row); });
        Array.prototype.forEach.call(head.cells, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
    if (body.rows.length < SEARCH_FROM) { return; }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "kamkit-search";
    box.placeholder = "Search this table";
    box.setAttribute("aria-label", "Search this table");
    var count = document.createElement("span");
    count.className = "kamkit-count";
    box.addEventListener("input", function () {
      var query = box.value.trim().toLowerCase(), shown = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = query !== "" && row.textContent.toLowerCase().indexOf(query) < 0;
        shown += row.hidden ? 0 : 1;
      });
      count.textContent = query ? " " + shown + " of " + body.rows.length + " rows" : "";
    });
    table.parentNode.insertBefore(box, table);
    table.parentNode.insertBefore(count, table);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.kamkit-table"), enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
