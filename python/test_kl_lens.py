"""Unit tests for kl_lens.py: `/usr/bin/python3 -m unittest discover -s python` (NumPy and PyTorch
cases are skipped when those are not installed). The node test suite runs these, and checks the
bundles against the TypeScript payload decoder."""

import base64
import contextlib
import io
import json
import math
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kl_lens  # noqa: E402

try:
    import numpy as np
except ImportError:
    np = None
try:
    import torch
except ImportError:
    torch = None


def payload(expression="H(p)", **kw):
    b = kl_lens.bundle(expression, **kw)
    json.dumps(b, allow_nan=False)  # what a kernel sends must be strict JSON
    return b[kl_lens.MIME]


@unittest.skipIf(np is None, "NumPy is not installed")
class NumpyArrays(unittest.TestCase):
    def check(self, arr, dtype, fmt):
        v = payload(p=arr)["variables"]["p"]
        self.assertEqual(v["dtype"], dtype)
        self.assertEqual(v["shape"], list(arr.shape))
        self.assertEqual(base64.b64decode(v["data"]), np.ascontiguousarray(arr, dtype=np.dtype(fmt)).tobytes())

    def test_float64(self):
        self.check(np.array([0.1, 0.2, 0.7]), "float64", "<f8")

    def test_float32_matrix(self):
        self.check(np.arange(6, dtype=np.float32).reshape(2, 3) / 7, "float32", "<f4")

    def test_float16(self):
        self.check(np.array([0.25, 0.5, 0.25], dtype=np.float16), "float16", "<f2")

    def test_int64_and_int32(self):
        self.check(np.array([1, 2, 3], dtype=np.int64), "int64", "<i8")
        self.check(np.array([[1, 2], [3, 4]], dtype=np.int32), "int32", "<i4")

    def test_small_ints_and_bools_become_int32(self):
        self.check(np.array([1, 0, 255], dtype=np.uint8), "int32", "<i4")
        self.check(np.array([True, False]), "int32", "<i4")

    def test_big_endian_and_fortran_order_are_sent_little_endian_c_order(self):
        a = np.asfortranarray(np.arange(6, dtype=">f8").reshape(2, 3))
        v = payload(p=a)["variables"]["p"]
        self.assertEqual(v["dtype"], "float64")
        self.assertEqual(base64.b64decode(v["data"]), np.arange(6, dtype="<f8").tobytes())

    def test_longdouble_becomes_float64(self):
        self.check(np.array([0.5, 0.5], dtype=np.longdouble), "float64", "<f8")

    def test_numpy_scalar(self):
        v = payload(p=np.float32(0.5))["variables"]["p"]
        self.assertEqual((v["dtype"], v["shape"]), ("float32", []))

    def test_complex_refused(self):
        with self.assertRaisesRegex(kl_lens.KlLensError, r"variable 'p' has dtype complex128.*real part"):
            payload(p=np.array([1 + 2j]))

    def test_int64_beyond_2_53_refused(self):
        with self.assertRaisesRegex(kl_lens.KlLensError, r"beyond .2\^53"):
            payload(p=np.array([2**60], dtype=np.int64))


@unittest.skipIf(torch is None, "PyTorch is not installed")
class TorchTensors(unittest.TestCase):
    def test_float32_with_grad_is_detached(self):
        t = torch.tensor([0.2, 0.3, 0.5], requires_grad=True)
        v = payload(p=t * 1)["variables"]["p"]
        self.assertEqual(v["dtype"], "float32")
        self.assertEqual(base64.b64decode(v["data"]), t.detach().numpy().astype("<f4").tobytes())

    def test_dtypes(self):
        cases = [(torch.float64, "float64"), (torch.float16, "float16"), (torch.int64, "int64"), (torch.int32, "int32"), (torch.int8, "int32"), (torch.bool, "int32"), (torch.bfloat16, "float32")]
        for dt, want in cases:
            with self.subTest(dtype=str(dt)):
                v = payload(p=torch.ones(2, 3, dtype=dt))["variables"]["p"]
                self.assertEqual((v["dtype"], v["shape"]), (want, [2, 3]))

    def test_non_contiguous(self):
        t = torch.arange(6, dtype=torch.float64).reshape(2, 3).t()
        v = payload(p=t)["variables"]["p"]
        self.assertEqual(v["shape"], [3, 2])
        self.assertEqual(base64.b64decode(v["data"]), t.contiguous().numpy().tobytes())

    def test_complex_refused(self):
        with self.assertRaisesRegex(kl_lens.KlLensError, "complex tensor"):
            payload(p=torch.zeros(2, dtype=torch.complex64))


class PlainPython(unittest.TestCase):
    def test_lists_tuples_scalars_stay_json(self):
        v = payload("KL(p || q)", p=[0.5, 0.5], q=((1, 2), (3, 4)), n=3, b=True)["variables"]
        self.assertEqual(v, {"p": [0.5, 0.5], "q": [[1, 2], [3, 4]], "n": 3, "b": 1})

    def test_non_finite_numbers_go_binary(self):
        v = payload(p=[1.0, math.inf, math.nan])["variables"]["p"]
        self.assertEqual(v["dtype"], "float64")
        vals = [x for x in memoryview(base64.b64decode(v["data"])).cast("d")]
        self.assertEqual(vals[:2], [1.0, math.inf])
        self.assertTrue(math.isnan(vals[2]))

    def test_ragged_refused_with_where(self):
        with self.assertRaisesRegex(kl_lens.KlLensError, r"variable 'p' is ragged: p\[1\] has 1 entries but should have 2"):
            payload(p=[[1, 2], [3]])

    def test_strings_refused(self):
        with self.assertRaisesRegex(kl_lens.KlLensError, r"variable 'p': p\[1\] is a str, not a number"):
            payload(p=[1, "a"])
        with self.assertRaisesRegex(kl_lens.KlLensError, "variable 'p' is a dict"):
            payload(p={"a": 1})

    def test_names_validated(self):
        for bad, why in [("1p", "not a valid variable name"), ("KL", "KL Lens uses itself"), ("pi", "KL Lens uses itself"), ("class", "Python keyword"), ("a-b", "not a valid variable name")]:
            with self.subTest(name=bad), self.assertRaisesRegex(kl_lens.KlLensError, why):
                kl_lens.bundle("H(x)", {bad: [1]})

    def test_options(self):
        self.assertEqual(payload(p=[1], base=2, digits=8, top_k=30)["options"], {"base": 2, "digits": 8, "topK": 30})
        self.assertEqual(payload(p=[1], base="bits")["options"], {"base": "bits"})
        self.assertNotIn("options", payload(p=[1]))
        for kw, why in [({"base": 1}, "other than 1"), ({"base": "furlongs"}, "base must be"), ({"digits": 0}, "digits must be an integer from 1 to 17"), ({"top_k": 2.5}, "top_k")]:
            with self.subTest(**kw), self.assertRaisesRegex(kl_lens.KlLensError, why):
                payload(p=[1], **kw)

    def test_variables_dict_for_names_that_are_options(self):
        self.assertEqual(payload("H(base)", variables={"base": [0.5, 0.5]})["variables"], {"base": [0.5, 0.5]})
        with self.assertRaisesRegex(kl_lens.KlLensError, "given twice"):
            kl_lens.bundle("H(p)", {"p": [1]}, p=[1])

    def test_empty_expression_refused(self):
        with self.assertRaisesRegex(kl_lens.KlLensError, "non-empty string"):
            kl_lens.bundle("  ", p=[1])

    def test_text_fallback_says_what_it_is(self):
        b = kl_lens.bundle("KL(p || q)", p=[1], q=[1])
        self.assertEqual(b["text/plain"], "KL Lens output: KL(p || q) \u2014 open in VS Code with the KL Lens extension to see it")

    def test_show_without_a_kernel_prints_and_returns_the_bundle(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            b = kl_lens.show("H(p)", p=[0.5, 0.5])
        self.assertEqual(out.getvalue(), b["text/plain"] + "\n")
        self.assertEqual(b[kl_lens.MIME]["variables"], {"p": [0.5, 0.5]})


if __name__ == "__main__":
    unittest.main()
