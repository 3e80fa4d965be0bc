"""SciPy anchor for KL(p || q) of two 1-D weight files: scipy.stats.entropy normalizes and sums.

usage: scipy_kl.py P.npy Q.npy   (prints the divergence in nats)
"""
import sys

import numpy as np
from scipy.stats import entropy

print(entropy(np.load(sys.argv[1]), np.load(sys.argv[2])))
