#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes folding.onnx beside this script, for tests/test-folding.c.

torch's x.view(x.size(0), -1) with a dynamic batch and no constant folding
exports as Shape → Gather → Unsqueeze → Concat → Reshape; lrplens must fold
that chain at load (the batch is fixed to 1).  Run with Debian's python3
(it has torch and onnx): /usr/bin/python3 tests/data/make_folding.py
"""
import os

import torch


class ViewFlatten(torch.nn.Module):
    def forward(self, x):
        return torch.relu(x).view(x.size(0), -1)


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "folding.onnx")
    torch.onnx.export(ViewFlatten(), torch.zeros(1, 2, 3, 4), out, opset_version=13,
                      do_constant_folding=False, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})


if __name__ == "__main__":
    main()
