"""The check of Qt's xcb plugin libraries that runs before the window opens (cli/desktop_libraries):
its table against the real plugin, its verdict against the dynamic loader, its one-line message,
and the real command with a library made unloadable."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from fma_app.cli.desktop_libraries import (
    XCB_PLUGIN_LIBRARIES,
    desktop_problem,
    missing_libraries,
    qt_library_dirs,
    system_loader,
    will_use_xcb,
)

ROOT = Path(__file__).resolve().parents[2]
FMA_APP = Path(sys.executable).with_name("fma-app")  # the venv's entry point
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xcb is Linux only")


def needed_libraries(elf: Path) -> list[str]:
    """The DT_NEEDED entries of a 64-bit little-endian ELF file, read from its section table."""
    data = elf.read_bytes()
    assert data[:6] == b"\x7fELF\x02\x01", f"{elf} is not a 64-bit little-endian ELF file"
    section_offset, = struct.unpack_from("<Q", data, 0x28)  # fmt: skip
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, section_offset + i * entry_size)
                for i in range(count)]  # fmt: skip
    needed = []
    for _, kind, _, _, offset, size, link, *_ in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strings_offset = sections[link][4]
        for tag, value in struct.iter_unpack("<qQ", data[offset : offset + size]):
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", strings_offset + value)
                needed.append(data[strings_offset + value : end].decode())
    return needed


def xcb_plugin_files() -> list[Path]:
    qt_lib = qt_library_dirs()[0]
    return [qt_lib.parent / "plugins" / "platforms" / "libqxcb.so", qt_lib / "libQt6XcbQpa.so.6"]


# ---- the table --------------------------------------------------------------------------------
@linux_only
def test_table_lists_every_system_library_the_installed_xcb_plugin_needs():
    qt_libraries = {p.name for p in qt_library_dirs()[0].iterdir()}
    runtime = re.compile(r"lib(c|m|gcc_s|stdc\+\+|pthread|dl|rt)\.so\.\d+$")
    needed = set()
    for plugin_file in xcb_plugin_files():
        needed |= set(needed_libraries(plugin_file))
    system = {n for n in needed if n not in qt_libraries and not runtime.match(n)}
    assert "libxcb-icccm.so.4" in system
    assert "libQt6XcbQpa.so.6" in needed
    assert system == {soname for soname, _ in XCB_PLUGIN_LIBRARIES}


def test_setup_installs_every_package_of_the_table():
    setup = (ROOT / "tools" / "setup.sh").read_text()
    arrays = re.findall(r"^(QT_LIBS|XCB_LIBS)=\(([^)]*)\)", setup, flags=re.MULTILINE)
    assert [name for name, _ in arrays] == ["QT_LIBS", "XCB_LIBS"]
    listed = {package for _, words in arrays for package in words.split()}
    assert {package for _, package in XCB_PLUGIN_LIBRARIES} <= listed


# ---- when the check runs ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"DISPLAY": ":0"}, True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": ""}, True),
        ({"QT_QPA_PLATFORM": "xcb"}, True),
        ({"QT_QPA_PLATFORM": "xcb:nograb", "DISPLAY": ":0"}, True),
        ({"QT_QPA_PLATFORM": "xcb;wayland", "DISPLAY": ":0"}, True),
        ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, False),
        ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, False),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, False),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, True),
        ({}, False),
    ],
)
def test_the_check_runs_only_when_qt_will_load_the_xcb_plugin(environ, expected):
    assert will_use_xcb(environ, platform="linux") is expected


def test_no_check_off_linux():
    assert will_use_xcb({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"}, platform="darwin") is False


# ---- the message, with a fake loader ------------------------------------------------------------
def fake_loader(*missing: str):
    tried: list[str] = []

    def load(soname: str) -> bool:
        tried.append(soname)
        return soname not in missing

    return load, tried


def test_one_missing_library_names_its_package():
    load, tried = fake_loader("libxcb-icccm.so.4")
    assert desktop_problem({"DISPLAY": ":0"}, load) == (
        "the desktop window needs system libraries that are missing: "
        "libxcb-icccm.so.4 (libxcb-icccm4); install them with: apt-get install libxcb-icccm4"
    )
    assert tried == [soname for soname, _ in XCB_PLUGIN_LIBRARIES]  # every one is tried


def test_several_missing_libraries_name_each_package_once():
    load, _ = fake_loader("libglib-2.0.so.0", "libxcb-keysyms.so.1", "libgthread-2.0.so.0")
    assert desktop_problem({"QT_QPA_PLATFORM": "xcb"}, load) == (
        "the desktop window needs system libraries that are missing: "
        "libglib-2.0.so.0 (libglib2.0-0), libgthread-2.0.so.0 (libglib2.0-0), "
        "libxcb-keysyms.so.1 (libxcb-keysyms1); "
        "install them with: apt-get install libglib2.0-0 libxcb-keysyms1"
    )


def test_nothing_missing_or_another_platform_is_no_problem():
    load, tried = fake_loader()
    assert desktop_problem({"DISPLAY": ":0"}, load) is None
    assert tried
    load, tried = fake_loader("libxcb-icccm.so.4")
    assert desktop_problem({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, load) is None
    assert tried == []  # nothing is even tried


# ---- the real loader ----------------------------------------------------------------------------
@linux_only
@pytest.mark.skipif(shutil.which("ldd") is None, reason="ldd is not installed")
def test_real_check_agrees_with_the_dynamic_loader():
    """What the check finds missing on this machine is what ldd says the xcb plugin lacks (on CI,
    where tools/setup.sh installed them, nothing)."""
    listed = subprocess.run(["ldd", *map(str, xcb_plugin_files())], capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    not_found = set(re.findall(r"^\s*(\S+) => not found", listed, flags=re.MULTILINE))
    for soname, _ in XCB_PLUGIN_LIBRARIES:
        assert re.search(rf"^\s*{re.escape(soname)} =>", listed, flags=re.MULTILINE), soname
    found_missing = missing_libraries(system_loader(qt_library_dirs()))
    assert {soname for soname, _ in found_missing} == not_found


@linux_only
def test_real_loader_refuses_a_library_that_cannot_load(tmp_path):
    """An unloadable file found first by name fails, as it does for the dynamic loader."""
    (tmp_path / "libfma-broken.so.1").write_bytes(b"")
    load = system_loader([tmp_path])
    assert load("libfma-broken.so.1") is False
    assert load("libfma-no-such-library.so.7") is False
    assert load("libc.so.6") is True


def unloadable_library_dir(tmp_path: Path, soname: str) -> Path:
    """A folder for LD_LIBRARY_PATH whose empty `soname` shadows the system's copy: the dynamic
    loader finds it first and fails on it ("file too short"), for Qt's plugin and our check."""
    folder = tmp_path / "broken-libs"
    folder.mkdir()
    (folder / soname).write_bytes(b"")
    return folder


def window_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    hidden = {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE", "FMA_SMOKE_TEST"}
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.update(extra)
    return env


@linux_only
def test_window_command_with_an_unloadable_library_prints_one_line_and_exits_2(tmp_path):
    """The real entry point, the real check, the real dynamic loader: Qt is never reached."""
    really_missing = missing_libraries(system_loader(qt_library_dirs()))
    if really_missing:
        pytest.skip(f"this machine lacks {really_missing}; tools/setup.sh installs them as root")
    broken = unloadable_library_dir(tmp_path, "libxcb-icccm.so.4")
    env = window_env(tmp_path, DISPLAY=":97", LD_LIBRARY_PATH=str(broken))
    result = subprocess.run([str(FMA_APP), str(tmp_path / "m.fma")], capture_output=True,
                            text=True, env=env, timeout=60)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        "fma-app: error: the desktop window needs system libraries that are missing: "
        "libxcb-icccm.so.4 (libxcb-icccm4); install them with: apt-get install libxcb-icccm4\n"
    )
    assert not (tmp_path / "m.fma").exists()


def test_commands_other_than_the_window_never_run_the_check(tmp_path):
    code = (
        "import sys\n"
        "from fma_app.cli import main\n"
        "for argv in (['--version'], ['--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "main(['info', sys.argv[1]])\n"
        "print('LOADED', 'fma_app.cli.desktop_libraries' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "none.fma")],
                            capture_output=True, text=True, env=window_env(tmp_path))  # fmt: skip
    assert "LOADED False" in result.stderr, result.stderr


# ---- the real window on the xcb platform, under Xvfb --------------------------------------------
# Offscreen tests never load the xcb plugin, so they let a window that cannot open on a desktop
# ship. These start Xvfb (tools/test.sh installs it as root) and run the venv's entry point on it.
XVFB_RUN = shutil.which("xvfb-run")
needs_xvfb = pytest.mark.skipif(
    XVFB_RUN is None, reason="xvfb-run is not installed (tools/test.sh installs it as root)"
)


def under_xvfb(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """`argv` with DISPLAY set to a fresh Xvfb server; xvfb-run returns the command's status."""
    assert XVFB_RUN is not None
    command = [XVFB_RUN, "-a", "-s", "-screen 0 1600x1000x24", *argv]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)


@pytest.fixture
def demo_model(tmp_path: Path) -> Path:
    model = tmp_path / "payments.fma"
    done = subprocess.run([str(FMA_APP), "demo", "-o", str(model)], capture_output=True,
                          text=True, env=window_env(tmp_path), timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return model


@linux_only
@needs_xvfb
def test_window_opens_on_the_xcb_platform_from_the_entry_point(tmp_path, demo_model):
    report_path = tmp_path / "smoke.json"
    env = window_env(tmp_path, FMA_SMOKE_TEST=str(report_path), FMA_SMOKE_DELAY_MS="1500")
    result = under_xvfb([str(FMA_APP), str(demo_model)], env)  # no QT_QPA_PLATFORM: Qt chooses
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["platform"] == "xcb"
    assert [w["class"] for w in report["windows"]] == ["MainWindow"], report["windows"]
    assert report["windows"][0]["title"].startswith("payments.fma")
    assert Path(report["screenshot"]).stat().st_size > 10_000  # a painted window
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("payments")) == [
        "payments.fma"
    ]  # the lock is released


@linux_only
@needs_xvfb
def test_on_a_real_display_a_missing_library_is_named_where_qt_would_abort(tmp_path):
    really_missing = missing_libraries(system_loader(qt_library_dirs()))
    if really_missing:
        pytest.skip(f"this machine lacks {really_missing}; tools/setup.sh installs them as root")
    broken = unloadable_library_dir(tmp_path, "libxcb-keysyms.so.1")
    env = window_env(tmp_path, LD_LIBRARY_PATH=str(broken))
    # Qt alone, with the same library unloadable, aborts: the situation the check is for.
    qt_alone = "from PySide6.QtWidgets import QApplication; QApplication([])"
    aborted = under_xvfb([sys.executable, "-c", qt_alone], dict(env, QT_QPA_PLATFORM="xcb"))
    assert aborted.returncode == 134, aborted.stderr[-2000:]
    result = under_xvfb([str(FMA_APP), str(tmp_path / "m.fma")], env)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr == (
        "fma-app: error: the desktop window needs system libraries that are missing: "
        "libxcb-keysyms.so.1 (libxcb-keysyms1); "
        "install them with: apt-get install libxcb-keysyms1\n"
    )
