"""Formats in and out: Excel import/export (openpyxl), charts (matplotlib Figures, no pyplot
state) and trace files (`traces`: OTLP, Jaeger, Zipkin, dependency lists, servicegraph)."""
