"""The desktop bundle and the Linux desktop files.

The desktop files are checked on every run. The bundle is built once per session with
packaging/build.sh (a few minutes) when FMA_BUILD_BUNDLE=1, as .ci/run sets it, and then every
command is run from the frozen executable and the window is opened offscreen and under Xvfb (the
xcb platform) through the FMA_SMOKE_TEST hook (fma_app/ui/smoke.py). FMA_BUNDLE_PREBUILT=1 checks
an existing dist/fma-app/ instead of building.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fma_app import __version__

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
APP_ID = "org.fmaworkbench.FMAWorkbench"
VERSION = __version__  # the one place it is written; hatch reads it for the package
MIME_NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
BUILD = os.environ.get("FMA_BUILD_BUNDLE") == "1"
needs_bundle = pytest.mark.skipif(not BUILD, reason="set FMA_BUILD_BUNDLE=1 to build the bundle")


# ---- desktop files (fast, always) ------------------------------------------------------------
def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(LINUX / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_opens_model_files_with_the_app():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "FMA Workbench"
    assert entry["Exec"] == "fma-app %f"  # install-desktop.sh makes the path absolute
    assert entry["Icon"] == APP_ID
    assert "application/x-fma-model;" in entry["MimeType"]
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(["desktop-file-validate", str(LINUX / f"{APP_ID}.desktop")],
                                capture_output=True, text=True)  # fmt: skip
        assert result.returncode == 0, result.stdout
        assert not result.stdout.strip(), result.stdout


def test_metainfo_names_the_desktop_file_and_is_valid():
    root = ET.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.find("provides/mediatype").text == "application/x-fma-model"
    assert root.find("releases/release").get("version") == VERSION
    if shutil.which("appstreamcli"):
        result = subprocess.run(
            ["appstreamcli", "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")],
            capture_output=True, text=True,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr


def mime_magic() -> tuple[bytes, int, int]:
    root = ET.parse(LINUX / f"{APP_ID}.mime.xml").getroot()
    mime = root.find("m:mime-type", MIME_NS)
    assert mime.get("type") == "application/x-fma-model"
    assert mime.find("m:glob", MIME_NS).get("pattern") == "*.fma"
    outer = mime.find("m:magic/m:match", MIME_NS)
    inner = outer.find("m:match", MIME_NS)
    prefix = outer.get("value").replace("\\000", "\0").encode()
    return prefix, int(inner.get("offset")), int(inner.get("value"), 16)


def test_mime_magic_recognises_a_real_model_file_and_no_other_sqlite(tmp_path):
    from fma_app.domain.model import Model
    from fma_app.storage import APPLICATION_ID, save_model

    prefix, offset, value = mime_magic()
    assert value == APPLICATION_ID
    model_file = tmp_path / "no-extension"
    save_model(Model(name="m"), model_file)
    header = model_file.read_bytes()[:100]
    assert header.startswith(prefix)
    assert int.from_bytes(header[offset : offset + 4], "big") == value
    import sqlite3

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    other_header = other.read_bytes()[:100]
    assert other_header.startswith(prefix)
    assert int.from_bytes(other_header[offset : offset + 4], "big") != value


# ---- the bundle (slow, FMA_BUILD_BUNDLE=1) ---------------------------------------------------
@pytest.fixture(scope="session")
def bundle() -> Path:
    executable = ROOT / "dist" / "fma-app" / "fma-app"
    if os.environ.get("FMA_BUNDLE_PREBUILT") == "1":  # check a bundle built just before
        assert executable.is_file(), "FMA_BUNDLE_PREBUILT=1 but dist/fma-app/fma-app is missing"
        return executable
    result = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh")], cwd=ROOT,
                            capture_output=True, text=True, timeout=1800)  # fmt: skip
    sys.stdout.write(result.stdout[-3000:])  # sizes and build time, shown with -s
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert executable.is_file()
    assert os.access(executable, os.X_OK)
    return executable


def headless_env(**extra: str) -> dict[str, str]:
    hidden = {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "PYTHONPATH", "VIRTUAL_ENV"}
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.update(extra)
    return env


def frozen(bundle: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
           timeout: float = 120) -> subprocess.CompletedProcess:  # fmt: skip
    return subprocess.run([str(bundle), *args], capture_output=True, text=True, timeout=timeout,
                          env=env or headless_env(), cwd=cwd)  # fmt: skip


@needs_bundle
@pytest.mark.slow
def test_bundle_reports_the_package_version(bundle):
    result = frozen(bundle, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"fma-app {VERSION}"


@needs_bundle
@pytest.mark.slow
def test_bundle_carries_resources_metadata_and_no_unused_qt(bundle):
    internal = bundle.parent / "_internal"
    resources = internal / "fma_app" / "resources"
    assert (resources / "example" / "payments-platform.json").is_file()
    assert (resources / "icons" / "fma-app.svg").is_file()
    assert (resources / "icons" / "fma-app-256.png").is_file()
    assert list(internal.glob("fma_workbench-*.dist-info/METADATA"))
    names = {p.name for p in internal.rglob("*.so*")}
    for unused in ("libQt6Quick.so.6", "libQt6Qml.so.6", "libQt6Pdf.so.6", "libQt6Network.so.6",
                   "libQt6WebEngineCore.so.6"):  # fmt: skip
        assert unused not in names, unused
    assert "libQt6Widgets.so.6" in names
    assert "libQt6Svg.so.6" in names
    assert list(internal.rglob("platforms/libqoffscreen.so"))
    assert list(internal.rglob("platforms/libqxcb.so"))


@needs_bundle
@pytest.mark.slow
def test_bundle_runs_every_command(bundle, tmp_path):
    model = tmp_path / "payments.fma"
    assert frozen(bundle, "demo", "-o", str(model)).returncode == 0
    ranked = frozen(bundle, "rank", str(model), "--by", "ap", "--format", "json")
    assert ranked.returncode == 0, ranked.stderr
    records = json.loads(ranked.stdout)
    assert len(records) == 51
    assert records[0]["ap"] == "H"
    for fmt in ("table", "csv"):
        result = frozen(bundle, "rank", str(model), "--format", fmt, "--top", "5")
        assert result.returncode == 0, result.stderr
        assert "Auth service" in result.stdout, result.stderr
    info = json.loads(frozen(bundle, "info", str(model), "--format", "json").stdout)
    assert info["failure_modes"] == 51
    impact = json.loads(frozen(bundle, "impact", str(model), "ledger primary", "--format",
                               "json").stdout)  # fmt: skip
    assert "Payments API gateway" in impact["entry_points_lost"]
    spof = frozen(bundle, "spof", str(model), "--format", "json")
    assert spof.returncode == 0
    assert "Tokenisation vault" in spof.stdout
    report = tmp_path / "report.xlsx"
    result = frozen(bundle, "report", str(model), "-o", str(report))
    assert result.returncode == 0, result.stderr
    back = tmp_path / "back.fma"
    result = frozen(bundle, "import", str(report), "-o", str(back))
    assert result.returncode == 0, result.stderr
    again = json.loads(frozen(bundle, "rank", str(back), "--by", "ap", "--format", "json").stdout)
    assert again == records


@needs_bundle
@pytest.mark.slow
def test_bundle_reads_and_writes_a_shared_model(bundle, tmp_path, pg_url):
    """The bundle carries the PostgreSQL driver (psycopg with its C implementation and libpq):
    a team member with no Python installed pushes, ranks and pulls a shared model."""
    model = tmp_path / "payments.fma"
    assert frozen(bundle, "demo", "-o", str(model)).returncode == 0
    url = pg_url + "?model=payments"
    pushed = frozen(bundle, "push", str(model), url)
    assert pushed.returncode == 0, pushed.stderr
    ranked = frozen(bundle, "rank", url, "--format", "json")
    assert ranked.returncode == 0, ranked.stderr
    from_file = frozen(bundle, "rank", str(model), "--format", "json")
    assert json.loads(ranked.stdout) == json.loads(from_file.stdout)
    back = tmp_path / "back.fma"
    pulled = frozen(bundle, "pull", url, "-o", str(back))
    assert pulled.returncode == 0, pulled.stderr
    dumps = [frozen(bundle, "dump", str(path)).stdout for path in (model, back)]
    assert dumps[0] == dumps[1]


@needs_bundle
@pytest.mark.slow
def test_bundle_refuses_bad_input_in_one_line(bundle, tmp_path):
    result = frozen(bundle, "rank", str(tmp_path / "missing.fma"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("fma-app: error: ")
    assert len(result.stderr.splitlines()) == 1
    assert "missing.fma" in result.stderr


XVFB_RUN = shutil.which("xvfb-run")


@needs_bundle
@pytest.mark.slow
@pytest.mark.parametrize("platform", ["offscreen", "xcb"])
def test_bundle_opens_its_window(bundle, tmp_path, platform):
    """Offscreen, and on the xcb platform of a real X server (Xvfb), which loads the xcb plugin
    and the system libraries it needs, as on a user's desktop."""
    if platform == "xcb" and XVFB_RUN is None:
        pytest.skip("xvfb-run is not installed (tools/test.sh installs it as root)")
    model = tmp_path / "payments.fma"
    assert frozen(bundle, "demo", "-o", str(model)).returncode == 0
    report_path = tmp_path / "smoke.json"
    env = headless_env(FMA_SMOKE_TEST=str(report_path), FMA_SMOKE_DELAY_MS="1500",
                       XDG_DATA_HOME=str(tmp_path / "data"),
                       XDG_CONFIG_HOME=str(tmp_path / "config"))  # fmt: skip
    env.pop("XDG_SESSION_TYPE", None)
    command = [str(bundle), str(model)]
    if platform == "offscreen":
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:  # no QT_QPA_PLATFORM: Qt chooses xcb for the display that xvfb-run sets
        command = [XVFB_RUN, "-a", "-s", "-screen 0 1600x1000x24", *command]
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(
            "the app kept running without reporting: is smoke.arm(app) called in ui/app.py?"
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert report_path.exists(), "the app quit without reporting its window"
    report = json.loads(report_path.read_text())
    assert report["platform"] == platform
    titles = [w["title"] for w in report["windows"]]
    assert [w["class"] for w in report["windows"]] == ["MainWindow"], report["windows"]
    assert "payments.fma" in titles[0]
    assert report["application_version"] == VERSION
    assert report["app_icon_null"] is False
    assert 256 in report["app_icon_sizes"]
    assert "svg" in report["image_formats"]
    shot = Path(report["screenshot"])
    assert shot.stat().st_size > 10_000  # a painted window, not an empty image


@needs_bundle
@pytest.mark.slow
def test_bundle_without_a_display_explains_instead_of_aborting(bundle, tmp_path):
    result = frozen(bundle, str(tmp_path / "m.fma"), env=headless_env())
    assert result.returncode == 2
    assert "no display" in result.stderr
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr


@needs_bundle
@pytest.mark.slow
def test_desktop_install_and_uninstall(bundle, tmp_path):
    prefix = tmp_path / "prefix"
    script = LINUX / "install-desktop.sh"
    env = headless_env(XDG_DATA_HOME=str(prefix / "share"), HOME=str(tmp_path))
    result = subprocess.run(["bash", str(script), "--prefix", str(prefix)], capture_output=True,
                            text=True, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    share = prefix / "share"
    desktop = (share / "applications" / f"{APP_ID}.desktop").read_text()
    assert f'Exec="{prefix}/bin/fma-app" %f' in desktop
    assert (share / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg").is_file()
    assert (share / "icons/hicolor/48x48/apps" / f"{APP_ID}.png").is_file()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    installed = prefix / "bin" / "fma-app"
    assert subprocess.run([str(installed), "--version"], capture_output=True, text=True,
                          env=env).stdout.strip() == f"fma-app {VERSION}"  # fmt: skip
    if shutil.which("update-mime-database") and shutil.which("gio"):
        # The installed MIME database knows a model file by its content, whatever its name.
        model = tmp_path / "model-without-extension"
        subprocess.run([str(installed), "demo", "-o", str(model)], check=True, env=env,
                       capture_output=True)  # fmt: skip
        named = tmp_path / "x.fma"
        shutil.copyfile(model, named)
        for name in (model, named):
            kind = subprocess.run(["gio", "info", "-a", "standard::content-type", str(name)],
                                  capture_output=True, text=True, env=env).stdout  # fmt: skip
            assert "application/x-fma-model" in kind, kind
    result = subprocess.run(["bash", str(script), "--prefix", str(prefix), "--uninstall"],
                            capture_output=True, text=True, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not installed.exists()
    assert not (prefix / "lib" / "fma-workbench").exists()
    assert not (share / "applications" / f"{APP_ID}.desktop").exists()
