"""Excel import/export (openpyxl) and charts (matplotlib Figures, no pyplot state)."""
