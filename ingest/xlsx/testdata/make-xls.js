// Regenerates the SheetJS fixtures used by the Go tests (not needed at test time):
//   cd /tmp && npm install xlsx && NODE_PATH=/tmp/node_modules node make-xls.js
// Writes legacy.xls (BIFF8, Excel 97-2003), sheetjs.xlsx (inline t="str" strings)
// and sheetjs-sst.xlsx (shared strings) into this directory.
const XLSX = require("xlsx");
const path = require("path");

const rows = [
  ["code", "name", "count", "ok", "when"],
  [320581001001, "张家港市", 12, true, new Date(Date.UTC(2024, 4, 1))],
  ["0012", "A & B <c>", 3.5, false, new Date(Date.UTC(2024, 0, 31, 12, 0, 0))],
];

function book() {
  const ws = XLSX.utils.aoa_to_sheet(rows, { cellDates: false });
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, "数据");
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([["x"]]), "Second");
  return wb;
}

XLSX.writeFile(book(), path.join(__dirname, "legacy.xls"), { bookType: "biff8" });
XLSX.writeFile(book(), path.join(__dirname, "sheetjs.xlsx"), { bookType: "xlsx", compression: true });
XLSX.writeFile(book(), path.join(__dirname, "sheetjs-sst.xlsx"), { bookType: "xlsx", bookSST: true, compression: true });
