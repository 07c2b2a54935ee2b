"""File > Export Chaos Experiments...: the drafts `fma-app chaos` writes, from the open model.

Asks the format and the folder, writes one draft per failure mode that has a fault, and says
what was written and, for each skipped draft, why (as the command's stderr lines do).
"""

from __future__ import annotations

from pathlib import Path

from fma_app.reports.chaos import (
    FORMAT_LABELS,
    plan_drafts,
    selected_failure_modes,
    skip_line,
    write_drafts,
)
from fma_app.ui.document import Document
from fma_app.ui.interaction import Interaction, Level

TITLE = "Export Chaos Experiments"
FORMATS = tuple(FORMAT_LABELS)  # chaostoolkit, litmus, fis
SHOWN_SKIPS = 12  # the message stays readable; the rest are counted


def export_chaos_interactive(document: Document, interaction: Interaction) -> list[Path]:
    """The drafts written (an empty list when cancelled, nothing to draft or it failed)."""
    model = document.model
    chosen = selected_failure_modes(model, None)
    if not chosen:
        interaction.show_message(
            TITLE,
            "No failure mode has a fault to inject yet: set one in the Resilience section of "
            "the failure mode details.",
        )
        return []
    labels = [FORMAT_LABELS[name] for name in FORMATS]
    index = interaction.ask_choice(TITLE, "Format of the experiment drafts:", labels)
    if index is None:
        return []
    format_name = FORMATS[index]
    start = str(document.path.parent) if document.path else str(Path.home())
    folder = interaction.choose_directory(f"{TITLE}: folder for the drafts", start)
    if folder is None:
        return []
    drafts, skipped = plan_drafts(model, format_name, chosen)
    try:
        written = write_drafts(drafts, Path(folder))
    except OSError as error:
        interaction.show_message(
            TITLE, f"Cannot write to {folder}: {error.strerror or error}", Level.WARNING
        )
        return []
    lines = [f"Wrote {len(written)} {labels[index]} draft(s) to {folder}."]
    if skipped:
        lines.append(f"Skipped {len(skipped)}:")
        lines += [skip_line(model, one, format_name) for one in skipped[:SHOWN_SKIPS]]
        if len(skipped) > SHOWN_SKIPS:
            lines.append(f"... and {len(skipped) - SHOWN_SKIPS} more")
    level = Level.WARNING if skipped else Level.INFORMATION
    interaction.show_message(TITLE, "\n".join(lines), level)
    return written
