"""SciPy anchor for JS(p, q) of two 1-D weight files: jensenshannon normalizes and returns the
Jensen-Shannon *distance* (natural log by default), so the divergence is its square.

usage: scipy_js.py P.npy Q.npy   (prints the divergence in nats)
"""
import sys

import numpy as np
from scipy.spatial.distance import jensenshannon

print(jensenshannon(np.load(sys.argv[1]), np.load(sys.argv[2])) ** 2)
