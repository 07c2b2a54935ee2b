"""`fma-app import-traces FILE... (-o MODEL [--force] | --merge MODEL)`: components and
dependencies from trace files (OTLP JSON, Jaeger, Zipkin v2, dependency lists, servicegraph
metrics; plain, gzip or zstd).

`-o` builds a new model; `--merge` adds what is new to an existing one and replaces only the
observed statistics of the dependencies it already has. `--dry-run` prints the plan and writes
nothing. A model open in the desktop app (its NAME.lock is held) is not merged into: the app's
next save would erase the merge. Any bad input exits 2 with one line and writes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import CliError

if TYPE_CHECKING:
    from fma_app.analysis.trace_merge import MergePlan, PlannedDependency
    from fma_app.domain.model import ObservedCalls
    from fma_app.reports.traces import TraceReading

SAMPLED_NOTE = "Counts are what the sampled traces held, not every call."


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import-traces",
        help=COMMAND_HELP["import-traces"],
        description="Read trace files (OTLP JSON or JSON lines, Jaeger JSON, Zipkin v2 JSON, "
        "dependency lists, the servicegraph connector's Prometheus text; plain, .gz or .zst, "
        "recognised by content) and build a new model (-o) or add what is new to an existing "
        "one (--merge). A merge changes nothing a person entered; it replaces only the observed "
        "call statistics and reports the dependencies the traces did not see.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="trace files to read")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("-o", "--output", metavar="MODEL", help="write a new model")
    target.add_argument("--merge", metavar="MODEL", help="add what is new to this model")
    parser.add_argument("--force", action="store_true", help="with -o: replace MODEL if it exists")
    parser.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    parser.add_argument(
        "--environment",
        metavar="NAME",
        help="keep only spans whose resource has deployment.environment.name (or the older "
        "deployment.environment) NAME",
    )
    parser.add_argument(
        "--since",
        metavar="TIME",
        type=_moment,
        help="keep spans that start at or after TIME (ISO 8601; UTC if no zone)",
    )
    parser.add_argument(
        "--until", metavar="TIME", type=_moment, help="keep spans that start before TIME"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time written YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def run(args: argparse.Namespace) -> int:
    from fma_app.reports.traces import TraceFileError, read_trace_files

    files = [Path(name) for name in args.files]
    shared = bool(args.merge) and _is_url(args.merge)
    model_path = Path(args.output or args.merge)
    if shared:
        if args.force:
            raise CliError("--force goes with -o; --merge never replaces a model")
    else:
        _check_paths(files, model_path, args)
    if args.since and args.until and args.until <= args.since:
        raise CliError("--until must be later than --since")
    try:
        reading = read_trace_files(
            files, environment=args.environment, since=args.since, until=args.until
        )
    except TraceFileError as error:
        raise CliError(str(error)) from None
    topology = reading.topology
    if not topology.components:
        filters = " after --environment/--since/--until" if _filtered(args) else ""
        raise CliError(f"found no services in {', '.join(args.files)}{filters}; nothing written")
    for note in reading.notes:
        print(f"fma-app: note: {note}", file=sys.stderr)
    if shared:
        return _merge_shared(args, reading)
    if args.merge:
        return _merge(args, model_path, reading)
    return _create(args, model_path, reading)


def _filtered(args: argparse.Namespace) -> bool:
    return bool(args.environment or args.since or args.until)


def _check_paths(files: list[Path], model_path: Path, args: argparse.Namespace) -> None:
    if model_path.is_dir():
        raise CliError(f"{str(model_path)!r} is a folder; give a model file such as model.fma")
    for file in files:
        if model_path.exists() and file.exists() and os.path.samefile(model_path, file):
            raise CliError(f"{str(model_path)!r} is one of the trace files; choose another MODEL")
    if args.merge:
        if args.force:
            raise CliError("--force goes with -o; --merge never replaces a model")
        if not model_path.is_file():
            raise CliError(f"cannot merge into {str(model_path)!r}: no such model file")
        return
    if model_path.exists() and not args.force and not args.dry_run:
        raise CliError(
            f"{str(model_path)!r} already exists; use --force to replace it,"
            " or --merge to add to it"
        )
    if not model_path.parent.is_dir():
        raise CliError(
            f"cannot write {str(model_path)!r}: folder {str(model_path.parent)!r} does not exist"
        )


def _create(args: argparse.Namespace, model_path: Path, reading: TraceReading) -> int:
    from fma_app.analysis.trace_merge import new_model_from, plan_merge
    from fma_app.domain.model import Model

    name = model_path.stem or "Traces"
    plan = plan_merge(Model(name=name), reading.topology)
    if not args.dry_run:
        from fma_app.storage import ModelFileError, save_model

        model = new_model_from(reading.topology, name)
        try:
            save_model(model, model_path)
        except ModelFileError as error:
            raise CliError(str(error)) from None
    _print(args, plan, reading, model_path, written=not args.dry_run)
    return 0


def _merge(args: argparse.Namespace, model_path: Path, reading: TraceReading) -> int:
    from fma_app.analysis.trace_merge import apply_plan, plan_merge
    from fma_app.storage import ModelFileError, open_model, save_model
    from fma_app.storage.locking import Lock, acquire_lock

    lock: Lock | None = None
    if not args.dry_run:
        try:
            held = acquire_lock(model_path)
        except OSError as error:
            raise CliError(f"cannot lock {str(model_path)!r} for the merge: {error}") from None
        if not isinstance(held, Lock):
            raise CliError(
                f"{str(model_path)!r} is open in FMA Workbench by {held.describe()}; close it"
                " there first (its next save would erase the merge)"
            )
        lock = held
    try:
        try:
            model = open_model(model_path, read_only=args.dry_run)
        except ModelFileError as error:
            raise CliError(str(error)) from None
        plan = plan_merge(model, reading.topology)
        written = not args.dry_run and not plan.changes_nothing
        if written:
            apply_plan(model, plan)
            try:
                save_model(model, model_path)
            except ModelFileError as error:
                raise CliError(str(error)) from None
    finally:
        if lock is not None:
            lock.release()
    _print(args, plan, reading, model_path, written=written, merge=True)
    return 0


def _is_url(text: str) -> bool:
    from fma_app.storage.shared import is_shared_location

    return is_shared_location(text)


def _merge_shared(args: argparse.Namespace, reading: TraceReading) -> int:
    """--merge into a shared model: planned and written in one transaction under the model's
    commit lock, so a merge running at the same time waits and then plans on what this one
    wrote (both land, nothing twice). People editing the model keep editing."""
    from fma_app.analysis.trace_merge import merge_command, plan_merge
    from fma_app.domain.commands import Command
    from fma_app.domain.model import Model
    from fma_app.storage.shared import SharedStoreError, parse_location
    from fma_app.storage.shared.session import SharedSession

    plans: list[MergePlan] = []

    def make_command(model: Model) -> Command | None:
        plan = plan_merge(model, reading.topology)
        plans.append(plan)
        return None if plan.changes_nothing else merge_command(model, plan)

    try:
        location = parse_location(args.merge)
        session = SharedSession.open(location)
    except SharedStoreError as error:
        raise CliError(str(error)) from None
    try:
        if args.dry_run:
            make_command(session.model)
            written = False
        else:
            written = session.apply_exclusively("import-traces", make_command) is not None
    except SharedStoreError as error:
        raise CliError(str(error)) from None
    finally:
        session.close()
    _print(args, plans[-1], reading, location.display, written=written, merge=True)
    return 0


# ---- output ----------------------------------------------------------------------------------


def _print(
    args: argparse.Namespace,
    plan: MergePlan,
    reading: TraceReading,
    model_path: Path | str,
    *,
    written: bool,
    merge: bool = False,
) -> None:
    if args.format == "json":
        data = plan.to_dict()
        data["files"] = [{"path": path, "format": name} for path, name in reading.formats.items()]
        data["spans"] = reading.topology.spans
        data["written"] = written
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    print(
        "\n".join(
            _text(plan, reading, model_path, written=written, merge=merge, dry_run=args.dry_run)
        )
    )


def _text(
    plan: MergePlan,
    reading: TraceReading,
    model_path: Path | str,
    *,
    written: bool,
    merge: bool,
    dry_run: bool,
) -> list[str]:
    topology = reading.topology
    files = ", ".join(f"{Path(p).name} ({kind})" for p, kind in reading.formats.items())
    lines = [f"read {files}: {topology.spans:,} spans" + _period(plan)]
    verb = "would add" if dry_run else "added"
    lines.append(f"{verb} {_count(len(plan.components_added), 'component')}:")
    lines += [
        f"  {c.name} ({c.kind.value}{', entry point' if c.entry_point else ''})"
        for c in plan.components_added
    ]
    lines.append(f"{verb} {_count(len(plan.dependencies_added), 'dependency')}:")
    lines += [f"  {_dependency_line(d)}" for d in plan.dependencies_added]
    if merge:
        replaced = "would replace" if dry_run else "replaced"
        lines.append(
            f"{replaced} the observed statistics of "
            f"{_count(len(plan.statistics_updated), 'dependency')}"
        )
        lines.append(
            f"not seen in the traces (kept): "
            f"{_count(len(plan.dependencies_not_seen), 'dependency')}"
        )
        lines += [f"  {u.source} -> {u.target}" for u in plan.dependencies_not_seen]
    lines.append(f"entry point candidates: {', '.join(plan.entry_point_candidates) or 'none'}")
    lines.append(
        f"without failure modes: {', '.join(plan.components_without_failure_modes) or 'none'}"
    )
    lines.append(SAMPLED_NOTE)
    if dry_run:
        lines.append("dry run: nothing written")
    elif written:
        lines.append(f"{'merged into' if merge else 'wrote'} {model_path}")
    else:
        lines.append(f"{model_path} already has all of it: nothing written")
    return lines


def _period(plan: MergePlan) -> str:
    if plan.observed_from is None or plan.observed_to is None:
        return ""
    return f" from {_when(plan.observed_from)} to {_when(plan.observed_to)}"


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _dependency_line(dependency: PlannedDependency) -> str:
    return f"{dependency.source} -> {dependency.target} ({dependency.strength.value}" + (
        f"; {_statistics(dependency.observed)})"
    )


def _statistics(observed: ObservedCalls) -> str:
    parts = [_count(observed.calls, "call")]
    if observed.errors is not None:
        parts.append(_count(observed.errors, "error"))
    if observed.p50_ms is not None and observed.p99_ms is not None:
        parts.append(f"p50 {observed.p50_ms:g} ms, p99 {observed.p99_ms:g} ms")
    return ", ".join(parts)


def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number:,} {noun if number == 1 else plural}"
