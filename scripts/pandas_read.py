#!/usr/bin/python3
"""Baseline for the scale figures: read only the town and village sheets of
every return in a folder with pandas + openpyxl (no validation at all).
Usage: /usr/bin/python3 scripts/pandas_read.py DIR"""
import glob, os, sys, time
import pandas as pd

start = time.time()
files = sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.xlsx"), recursive=True))
rows = 0
for f in files:
    sheets = pd.read_excel(f, sheet_name=["乡镇街道社工站", "村社区社工室"], engine="openpyxl", header=None)
    rows += sum(len(df) for df in sheets.values())
print(f"pandas+openpyxl: {len(files)} files, {rows} rows in {time.time() - start:.1f} s")
