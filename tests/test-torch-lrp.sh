#!/usr/bin/env bash
# lrplens's relevance on a full-size network (torchvision VGG16, random
# weights) against a float64 PyTorch implementation of Zennit's mechanism
# (tools/torch_lrp.py), for epsilon_gamma_box and epsilon_plus_flat.  The
# reference cases cover small models; this one covers depth and width.
# TAP output; skips when Debian's torch is missing.
#   test-torch-lrp.sh LRPLENS_BINARY SOURCE_DIR
set -u
lrplens=$1
src=$2
python=${LRPLENS_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! "$python" -c "import torch, torchvision, onnx" 2>/dev/null; then
  echo "1..0 # SKIP Debian's python3-torch, python3-torchvision and python3-onnx are needed"
  exit 0
fi
if ! "$python" "$src/tools/export_torchvision.py" vgg16 "$work/vgg16.onnx" >"$work/log" 2>&1; then
  echo "1..1"; echo "not ok 1 vgg16: export failed"; sed 's/^/# /' "$work/log"; exit 0
fi
exec "$python" "$src/tools/torch_lrp.py" check "$lrplens" "$work/vgg16.onnx" vgg16 2>/dev/null
