# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the tiny Identity models used by tests/test-io.c and tests/test-image.c.
# Run with Debian's /usr/bin/python3 (python3-onnx): /usr/bin/python3 make_input_models.py
import onnx
from onnx import TensorProto, helper


def identity_model(path, shape, meta):
    graph = helper.make_graph(
        [helper.make_node("Identity", ["input"], ["output"], name="id")], "identity",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, shape)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="lrplens-tests")
    for k, v in meta.items():
        p = model.metadata_props.add()
        p.key, p.value = "lrplens." + k, v
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


identity_model("identity-1x3x8x8.onnx", [1, 3, 8, 8],
               {"color": "rgb", "mean": "[0.485, 0.456, 0.406]", "std": "[0.229, 0.224, 0.225]"})
identity_model("identity-1x10.onnx", [1, 10], {})
