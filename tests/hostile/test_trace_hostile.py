"""Hostile trace files: each gives one line naming the file and the problem, exit 2, and nothing
is written (`fma-app import-traces`), or a TraceFileError (the API)."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from hostile_support import hostile
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.generate_traces import json_lines
from fma_app.cli import main
from fma_app.reports import traces
from fma_app.reports.traces import TraceFileError, read_trace_files
from fma_app.reports.traces.source import MAX_DOCUMENT_BYTES

GOOD_SPAN = {
    "traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331",
    "name": "GET /", "kind": 2, "startTimeUnixNano": "1", "endTimeUnixNano": "2",
}  # fmt: skip


def otlp_with(span: object) -> str:
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]}
    return json.dumps({"resourceSpans": [{"resource": resource,
                                          "scopeSpans": [{"spans": [span]}]}]})  # fmt: skip


HOSTILE: dict[str, tuple[bytes, str]] = {
    "binary": (bytes(range(256)) * 4, "not a trace file: it starts with binary data"),
    "text": (b"hello, this is not a trace\n", "not a trace file: it starts with 'hello, this is"),
    "empty": (b"   \n", "the file is empty"),
    "markdown": (
        b"# Test json\nFor testing the UI, paste json here.\n",
        "not a trace file: it starts with '# Test json'",
    ),
    "truncated": (otlp_with(GOOD_SPAN)[:-7].encode(), "JSON ends early (the file is truncated)"),
    "invalid": (b'{"resourceSpans": [}', "not valid JSON"),
    "nested": (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply to be trace data"),
    "other-json": (b'{"name": "x", "version": 2}', "not a trace file: a JSON object with keys"),
    "number": (b"[1, 2, 3]", "not a trace file: a JSON list of number"),
    "resourceSpans-type": (b'{"resourceSpans": 5}', "resourceSpans is not a list"),
    "span-id-type": (
        otlp_with({**GOOD_SPAN, "spanId": 12}).encode(),
        "resourceSpans[0].scopeSpans[0].spans[0]: spanId must be a hex string, not 12",
    ),
    "time-type": (
        otlp_with({**GOOD_SPAN, "startTimeUnixNano": "soon"}).encode(),
        "startTimeUnixNano must be a number of nanoseconds, not 'soon'",
    ),
    "kind-type": (otlp_with({**GOOD_SPAN, "kind": "sideways"}).encode(), "kind must be a span"),
    "span-not-object": (otlp_with("span").encode(), "a span must be an object, not 'span'"),
    "callCount-type": (
        b'[{"parent": "a", "child": "b", "callCount": "many"}]',
        "[0].callCount must be a whole number 0 or more, not 'many'",
    ),
    "jaeger-process": (
        b'{"data": [{"traceID": "1", "spans": [{"traceID": "1", "spanID": "2",'
        b' "startTime": 1, "processID": "p9"}], "processes": {}}]}',
        "data[0].spans[0]: processID 'p9' is not in the trace's processes",
    ),
    "jaeger-process-tag-null": (
        b'{"data": [{"traceID": "1", "spans": [], "processes": {"p1":'
        b' {"serviceName": "a", "tags": [null]}}}]}',
        "data[0].processes.p1.tags: each tag must be an object with a text key",
    ),
    "jaeger-span-tag-without-key": (
        b'{"data": [{"traceID": "1", "spans": [{"traceID": "1", "spanID": "2",'
        b' "startTime": 1, "duration": 1, "processID": "p1", "tags": [{"value": 1}]}],'
        b' "processes": {"p1": {"serviceName": "a"}}}]}',
        "data[0].spans[0]: each tag must be an object with a text key",
    ),
    "zipkin-time": (
        b'[{"traceId": "1", "id": "2", "timestamp": "noon"}]',
        "span [0]: timestamp and duration must be whole numbers of microseconds",
    ),
    "prometheus-bad-line": (
        b"# TYPE traces_service_graph_request_total counter\nthis is not a sample at all\n",
        "line 2 is not a Prometheus sample",
    ),
    "prometheus-no-servicegraph": (b"up 1\n", "without traces_service_graph_request_total"),
    "gzip-truncated": (gzip.compress(otlp_with(GOOD_SPAN).encode())[:30], "gzip data"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_is_one_line_naming_file_and_problem(tmp_path, case):
    data, problem = HOSTILE[case]
    path = tmp_path / f"{case}.json"
    path.write_bytes(data)
    with pytest.raises(TraceFileError) as caught:
        read_trace_files([path])
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message


@pytest.mark.parametrize("case", ["binary", "truncated", "nested", "span-id-type"])
def test_command_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, case):
    path = tmp_path / "bad.json"
    path.write_bytes(HOSTILE[case][0])
    output = tmp_path / "model.fma"
    assert main(["import-traces", str(path), "-o", str(output)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"fma-app: error: {path}: ")
    assert not output.exists()
    assert os.listdir(tmp_path) == ["bad.json"]


def test_a_bad_line_in_json_lines_is_named_by_its_number(tmp_path):
    lines = list(json_lines(requests=3, per_line=5))
    lines.insert(2, lines[2][: len(lines[2]) // 2])  # a line cut short
    path = tmp_path / "cut.jsonl"
    path.write_text("\n".join(lines))
    with pytest.raises(TraceFileError, match=r"cut\.jsonl: line 3: JSON ends early"):
        read_trace_files([path])


def test_one_gigabyte_of_junk_is_refused_at_its_start(tmp_path):
    """A sparse 1 GB file: refused from its first bytes, never read whole."""
    path = tmp_path / "junk.bin"
    with path.open("wb") as out:
        out.write(b"\x00\x07junk")
        out.truncate(1024**3)
    with pytest.raises(TraceFileError, match="not a trace file: it starts with binary data"):
        read_trace_files([path])


@pytest.fixture
def small_limit(monkeypatch) -> int:
    """The document limit at 1 MB, so the tests need not write 256 MB."""
    limit = 1024 * 1024
    monkeypatch.setattr(traces, "MAX_DOCUMENT_BYTES", limit)
    return limit


def test_the_document_limit_is_256_mb():
    assert MAX_DOCUMENT_BYTES == 256 * 1024 * 1024


def test_a_json_document_larger_than_the_limit_is_refused(tmp_path, small_limit):
    """A whole JSON document is parsed in one piece, so its size is capped ('[' then a sparse
    run of NUL bytes past the limit)."""
    path = tmp_path / "huge.json"
    with path.open("wb") as out:
        out.write(b'[\n{"parent": "a",\n')
        out.truncate(small_limit + 10)
    with pytest.raises(TraceFileError, match=r"huge\.json: a JSON document is larger than"):
        read_trace_files([path])


def test_a_missing_file_and_a_folder(tmp_path):
    with pytest.raises(TraceFileError, match="no such file"):
        read_trace_files([tmp_path / "absent.json"])
    with pytest.raises(TraceFileError, match="is a folder"):
        read_trace_files([tmp_path])


def test_a_gzip_bomb_of_one_document_stops_at_the_limit(tmp_path, small_limit):
    path = tmp_path / "bomb.json.gz"
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(b'{"data": [')
        out.write(b" " * (small_limit * 4))
    assert path.stat().st_size < small_limit / 100
    with pytest.raises(TraceFileError, match="larger than"):
        read_trace_files([path])


def test_a_model_is_untouched_by_a_failed_merge(tmp_path, capsys):
    from fma_app.domain.model import Model
    from fma_app.storage import save_model

    model_path = tmp_path / "model.fma"
    model = Model(name="Kept")
    model.add_component("api")
    save_model(model, model_path)
    before = model_path.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_bytes(HOSTILE["truncated"][0])
    good = tmp_path / "good.json"
    good.write_text(otlp_with(GOOD_SPAN))
    assert main(["import-traces", str(good), str(bad), "--merge", str(model_path)]) == 2
    assert "bad.json: JSON ends early" in capsys.readouterr().err
    assert model_path.read_bytes() == before
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == ["bad.json", "good.json",
                                                                "model.fma"]  # fmt: skip


# ---- property: any mutation of real trace files imports or is refused with one line ---------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8,
)  # fmt: skip


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON document (key paths), to mutate one."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(document: object, path: tuple, new: object) -> object:
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    node = copy
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = new
    return copy


def _seed_documents() -> list[object]:
    from benchmarks.generate_traces import shop_otlp

    fixtures = Path(__file__).parents[1] / "reports" / "fixtures" / "traces"
    documents = [shop_otlp(requests=1)]
    documents += [json.loads((fixtures / name).read_text()) for name in
                  ("jaeger_shop.json", "zipkin_shop.json", "dependencies_zipkin.json",
                   "dependencies_jaeger.json")]  # fmt: skip
    return documents


SEEDS = _seed_documents()


@pytest.mark.slow  # about 15 s on this 2-core machine
@hostile(150)
@given(data=st.data())
def test_any_mutation_of_a_trace_file_imports_or_is_refused_in_one_line(tmp_path_factory, data):
    document = data.draw(st.sampled_from(SEEDS))
    path = data.draw(st.sampled_from(_paths(document)))
    mutated = _replace(document, path, data.draw(JSON_VALUES))
    file = tmp_path_factory.mktemp("mutant") / "traces.json"
    file.write_text(json.dumps(mutated))
    try:
        reading = read_trace_files([file])
    except TraceFileError as error:
        message = str(error)
    else:
        from fma_app.analysis.trace_merge import new_model_from

        new_model_from(reading.topology, "Mutant")  # what was read builds a valid model
        return
    assert message.startswith(f"{file}: ")
    assert "\n" not in message


@hostile(60)
@given(
    lines=st.lists(
        st.tuples(st.sampled_from(["client", "server", "connection_type", "messaging_system",
                                   "le", "x"]), st.text(max_size=6)),
        max_size=4,
    ),
    value=st.sampled_from(["1", "0", "-1", "NaN", "+Inf", "1e400", "x", "3.5"]),
    name=st.sampled_from(["traces_service_graph_request_total",
                          "traces_service_graph_request_failed_total",
                          "traces_service_graph_request_client_seconds_bucket", "up"]),
)  # fmt: skip
def test_any_servicegraph_sample_imports_or_is_refused_in_one_line(tmp_path, lines, value, name):
    labels = ",".join(f'{key}="{text.replace(chr(92), "").replace(chr(34), "")}"'
                      for key, text in lines)  # fmt: skip
    file = tmp_path / "metrics.prom"
    file.write_text(f"# TYPE {name} counter\n{name}{{{labels}}} {value}\n", encoding="utf-8")
    try:
        reading = read_trace_files([file])
    except TraceFileError as error:
        message = str(error)
    else:
        from fma_app.analysis.trace_merge import new_model_from

        new_model_from(reading.topology, "Metrics")
        return
    assert message.startswith(f"{file}: ")
    assert "\n" not in message
