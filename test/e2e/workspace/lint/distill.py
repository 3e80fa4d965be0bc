import torch
import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
    soft = F.kl_div(F.softmax(student_logits / T, -1), F.softmax(teacher_logits / T, -1))
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
