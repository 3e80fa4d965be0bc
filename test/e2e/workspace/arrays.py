import numpy as np

p = np.array([0.5, 0.3, 0.2])
q = np.array([0.4, 0.4, 0.2])
