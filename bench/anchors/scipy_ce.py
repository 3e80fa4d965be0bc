"""SciPy anchor for the cross-entropy H(p, q) of two 1-D weight files: scipy.stats.entropy
normalizes, and H(p, q) = H(p) + KL(p || q).

usage: scipy_ce.py P.npy Q.npy   (prints the cross-entropy in nats)
"""
import sys

import numpy as np
from scipy.stats import entropy

p = np.load(sys.argv[1])
q = np.load(sys.argv[2])
print(entropy(p) + entropy(p, q))
