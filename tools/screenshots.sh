#!/usr/bin/env bash
# The README's screenshots: tools/screenshots.sh [OUT_DIR [LRPLENS]]
# Needs xvfb, dbus, imagemagick, xdotool and xcompmgr; exports torchvision's VGG16 (random
# weights) once into build/tools for the ImageNet-sized view.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/docs/screenshots}
lrplens=${2:-$top/build/app/lrplens}
work=$top/build/tools
mkdir -p "$work"
[ -f "$work/vgg16.onnx" ] ||
  /usr/bin/python3 "$top/tools/export_torchvision.py" vgg16 "$work/vgg16.onnx" >/dev/null 2>&1
xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- \
  /usr/bin/python3 "$top/tools/screenshots.py" "$lrplens" "$top" "$out" "$work/vgg16.onnx" \
  2> >(grep -v dbus-daemon >&2)
