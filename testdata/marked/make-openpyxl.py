#!/usr/bin/python3
"""Re-saves base.xlsx with openpyxl (Debian python3-openpyxl), which writes
its own comment parts (xl/comments/comment1.xml, xl/drawings/commentsDrawing1.vml,
absolute relationship targets), for the round trips in gen/mark_test.go.
Not needed at test time:

    /usr/bin/python3 testdata/marked/make-openpyxl.py
"""
import os
import openpyxl

d = os.path.dirname(os.path.abspath(__file__))
wb = openpyxl.load_workbook(os.path.join(d, "base.xlsx"))
wb.save(os.path.join(d, "openpyxl.xlsx"))
