/**
 * The starter notebook "New KL Notebook" opens: the common uses of KL in ML, each explained in a
 * markdown cell and computed in a kl cell. Literals only, so it runs anywhere, before any file exists.
 */
import type { Cell, KlNotebook } from './format';

const md = (source: string): Cell => ({ kind: 'markdown', language: 'markdown', source, outputs: [] });
const kl = (source: string): Cell => ({ kind: 'code', language: 'kl', source, outputs: [] });

export const STARTER_CELLS: readonly Cell[] = [
  md(
    '# KL divergence, computed\n\n' +
      '$D_{\\mathrm{KL}}(P\\|Q) = \\sum_x P(x) \\log \\frac{P(x)}{Q(x)}$: the expected extra information needed to encode samples of $P$ with a code built for $Q$. ' +
      'Run a cell (or **Run All**) to see the value, the derivation and the charts. Names assigned in one cell are visible in the cells after it; `load("file.npy")` reads tensors from files next to the notebook.',
  ),
  md('## Discrete distributions\n\nKL is not symmetric: every result shows the reverse direction beside it. `base=2` gives bits.'),
  kl('p = [0.5, 0.3, 0.2]\nq = [0.4, 0.4, 0.2]\nKL(p || q, base=2)'),
  md('When $Q(x) = 0 < P(x)$ the divergence is infinite (and the output says where). Jensen–Shannon stays finite.'),
  kl('JS([0.5, 0.5, 0], [0.5, 0, 0.5])'),
  md('## Gaussians in closed form\n\n`N(mu, var)` takes the variance (or a covariance matrix); `Normal(loc, scale)` the standard deviation, as in PyTorch.'),
  kl('KL(N(0, 1) || N(1, 2))'),
  kl('KL(N([0, 0], [[1, 0.6], [0.6, 1]]) || N([1, -0.5], [[2, 0], [0, 0.5]]))'),
  md('## VAE regulariser\n\nThe KL of the encoder\'s $\\mathcal{N}(\\mu, \\sigma^2)$ from the prior $\\mathcal{N}(0, 1)$, from `mu` and `logvar` as the encoder outputs them: $-\\tfrac12\\sum(1 + \\log\\sigma^2 - \\mu^2 - \\sigma^2)$.'),
  kl('mu = [0.3, -1.2, 0.8]\nlogvar = [-0.2, 0.4, -1.5]\nvae_kl(mu, logvar)'),
  md('## Distillation with temperature\n\n$T^2 \\cdot D_{\\mathrm{KL}}(\\mathrm{softmax}(t/T) \\| \\mathrm{softmax}(s/T))$ averaged over the batch, from logits. A higher $T$ softens both distributions, so the student also learns from the teacher\'s small probabilities.'),
  kl('student = [[2.0, 0.5, -1.0, 0.1], [0.3, 1.8, -0.4, 0.0]]\nteacher = [[2.5, 0.2, -1.5, 0.4], [0.1, 2.2, -0.9, 0.3]]\ndistill(student, teacher, T=4)'),
  md('## Per-token RLHF penalty\n\n$\\beta \\cdot k(\\log\\pi, \\log\\pi_{\\mathrm{ref}})$ per token, from the log-probabilities of the sampled tokens under the policy and the reference model. `k1` is $\\log\\pi - \\log\\pi_{\\mathrm{ref}}$; `k3` is unbiased and never negative.'),
  kl('logp = [-1.2, -0.4, -2.3, -0.9, -0.1]\nlogref = [-1.0, -0.7, -2.0, -1.3, -0.2]\nkl_penalty(logp, logref, beta=0.1, estimator="k3")'),
  md('## Forward vs reverse\n\nFitting $Q$ to a bimodal $P$: the forward $D_{\\mathrm{KL}}(P\\|Q)$ punishes $Q$ for missing any mode of $P$ (mode-covering, as in EP); the reverse $D_{\\mathrm{KL}}(Q\\|P)$ punishes $Q$ for mass where $P$ has little (mode-seeking, as in VAEs and variational inference).'),
  kl('bimodal = [0.05, 0.40, 0.05, 0.05, 0.40, 0.05]\nbroad = [1, 1, 1, 1, 1, 1] / 6\none_mode = [0.05, 0.80, 0.05, 0.04, 0.03, 0.03]\nKL(bimodal || broad)'),
  kl('KL(bimodal || one_mode)'),
  md(
    'Each output shows both directions. Forward, $D_{\\mathrm{KL}}(P\\|Q)$ with $P$ = `bimodal`: the broad $Q$ is closer (0.46 against 0.80 nats). ' +
      'Reverse, $D_{\\mathrm{KL}}(Q\\|P)$: the single-mode $Q$ is closer (0.45 against 0.51 nats). The direction you minimise decides which fit you get.',
  ),
];

export function starterNotebook(): KlNotebook {
  return { cells: STARTER_CELLS };
}
