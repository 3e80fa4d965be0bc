// Python inputs for the KL Lint benchmarks, written by this generator (none is third-party code):
// a trainer module shaped like TRL's GRPO trainer (~3,000 lines: one trainer class of documented
// methods, about a call per three lines — TRL's file has 1,061 calls in 3,375 lines), a denser one
// (a call per line and a bit, short undocumented methods) as a stress case, and a tree of 1,000
// modules of 60–400 lines.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../scripts/mulberry32.mjs';

const HEADER = `import math
import os
from dataclasses import dataclass, field
from typing import Any, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
`;

/** Method bodies in the style of training code: each takes a suffix so every name differs. */
const METHODS = [
  (k) => `    def compute_distillation_loss_${k}(self, student_logits, teacher_logits, labels):
        temperature = self.args.temperature
        soft_student = F.log_softmax(student_logits / temperature, dim=-1)
        with torch.no_grad():
            soft_teacher = F.softmax(teacher_logits / temperature, dim=-1)
        kd = F.kl_div(soft_student, soft_teacher, reduction="batchmean") * temperature ** 2
        ce = F.cross_entropy(student_logits.view(-1, student_logits.size(-1)), labels.view(-1), ignore_index=-100)
        loss = self.args.alpha * kd + (1.0 - self.args.alpha) * ce
        self._metrics["kd_${k}"].append(kd.item())
        self._metrics["ce_${k}"].append(ce.item())
        return loss
`,
  (k) => `    def _per_token_kl_${k}(self, per_token_logps, ref_per_token_logps, completion_mask):
        delta = ref_per_token_logps - per_token_logps
        per_token_kl = torch.exp(delta) - delta - 1
        masked = per_token_kl * completion_mask
        mean_kl = masked.sum() / completion_mask.sum().clamp(min=1.0)
        self._metrics["kl_${k}"].append(self.accelerator.gather(mean_kl).mean().item())
        return per_token_kl
`,
  (k) => `    def _vae_terms_${k}(self, x, recon, mu, logvar):
        recon_loss = F.mse_loss(recon, x, reduction="none").flatten(1).sum(-1)
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1)
        beta = min(1.0, self.state.global_step / max(1, self.args.warmup_steps))
        return (recon_loss + beta * kld).mean(), kld.mean()
`,
  (k) => `    def training_step_${k}(self, model, inputs, num_items_in_batch=None):
        model.train()
        inputs = self._prepare_inputs(inputs)
        with self.compute_loss_context_manager():
            outputs = model(**inputs)
            logits = outputs.logits[:, :-1, :]
            labels = inputs["labels"][:, 1:]
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=-100)
        if self.args.n_gpu > 1:
            loss = loss.mean()
        self.accelerator.backward(loss)
        if self.args.max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), self.args.max_grad_norm)
        return loss.detach() / self.args.gradient_accumulation_steps
`,
  (k) => `    def _consistency_${k}(self, logits_weak, logits_strong, threshold=0.95):
        with torch.no_grad():
            probs = torch.softmax(logits_weak.detach() / self.args.sharpen_t, dim=-1)
            max_probs, targets = probs.max(dim=-1)
            mask = max_probs.ge(threshold).float()
        per_example = F.kl_div(F.log_softmax(logits_strong, dim=-1), probs, reduction="none").sum(-1)
        return (per_example * mask).mean()
`,
  (k) => `    def evaluate_${k}(self, dataloader: DataLoader, prefix: str = "eval"):
        self.model.eval()
        total, correct, losses = 0, 0, []
        for batch in dataloader:
            batch = {key: value.to(self.device) for key, value in batch.items()}
            with torch.no_grad():
                logits = self.model(batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            losses.append(F.cross_entropy(logits, batch["labels"]).item())
            correct += (logits.argmax(-1) == batch["labels"]).sum().item()
            total += batch["labels"].numel()
        metrics = {f"{prefix}_loss": sum(losses) / max(1, len(losses)), f"{prefix}_accuracy": correct / max(1, total)}
        self.log(metrics)
        return metrics
`,
  (k) => `    def _legacy_kd_${k}(self, outputs, teacher_outputs, labels):
        T = self.args.temperature
        soft = nn.KLDivLoss()(F.log_softmax(outputs / T, dim=1), F.softmax(teacher_outputs / T, dim=1))
        return soft * (self.args.alpha * T * T) + F.cross_entropy(outputs, labels) * (1.0 - self.args.alpha)
`,
  (k) => `    def _schedule_${k}(self, step: int) -> float:
        warmup = self.args.warmup_steps
        if step < warmup:
            return float(step) / float(max(1, warmup))
        progress = float(step - warmup) / float(max(1, self.args.max_steps - warmup))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * self.args.num_cycles * 2.0 * progress)))
`,
  (k) => `    def _log_probs_${k}(self, model, input_ids, attention_mask, logits_to_keep):
        logits = model(input_ids=input_ids, attention_mask=attention_mask, logits_to_keep=logits_to_keep + 1).logits
        logits = logits[:, :-1, :] / self.temperature
        input_ids = input_ids[:, -logits_to_keep:]
        log_probs = logits.log_softmax(dim=-1)
        return torch.gather(log_probs, dim=-1, index=input_ids.unsqueeze(-1)).squeeze(-1)
`,
];

function classOf(name, methods) {
  return `\n\n@dataclass
class ${name}Config:
    temperature: float = 2.0
    alpha: float = 0.5
    warmup_steps: int = 100
    max_steps: int = 10_000
    num_cycles: float = 0.5
    sharpen_t: float = 0.4
    max_grad_norm: Optional[float] = 1.0
    extra: dict = field(default_factory=dict)


class ${name}:
    def __init__(self, model, args, accelerator=None):
        self.model = model
        self.args = args
        self.accelerator = accelerator
        self.temperature = args.temperature
        self._metrics = {}
        self.device = next(model.parameters()).device

${methods.join('\n')}`;
}

/** A module of about `lines` lines, drawn with the seeded generator `rand`. */
function module(rand, lines, name) {
  const parts = [HEADER];
  let n = HEADER.split('\n').length;
  let c = 0;
  while (n < lines) {
    const methods = [];
    const count = 3 + Math.floor(rand() * 8);
    for (let i = 0; i < count && n < lines; i++) {
      const m = METHODS[Math.floor(rand() * METHODS.length)](`${c}_${i}`);
      methods.push(m);
      n += m.split('\n').length;
    }
    const cls = classOf(`${name}${c++}`, methods);
    parts.push(cls);
    n += 22;
  }
  return parts.join('');
}

/** A method's docstring and comments, as a documented trainer has them. */
function documented(method, rand, k) {
  const [signature, ...body] = method.split('\n');
  const doc = [
    `        """`,
    `        Step ${k} of the training loop: what it computes and the shapes it expects.`,
    '',
    '        Args:',
    '            inputs (`dict[str, torch.Tensor]`):',
    '                The batch, already on the device; `input_ids` and `attention_mask` are `(B, L)`.',
    '            num_items_in_batch (`int`, *optional*):',
    '                Tokens in the whole batch, for losses normalized over gradient accumulation.',
    '',
    '        Returns:',
    '            `torch.Tensor`: the loss, or the metrics when `return_outputs` is set.',
    `        """`,
  ];
  const lines = [signature, ...doc];
  for (const line of body) {
    if (line.trim() && rand() < 0.25) lines.push(`        # ${['Gather across processes before logging.', 'Keep the graph only for the policy.', 'Masked positions contribute nothing.', 'See the configuration for the defaults.'][Math.floor(rand() * 4)]}`);
    lines.push(line);
    if (line.trim() && rand() < 0.15) lines.push('');
  }
  return lines.join('\n');
}

/** The ~3,000-line trainer: one class of documented methods, as TRL's trainers are written. */
export function trainerSource() {
  const rand = mulberry32(3000);
  const methods = [];
  let n = 0;
  for (let k = 0; n < 3120; k++) {
    const m = documented(METHODS[Math.floor(rand() * METHODS.length)](`${k}`), rand, k);
    methods.push(m);
    n += m.split('\n').length + 1;
  }
  return HEADER + classOf('GRPOTrainer', methods);
}

/** The dense stress case: short undocumented methods in many classes, a call per line and more. */
export function denseTrainerSource() {
  return module(mulberry32(3000), 3000, 'GRPOTrainer');
}

/** 1,000 modules under `dir` (in ten packages), 60–400 lines each; returns the folder. */
export function writeTree(dir) {
  const rand = mulberry32(1000);
  for (let i = 0; i < 1000; i++) {
    const pkg = join(dir, `pkg${i % 10}`);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, `module_${i}.py`), module(rand, 60 + Math.floor(rand() * 340), `Trainer${i}_`));
  }
  return dir;
}
