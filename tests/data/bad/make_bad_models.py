#!/usr/bin/env python3
# Writes the small hostile or unsupported ONNX files that tests/test-cli.sh
# feeds to the command line.  Run with Debian's /usr/bin/python3 (python3-onnx).
import onnx
from onnx import TensorProto, helper

def save(graph, name, **kw):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], **kw)
    onnx.save(model, name)

x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])

# An operator lrplens does not have, in the middle of the graph.
save(helper.make_graph([helper.make_node("Relu", ["x"], ["h"], name="first"),
                        helper.make_node("Erf", ["h"], ["y"], name="blocks.3/erf")],
                       "unsupported", [x], [y]), "unsupported-op.onnx")

# An input of 10^15 elements.
huge = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 100000, 100000, 100000])
save(helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="act")],
                       "huge", [huge], [y]), "absurd-shape.onnx")

# A graph LRP cannot cross: two activations multiplied.
save(helper.make_graph([helper.make_node("Relu", ["x"], ["a"], name="gate"),
                        helper.make_node("Mul", ["x", "a"], ["y"], name="attention")],
                       "gated", [x], [y]), "gated.onnx")

# An input for gated.onnx.
import numpy as np
np.save("x-1x4.npy", np.array([[0.5, -1.0, 2.0, 0.25]], dtype=np.float32))
