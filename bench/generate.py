"""Writes the benchmark inputs with NumPy (run by `npm run bench` through /usr/bin/python3).

usage: generate.py DIR
  big_p.npy, big_q.npy        1e8 float32 positive weights (unnormalized), seeds 1 and 2
  logits_a.npy, logits_b.npy  [512, 50257] float32 logits, N(0, 2^2), seeds 3 and 4
  f64_p.npy, f64_q.npy        2e7 float64 positive weights, seeds 5 and 6 (the float64 accuracy check)
Existing files of the right size are kept, so repeated runs start with a hot page cache.
"""
import os
import sys

import numpy as np

BIG = 100_000_000
ROWS, VOCAB = 512, 50257
F64 = 20_000_000


def write(path, make, nbytes):
    if os.path.exists(path) and os.path.getsize(path) >= nbytes:
        return
    tmp = path + '.tmp'
    np.save(tmp, make())
    os.replace(tmp + '.npy', path)


def positive(seed, size=BIG, dtype=np.float32):
    # Written in slices so the generator itself stays small.
    rng = np.random.default_rng(seed)
    out = np.empty(size, dtype=dtype)
    step = 1 << 24
    for i in range(0, size, step):
        n = min(step, size - i)
        out[i:i + n] = rng.random(n, dtype=dtype) + dtype(0.01)
    return out


def logits(seed):
    return (np.random.default_rng(seed).standard_normal((ROWS, VOCAB), dtype=np.float32) * np.float32(2.0))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, 'big_p.npy'), lambda: positive(1), BIG * 4)
    write(os.path.join(out, 'big_q.npy'), lambda: positive(2), BIG * 4)
    write(os.path.join(out, 'logits_a.npy'), lambda: logits(3), ROWS * VOCAB * 4)
    write(os.path.join(out, 'logits_b.npy'), lambda: logits(4), ROWS * VOCAB * 4)
    write(os.path.join(out, 'f64_p.npy'), lambda: positive(5, F64, np.float64), F64 * 8)
    write(os.path.join(out, 'f64_q.npy'), lambda: positive(6, F64, np.float64), F64 * 8)


if __name__ == '__main__':
    main()
