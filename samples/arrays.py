import numpy as np
import torch

# Hover an array to see its entropy and a chart; hover KL(...) or select both and run
# "KL Lens: Evaluate Selection" to see KL both ways.
p = np.array([0.5, 0.3, 0.2])
q = np.array([0.4, 0.4, 0.2])

teacher_logits = torch.tensor([[2.0, 1.0, 0.1, -0.5], [0.0, 0.5, 2.5, 1.5]])
student_logits = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.2, 0.1, 3.0, 1.0]])

counts = [12, 30, 5, 3, 50]
