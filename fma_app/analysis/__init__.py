"""Analyses over the domain model (networkx); imports the domain only."""
