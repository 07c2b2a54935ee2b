#!/usr/bin/env bash
# Install the desktop bundle with its Linux desktop integration, so FMA Workbench appears in the
# application menu with its icon and a double-click on a .fma file opens it.
#
# Usage: packaging/linux/install-desktop.sh [--prefix DIR] [--bundle DIR] [--uninstall]
#   --prefix   where to install (default ~/.local; /usr/local when run as root)
#   --bundle   the built bundle folder (default dist/fma-app, made by packaging/build.sh)
#
# Installs PREFIX/lib/fma-workbench/ (a copy of the bundle), PREFIX/bin/fma-app (a symlink),
# and under PREFIX/share: applications/ID.desktop, metainfo/ID.metainfo.xml,
# mime/packages/ID.xml and icons/hicolor/{16..256}/apps/ID.png + scalable/apps/ID.svg, then
# refreshes the MIME, desktop and icon caches with whichever of their tools are installed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ID=org.fmaworkbench.FMAWorkbench
SIZES=(16 24 32 48 64 128 256)

if [[ $(id -u) -eq 0 ]]; then PREFIX=/usr/local; else PREFIX="$HOME/.local"; fi
BUNDLE="$ROOT/dist/fma-app"
UNINSTALL=0
while (($#)); do
    case $1 in
        --prefix) PREFIX=${2:?--prefix needs a folder}; shift 2 ;;
        --bundle) BUNDLE=${2:?--bundle needs a folder}; shift 2 ;;
        --uninstall) UNINSTALL=1; shift ;;
        -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install-desktop: error: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
PREFIX="$(mkdir -p "$PREFIX" && cd "$PREFIX" && pwd)"
SHARE="$PREFIX/share"
APP_DIR="$PREFIX/lib/fma-workbench"

refresh_caches() {
    if command -v update-mime-database >/dev/null; then
        update-mime-database "$SHARE/mime" >/dev/null || true
    fi
    if command -v update-desktop-database >/dev/null; then
        update-desktop-database -q "$SHARE/applications" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null && [[ -f $SHARE/icons/hicolor/index.theme ]]; then
        gtk-update-icon-cache -q -t -f "$SHARE/icons/hicolor" || true
    fi
}

if ((UNINSTALL)); then
    rm -rf "$APP_DIR"
    [[ -L $PREFIX/bin/fma-app ]] && rm -f "$PREFIX/bin/fma-app"
    rm -f "$SHARE/applications/$ID.desktop" "$SHARE/metainfo/$ID.metainfo.xml" \
        "$SHARE/mime/packages/$ID.xml" "$SHARE/icons/hicolor/scalable/apps/$ID.svg"
    for size in "${SIZES[@]}"; do rm -f "$SHARE/icons/hicolor/${size}x${size}/apps/$ID.png"; done
    refresh_caches
    echo "install-desktop: removed FMA Workbench from $PREFIX"
    exit 0
fi

if [[ ! -x $BUNDLE/fma-app ]]; then
    echo "install-desktop: error: no bundle at $BUNDLE; build it first with packaging/build.sh" >&2
    exit 2
fi
case $PREFIX in *[\"\`\$\\]*)
    echo "install-desktop: error: the prefix must not contain \" \` \$ or \\: $PREFIX" >&2
    exit 2 ;;
esac

# The bundle: replace a previous install as a whole, never merge into it.
mkdir -p "$PREFIX/lib" "$PREFIX/bin"
rm -rf "$APP_DIR.new"
cp -a "$BUNDLE" "$APP_DIR.new"
rm -rf "$APP_DIR"
mv "$APP_DIR.new" "$APP_DIR"
ln -sfn "$APP_DIR/fma-app" "$PREFIX/bin/fma-app"

# The desktop entry runs this install by its absolute path, whatever PATH the session has.
install -d "$SHARE/applications" "$SHARE/metainfo" "$SHARE/mime/packages"
sed "s|^Exec=.*|Exec=\"$PREFIX/bin/fma-app\" %f|" "$HERE/$ID.desktop" >"$SHARE/applications/$ID.desktop"
install -m 644 "$HERE/$ID.metainfo.xml" "$SHARE/metainfo/$ID.metainfo.xml"
install -m 644 "$HERE/$ID.mime.xml" "$SHARE/mime/packages/$ID.xml"
install -D -m 644 "$ROOT/resources/icons/fma-app.svg" "$SHARE/icons/hicolor/scalable/apps/$ID.svg"
for size in "${SIZES[@]}"; do
    install -D -m 644 "$ROOT/resources/icons/fma-app-$size.png" \
        "$SHARE/icons/hicolor/${size}x${size}/apps/$ID.png"
done
refresh_caches
if command -v xdg-mime >/dev/null; then
    xdg-mime default "$ID.desktop" application/x-fma-model || true
fi
echo "install-desktop: installed FMA Workbench in $PREFIX (run $PREFIX/bin/fma-app)"
