#!/usr/bin/env bash
# Times the forward pass of VGG16- and ResNet50-shaped networks (torchvision
# architectures, random weights) at 1x3x224x224 against cblas_sgemm.
#   tools/bench-forward.sh [BENCH_BINARY [WORK_DIR]]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bench=${1:-$top/build/tools/bench-forward}
work=${2:-$top/build/tools}
mkdir -p "$work"
for arch in vgg16 resnet50; do
  [ -f "$work/$arch.onnx" ] ||
    /usr/bin/python3 "$top/tools/export_torchvision.py" "$arch" "$work/$arch.onnx" >/dev/null
done
"$bench" "$work/vgg16.onnx" "$work/resnet50.onnx"
