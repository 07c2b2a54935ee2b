"""What the user sees, decided without Qt: worksheet columns and cell values, clipboard text,
rating scales and the style tokens (colours, labels) that the UI, charts, the Excel report and
the terminal share.

Sits between analysis and reports/storage in the layers: imports the domain and analysis only,
never Qt, openpyxl or matplotlib, so it runs and is tested without them. Submodules are imported
by name (this file imports none), so the command line pays only for what it uses.
"""
