"""`fma-app availability MODEL [--format text|json] [--window 30d]`: what each entry point can
promise, its SLO verdict and error budget, and which dependencies eat it."""

from __future__ import annotations

import argparse
import json
import re
from typing import TYPE_CHECKING

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import CliError
from fma_app.cli.impact import load_model
from fma_app.cli.model_io import MODEL_HELP
from fma_app.presentation.availability import days as _days
from fma_app.presentation.availability import percent, target

if TYPE_CHECKING:  # networkx and the domain load only when the command runs (fast --help)
    from fma_app.analysis.availability import EntryPointAvailability
    from fma_app.domain.model import Model

TOP_CONTRIBUTORS = 5
_WINDOW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dwh]?)\s*$", re.IGNORECASE)
_UNIT_DAYS = {"": 1.0, "d": 1.0, "w": 7.0, "h": 1.0 / 24.0}

RULES = (
    "Each component fails on its own, independently, with its own availability (unknown counts "
    "as 100 % and is listed, so the figure is then an upper bound). An entry point is up when "
    "it and every strong dependency outside a group are up and every strong redundancy group "
    "has the members up that it needs (any one, or k of n); weak dependencies never take it "
    "down. The figure is exact: shared components count once (binary decision diagram)."
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "availability",
        help=COMMAND_HELP["availability"],
        description="Compute the availability each entry point (user-facing component) can "
        "have from the components' own availabilities and the dependency graph, the expected "
        "downtime per SLO window, whether it meets its SLO, the error budget and the share of "
        "it the architecture alone uses, and the components whose failures cost it most. The "
        "file is only read.",
        epilog=RULES,
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--window",
        metavar="DURATION",
        help="SLO window for every entry point instead of their own: 30d, 4w, 12h or days",
    )
    parser.set_defaults(handler=run)


def parse_window(text: str) -> float:
    """Days in a duration such as 30d, 4w, 12h or 30 (days)."""
    match = _WINDOW.match(text)
    days = float(match.group(1)) * _UNIT_DAYS[match.group(2).lower()] if match else 0.0
    if not 0 < days <= 3660:
        raise CliError(f"--window {text!r} is not a duration from 1h to 3660d, like 30d, 4w or 12h")
    return days


def record(model: Model, result: EntryPointAvailability) -> dict[str, object]:
    name = model.components.__getitem__
    return {
        "entry_point": name(result.entry_point).name,
        "availability": result.availability,
        "method": result.method,
        "standard_error": result.standard_error if result.method == "sampled" else None,
        "interval": list(result.interval) if result.interval else None,
        "slo": result.slo,
        "meets_slo": result.meets_slo,
        "window_days": result.window_days,
        "downtime_minutes": result.downtime_minutes,
        "budget_minutes": result.budget_minutes,
        "budget_consumed": result.budget_consumed,
        "unknown_components": [name(cid).name for cid in result.unknown_components],
        "contributors": [
            {"component": name(c.component_id).name, "gain": c.gain} for c in result.contributors
        ],
    }


def format_text(model: Model, results: list[EntryPointAvailability]) -> str:
    if not results:
        return "no entry points: mark the user-facing components to compute their availability"
    blocks = [_block(model, result) for result in results]
    return "\n\n".join(blocks)


def _block(model: Model, result: EntryPointAvailability) -> str:
    name = model.components[result.entry_point].name
    if result.method == "sampled" and result.interval:
        low, high = result.interval
        lines = [
            f"{name}: about {percent(result.availability)} (sampled: exact computation is out "
            f"of reach for this graph; 95 % interval {percent(low)} to {percent(high)}, "
            f"{result.samples:,} samples)"
        ]
    else:
        lines = [f"{name}: {percent(result.availability)}"]
    window = _days(result.window_days)
    downtime = f"expected downtime {result.downtime_minutes:,.1f} min per {window}"
    if result.slo is None or result.budget_minutes is None or result.budget_consumed is None:
        lines.append(f"  no SLO; {downtime}")
    else:
        verdict = "met" if result.meets_slo else "NOT met"
        lines.append(
            f"  SLO {target(result.slo)} over {window}: {verdict}; {downtime}, error budget "
            f"{result.budget_minutes:,.1f} min, of which the architecture alone uses "
            f"{result.budget_consumed:.0%}"
        )
    if result.contributors:
        shown = ", ".join(
            f"{model.components[c.component_id].name} +{c.gain * 100:.4g} pp"
            for c in result.contributors[:TOP_CONTRIBUTORS]
        )
        more = len(result.contributors) - TOP_CONTRIBUTORS
        tail = f" (and {more} more)" if more > 0 else ""
        lines.append(f"  gains if it never failed: {shown}{tail}")
    if result.unknown_components:
        unknown = ", ".join(model.components[cid].name for cid in result.unknown_components)
        lines.append(
            f"  availability unknown, counted as 100 % (the figure is an upper bound): {unknown}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from fma_app.analysis.availability import entry_point_availability

    window = None if args.window is None else parse_window(args.window)
    model = load_model(args.model)
    results = entry_point_availability(model, window_days=window)
    if args.format == "json":
        print(json.dumps([record(model, r) for r in results], indent=2, ensure_ascii=False))
    else:
        print(format_text(model, results))
    return 0
