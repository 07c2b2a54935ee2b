"""`fma-app diff OLD NEW [--format text|json] [--ignore-layout]`: what changed, by stable id."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from fma_app.cli import COMMAND_HELP
from fma_app.cli.model_io import read_model

if TYPE_CHECKING:  # the domain loads when the command runs, not for --help
    from fma_app.domain.diff import FieldChange, ModelDiff, RecordChange

EXIT_EQUAL, EXIT_DIFFERENT = 0, 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "diff",
        help=COMMAND_HELP["diff"],
        description="Show what was added, removed and changed between two model files: model "
        "properties, components, dependencies, failure modes and actions, matched by their ids, "
        "field by field with the old and the new value. Moved nodes are listed apart. Exit code "
        "0: equal, 1: different, 2: bad input. The files are only read.",
    )
    parser.add_argument("old", metavar="OLD", help="model file (.fma)")
    parser.add_argument("new", metavar="NEW", help="model file (.fma)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--ignore-layout", action="store_true", help="leave out moved nodes (canvas positions)"
    )
    parser.set_defaults(handler=run)


def _what(change: RecordChange) -> str:
    from fma_app.domain.records import MODEL, SINGULAR, shown

    if change.collection == MODEL:
        return "model properties"
    singular = SINGULAR.get(change.collection, change.collection)
    label = f" {shown(change.label)}" if change.label else ""
    return f"{singular} {change.id}{label}"


def _field_line(change: FieldChange) -> str:
    from fma_app.domain.records import shown

    return f"    {change.field}: {shown(change.old)} -> {shown(change.new)}"


def format_text(diff: ModelDiff) -> str:
    from fma_app.domain.records import shown

    lines: list[str] = []
    for change in diff.content_changes():
        if change.op == "changed":
            lines.append(f"~ changed {_what(change)}")
            lines.extend(_field_line(c) for c in change.fields)
        else:
            lines.append(f"{'+' if change.op == 'added' else '-'} {change.op} {_what(change)}")
    moved = diff.layout_changes()
    if moved:
        lines.append("Layout (canvas positions):")
        for change in moved:
            positions = ", ".join(
                f"{c.field} {shown(c.old)} -> {shown(c.new)}" for c in change.layout
            )
            lines.append(f"  moved {_what(change)}: {positions}")
    lines.append(_summary(diff))
    return "\n".join(lines)


def _summary(diff: ModelDiff) -> str:
    if diff.is_empty():
        return "The models are equal."
    counts = {op: sum(c.op == op for c in diff.content_changes()) for op in ("added", "removed")}
    changed = sum(c.op == "changed" and bool(c.fields) for c in diff.changes)
    moved = len(diff.layout_changes())
    return f"{counts['added']} added, {counts['removed']} removed, {changed} changed, {moved} moved"


def _record(change: RecordChange) -> dict[str, object]:
    record: dict[str, object] = {
        "collection": change.collection,
        "id": change.id,
        "label": change.label,
    }
    if change.op == "changed":
        record["fields"] = [{"field": c.field, "old": c.old, "new": c.new} for c in change.fields]
    else:
        side = "new" if change.op == "added" else "old"
        record["values"] = {c.field: getattr(c, side) for c in change.fields}
    return record


def diff_record(diff: ModelDiff) -> dict[str, object]:
    content = diff.content_changes()
    return {
        "equal": diff.is_empty(),
        **{op: [_record(c) for c in content if c.op == op] for op in ("added", "removed")},
        "changed": [_record(c) for c in content if c.op == "changed"],
        "layout": [
            {
                "collection": c.collection,
                "id": c.id,
                "label": c.label,
                "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in c.layout],
            }
            for c in diff.layout_changes()
        ],
    }


def run(args: argparse.Namespace) -> int:
    from fma_app.domain.diff import diff_models

    old, new = read_model(args.old), read_model(args.new)
    diff = diff_models(old, new)
    if args.ignore_layout:
        diff = diff.without_layout()
    if args.format == "json":
        print(json.dumps(diff_record(diff), indent=2, ensure_ascii=False))
    else:
        print(format_text(diff))
    return EXIT_EQUAL if diff.is_empty() else EXIT_DIFFERENT
