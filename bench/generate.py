"""Writes the benchmark inputs with NumPy (run by `npm run bench` through /usr/bin/python3).

usage: generate.py DIR
  big_p.npy, big_q.npy        1e8 float32 positive weights (unnormalized), seeds 1 and 2
  logits_a.npy, logits_b.npy  [512, 50257] float32 logits, N(0, 2^2), seeds 3 and 4
Existing files of the right size are kept, so repeated runs start with a hot page cache.
"""
import os
import sys

import numpy as np

BIG = 100_000_000
ROWS, VOCAB = 512, 50257


def write(path, make, nbytes):
    if os.path.exists(path) and os.path.getsize(path) >= nbytes:
        return
    tmp = path + '.tmp'
    np.save(tmp, make())
    os.replace(tmp + '.npy', path)


def positive(seed):
    # Written in slices so the generator itself stays small.
    rng = np.random.default_rng(seed)
    out = np.empty(BIG, dtype=np.float32)
    step = 1 << 24
    for i in range(0, BIG, step):
        n = min(step, BIG - i)
        out[i:i + n] = rng.random(n, dtype=np.float32) + np.float32(0.01)
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


if __name__ == '__main__':
    main()
