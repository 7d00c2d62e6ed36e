#!/usr/bin/env python3
# Writes the hand-made regression inputs of tests/fuzz/regressions/: one per
# bug class of issue 8 (the fuzzer's own finds are copied there as they are).
# Run from tests/fuzz with Debian's /usr/bin/python3 (python3-onnx).
import onnx
from onnx import TensorProto, helper

R = "regressions/"


def model(nodes, inputs, outputs, inits=(), name="g"):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def save(m, path):
    # No checker: these files are meant to be wrong.
    with open(R + path, "wb") as f:
        f.write(m.SerializeToString())


x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])

# A graph input without a name: NULL dereference at load.
nameless = onnx.ValueInfoProto()
nameless.type.tensor_type.elem_type = TensorProto.FLOAT
nameless.type.tensor_type.shape.dim.add().dim_value = 4
save(model([helper.make_node("Relu", ["x"], ["y"])], [nameless], [y]),
     "model/input-without-name.onnx")

# An initializer that claims 2^28 values and holds none.
w = TensorProto()
w.name = "w"
w.data_type = TensorProto.INT64
w.dims.extend([1 << 14, 1 << 14])
save(model([helper.make_node("Add", ["x", "w"], ["y"])], [x], [y], [w]),
     "model/initializer-claims-2-28.onnx")

# The same as a .pb tensor: 8 bytes that cost 2 GiB.
t = TensorProto()
t.data_type = TensorProto.INT64
t.dims.extend([1 << 28])
with open(R + "tensor/claims-2-28.pb", "wb") as f:
    f.write(t.SerializeToString())

# A zero dimension, then absurd ones: their products overflow int64 in
# pooling and reduction shape inference.
z = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 0, 1 << 40, 1 << 40])
save(model([helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[1, 1])], [z], [y]),
     "model/zero-dim-maxpool.onnx")
save(model([helper.make_node("ReduceMean", ["x"], ["y"], axes=[1], keepdims=0)], [z], [y]),
     "model/zero-dim-reducemean.onnx")
save(model([helper.make_node("GlobalAveragePool", ["x"], ["y"])], [z], [y]),
     "model/zero-dim-globalpool.onnx")

# A dense layer (MatMul + Add) whose bias is a rank-0 constant.
x3 = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])
y1 = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1])
wm = helper.make_tensor("w", TensorProto.FLOAT, [3, 1], [0.5, -1.0, 2.0])
b0 = helper.make_tensor("b", TensorProto.FLOAT, [], [0.25])
save(model([helper.make_node("MatMul", ["x", "w"], ["h"], name="dense"),
            helper.make_node("Add", ["h", "b"], ["y"], name="bias")], [x3], [y1], [wm, b0]),
     "model/rank0-bias.onnx")

# A constant node folded at load that reads one initializer twice.
c = helper.make_tensor("c", TensorProto.FLOAT, [4], [1, 2, 3, 4])
save(model([helper.make_node("Add", ["c", "c"], ["cc"], name="twice"),
            helper.make_node("Add", ["x", "cc"], ["y"], name="shift")], [x], [y], [c]),
     "model/fold-reads-twice.onnx")

# Rule maps (the rules target takes the text as it is).
rules = {
    "invalid-utf8-in-params.txt": b"epsilon_plus;conv=gamma(gamma=0.5,\xff\xfe=1)",
    "invalid-utf8-in-rule.txt": b"conv=gamma(\xc3)",
    "json-composite-object.json": b'{"composite": {"a": 1}, "rules": []}',
    "json-composite-number.json": b'{"composite": 3}',
    "json-composite-null.json": b'{"composite": null}',
    "json-unknown-rule.json": b'{"rules": [{"layers": "conv", "rule": "nosuchrule"}]}',
    "json-unknown-rule-then-bad.json":
        b'{"rules": [{"layers": "conv", "rule": "nosuchrule"}, {"rule": "zbox", "layers": 1}]}',
    "json-name-and-layers.json": b'[{"name": "a*", "layers": "conv", "rule": "flat"}]',
    "json-two-names.json": b'[{"layers": "name:a*", "name": "b*", "rule": "flat"}]',
    "json-duplicate-name.json": b'{"rules": [{"name": "a*", "name": "b*", "rule": "flat"}]}',
}
for name, text in rules.items():
    with open(R + "rules/" + name, "wb") as f:
        f.write(text)

# An image of a few hundred bytes that claims 8000 x 8000 pixels (256 MiB
# decoded): refused by the memory ceiling before gdk-pixbuf allocates.
import struct
import zlib


def png(width, height, rows):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    raw = b"".join(b"\0" + b"\0" * (4 * width) for _ in range(rows))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


with open(R + "image/claims-8000x8000.png", "wb") as f:
    f.write(png(8000, 8000, 2))

# A constant padded at load to 200 MB by a file of 200 bytes: folding is
# bounded by the memory ceiling (64 bytes per byte of file).
import numpy as np
from onnx import numpy_helper
c4 = numpy_helper.from_array(np.ones((1, 4), np.float32), "c")
pads = numpy_helper.from_array(np.array([0, 0, 0, 50000000], np.int64), "pads")
save(model([helper.make_node("Pad", ["c", "pads"], ["big"], name="pad"),
            helper.make_node("ReduceSum", ["big"], ["s"], name="sum", keepdims=1),
            helper.make_node("Add", ["x", "s"], ["y"], name="shift")], [x], [y], [c4, pads]),
     "model/fold-pad-200mb.onnx")

# A node name with a line break and an unsupported operator: the message
# names it, on one line (found in the fuzzer's corpus).
save(model([helper.make_node("Erf", ["x"], ["y"], name="line\nbreak")], [x], [y]),
     "model/name-with-newline.onnx")
