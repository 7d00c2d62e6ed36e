#!/usr/bin/env bash
# Times the window on the bundled fashion-cnn and on torchvision's VGG16 (random
# weights, exported once into WORK_DIR): launch to the first heatmap, then from an
# action to the frame that shows its result.  One line per model and measure:
#   MODEL NAME: MEDIAN ms (max MAX)
#   tools/bench-ui.sh [LRPLENS [WORK_DIR [RUNS]]]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
lrplens=${1:-$top/build/app/lrplens}
work=${2:-$top/build/tools}
runs=${3:-11}
mkdir -p "$work"
[ -f "$work/vgg16.onnx" ] ||
  /usr/bin/python3 "$top/tools/export_torchvision.py" vgg16 "$work/vgg16.onnx" >/dev/null 2>&1
bench() {
  xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- \
    /usr/bin/python3 "$top/tools/bench_ui.py" "$lrplens" "$@" 2> >(grep -v dbus-daemon >&2)
}
bench fashion-cnn "$top/resources/models/fashion-cnn.onnx" \
  "$top/resources/images/fmnist-0-ankle-boot.png" "$runs"
bench vgg16 "$work/vgg16.onnx" "$top/resources/images/chelsea.jpg" "$runs"
