document.documentElement.classList.add("js");
var table = document.getElementById("clients"), body = table.tBodies[0];
var query = document.getElementById("q"), only = document.getElementById("only");
function key(row, col) { var c = row.cells[col]; return c.getAttribute("data-sort") || c.textContent.trim(); }
table.querySelectorAll("th button").forEach(function (button) {
  button.addEventListener("click", function () {
    var th = button.parentNode, col = th.cellIndex, up = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, col), y = key(b, col), n = Number(x) - Number(y);
      return (isNaN(n) ? x.localeCompare(y) : n) * (up ? 1 : -1);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
function filter() {
  var q = query.value.toLowerCase(), s = only.value, shown = 0;
  Array.prototype.forEach.call(body.rows, function (r) {
    var ok = (!s || r.getAttribute("data-status") === s) && r.textContent.toLowerCase().indexOf(q) >= 0;
    r.hidden = !ok; shown += ok ? 1 : 0;
  });
  document.getElementById("shown").textContent = shown + " of " + body.rows.length + " shown";
}
query.addEventListener("input", filter); only.addEventListener("change", filter);
