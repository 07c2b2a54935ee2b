"""The dependency graph tab: items, scene (what is drawn), controller (edits), overlays,
export, the canvas view and the panel that assembles them."""
