#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A VGG16-sized explanation for the GUI tests: VGG16's thirteen convolutions at
224 x 224 (its FLOPs, so a run takes about as long), with global average pooling
and a small head instead of the 500 MB of dense layers.  Random, seeded weights.

    make_big_model.py OUT.onnx
"""
import sys

import torch
from torch import nn

CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def main():
    torch.manual_seed(0)
    layers, channels = [], 3
    for v in CFG:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(channels, v, 3, padding=1), nn.ReLU()]
            channels = v
    model = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10))
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), sys.argv[1], opset_version=13,
                      input_names=["input"], output_names=["logits"])


if __name__ == "__main__":
    main()
