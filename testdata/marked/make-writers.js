// Re-saves base.xlsx (written by the Go tests with excelize: see README.md)
// with ExcelJS and SheetJS, as clerks' other programs would, for the marked-
// workbook round trips in gen/mark_test.go. Not needed at test time:
//
//   mkdir -p /tmp/fx && (cd /tmp/fx && npm install exceljs@4.4.0 xlsx@0.18.5)
//   NODE_PATH=/tmp/fx/node_modules node testdata/marked/make-writers.js
'use strict';

const path = require('path');
const ExcelJS = require('exceljs');
const XLSX = require('xlsx');

const dir = __dirname;
const base = path.join(dir, 'base.xlsx');

async function exceljs() {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(base);
  wb.creator = 'make-writers.js';
  wb.created = wb.modified = new Date(Date.UTC(2026, 9, 10));
  await wb.xlsx.writeFile(path.join(dir, 'exceljs.xlsx'));
}

function sheetjs() {
  const wb = XLSX.readFile(base, { cellNF: true, cellStyles: true });
  XLSX.writeFile(wb, path.join(dir, 'sheetjs.xlsx'), { bookType: 'xlsx', compression: true });
}

exceljs().then(sheetjs).catch(e => { console.error(e); process.exit(1); });
