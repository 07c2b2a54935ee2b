"""How a spreadsheet import problem tells the user to change the mapping.

The command line changes it with options (`fma-app import --map COLUMN=FIELD`, `--header-rows
N-M`); the import dialog with its controls (the Header rows boxes, each column's field in the
preview's Field row). Detection and the reader word their problems through one of these, so a
refusal in the dialog never asks for an option the dialog does not have.
"""

from __future__ import annotations

from collections.abc import Sequence

FIELD_ROW = "in the preview's Field row"


def field_label(key: str) -> str:
    """A field as the dialog's combos name it ("revised_severity" -> "Revised severity")."""
    return key.replace("_", " ").capitalize()


class MappingWords:
    """The command line's words."""

    def entry(self, key: str, field: str | None = None) -> str:
        """A mapping entry the user gave, where a problem is about it."""
        return f"--map {key!r}" if field is None else f"--map {key}={field}"

    def no_header(self) -> str:
        return "give the header rows with --header-rows N-M, or name the columns with --map"

    def which_is_which(self, column: str, field: str) -> str:
        return f"say which is which with --map (for example --map {column}={field})"

    def map_initial_scores(self) -> str:
        return "map the initial ones with --map COLUMN=severity (likelihood, detection)"

    def map_missing(self, fields: Sequence[str]) -> str:
        return "map it with --map COLUMN=FIELD"

    def map_each_score(self, column: str) -> str:
        return (
            f"map each with --map {column}=severity (or likelihood, detection, revised_..., ignore)"
        )


class DialogWords(MappingWords):
    """The import dialog's words: its controls, where the command line has options."""

    def entry(self, key: str, field: str | None = None) -> str:
        return f"mapping {key!r}" if field is None else f"mapping {key}={field}"

    def no_header(self) -> str:
        return f"give the header rows above, or choose each column's field {FIELD_ROW}"

    def which_is_which(self, column: str, field: str) -> str:
        return f"say which is which {FIELD_ROW} (for example {field_label(field)} for {column})"

    def map_initial_scores(self) -> str:
        return f"choose Severity, Likelihood and Detection for the initial ones {FIELD_ROW}"

    def map_missing(self, fields: Sequence[str]) -> str:
        return f"choose {' or '.join(map(field_label, fields))} for its column {FIELD_ROW}"

    def map_each_score(self, column: str) -> str:
        return f"choose each one's field {FIELD_ROW} (for example Severity for {column})"


COMMAND_LINE = MappingWords()
DIALOG = DialogWords()
