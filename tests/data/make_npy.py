# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the .npy files read by tests/test-io.c, with numpy (Debian 12: 1.24.2).
# Run with Debian's /usr/bin/python3: /usr/bin/python3 make_npy.py
import numpy as np

np.save("f32-2x3.npy", np.array([[1.5, -2.25, 3.0], [0.0, 1e-7, -65504.0]], np.float32))
np.save("f64-2x2.npy", np.array([[0.1, -1.0 / 3], [1e300, 2.0]], np.float64))
np.save("fortran-2x3.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
with open("f32-v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.arange(4, dtype=np.float32).reshape(1, 4) * 0.5,
                              version=(2, 0))
