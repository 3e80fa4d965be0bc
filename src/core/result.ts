/**
 * The result model: what evaluation returns. Data, not strings — derivations, charts, the CLI and
 * the editor surfaces are all built from these objects.
 */
import type { Span } from './errors';
import type { Gaussian } from './gaussian/gaussian';
import type { LazyTensor } from './lazy';
import type { Tensor } from './tensor';
import type { Unit } from './units';

export type Reduction = 'none' | 'sum' | 'mean' | 'batchmean';
export const REDUCTIONS: readonly Reduction[] = ['none', 'sum', 'mean', 'batchmean'];

export type WarningCode =
  | 'normalized' // an input did not sum to 1 and was rescaled
  | 'infinite' // q = 0 < p somewhere: the divergence is +∞
  | 'batchmean-1d' // batchmean on a single distribution divides by its length, as PyTorch does
  | 'mean-reduction' // reduction="mean" averages rows; PyTorch's "mean" also divides by the row length
  | 'not-normalized' // normalize=false on inputs that do not sum to 1
  | 'distributions-not-logits' // distill given rows that already sum to 1, where it takes logits
  | 'probabilities-not-log-probs'; // k1/k2/k3/kl_penalty given values in [0, 1], where they take log-probabilities

export interface Warning {
  readonly code: WarningCode;
  readonly message: string;
  readonly span?: Span;
}

/** An input as it was used: after broadcasting and normalization. */
export interface Operand {
  /** The parameter it was bound to: P, Q, J, student, teacher, mu, logvar, logp, logq. */
  readonly role: string;
  /** Its source text, e.g. `softmax(a)` or `p`. */
  readonly text: string;
  readonly span: Span | undefined;
  readonly shape: readonly number[];
  /** The values as used; absent when they were streamed from a file too large to keep. */
  readonly tensor?: Tensor;
  /** The file it was read from, when streamed. */
  readonly source?: string;
  /** True when rows were divided by their sums (`sums` holds the sums before). */
  readonly rescaled: boolean;
  readonly sums?: Tensor;
}

export type DiscreteMeasure = 'KL' | 'JS' | 'H' | 'CE' | 'Jeffreys' | 'TV' | 'Hellinger' | 'W1' | 'MI';

interface Common {
  /** Display name of the quantity: `KL(P‖Q)`, `H(P)`, `JS(P, Q)`... */
  readonly label: string;
  /** The answer: a scalar (shape []) or, for reduction "none" on N-D input, one value per row. */
  readonly value: Tensor;
  /** null for quantities that are not information (TV, Hellinger, W1). */
  readonly unit: Unit | null;
  readonly reduction: Reduction;
  /** Per-row values before reduction (shape: the batch shape; [] for a single distribution). */
  readonly rows: Tensor;
  readonly warnings: readonly Warning[];
  readonly span: Span | undefined;
}

/** Elements where q = 0 < p (only the first ones are listed; `count` has them all). */
export interface SupportViolation {
  readonly count: number;
  /** Multi-indices (row..., element), at most MAX_LISTED_INDICES of them. */
  readonly indices: readonly (readonly number[])[];
}

export const MAX_LISTED_INDICES = 100;

export interface DiscreteResult extends Common {
  readonly kind: 'discrete';
  readonly measure: DiscreteMeasure;
  readonly operands: readonly Operand[];
  /**
   * Each element's contribution in `unit` (p·log(p/q) for KL, −p·log p for H, ½|p−q| for TV, ...),
   * the shape of the operands. Omitted for very large inputs (see TERMS_LIMIT).
   */
  readonly terms?: Tensor;
  /** KL(Q‖P) beside every KL(P‖Q), so the asymmetry is always visible. */
  readonly reverse?: { readonly value: Tensor; readonly rows: Tensor; readonly terms?: Tensor; readonly infinite?: SupportViolation };
  readonly infinite?: SupportViolation;
  /** JS: the mixture M = (P+Q)/2. */
  readonly mixture?: Tensor;
  /** Named components in `unit`: JS's KL(P‖M), KL(Q‖M); Jeffreys' two directions; CE's H(P) and KL(P‖Q). */
  readonly parts?: Readonly<Record<string, Tensor>>;
  /** MI: the marginals of the joint table. */
  readonly marginals?: { readonly rows: Tensor; readonly cols: Tensor };
}

/** The three parts of the Gaussian KL closed form, in nats before the ½. */
export interface GaussianParts {
  readonly dim: number;
  /** tr(Σ₂⁻¹ Σ₁) */
  readonly trace: number;
  /** (μ₂ − μ₁)ᵀ Σ₂⁻¹ (μ₂ − μ₁) */
  readonly mahalanobis: number;
  /** ln det Σ₂ − ln det Σ₁ */
  readonly logDetRatio: number;
}

/** One direction of a Gaussian KL, KL(P‖Q) or KL(Q‖P). */
export interface GaussianDirection {
  /** Reduced like the result: the joint KL ("sum"), per dimension ("none") or their mean ("mean"), in `unit`. */
  readonly value: Tensor;
  /** The joint KL over all dimensions, in `unit`, whatever the reduction. */
  readonly total: number;
  readonly parts: GaussianParts;
  /** Diagonal covariances: the KL of each dimension, in `unit`. */
  readonly perDim?: Tensor;
}

/** The two numbers of the entropy's closed form ½[k(1 + ln 2π) + ln det Σ]. */
export interface GaussianEntropyParts {
  readonly dim: number;
  /** ln det Σ (in nats, as a log-determinant always is). */
  readonly logDet: number;
  /** The joint entropy over all dimensions, in `unit`, whatever the reduction. */
  readonly total: number;
}

export interface GaussianResult extends Common {
  readonly kind: 'gaussian';
  readonly measure: 'KL' | 'H' | 'Jeffreys';
  readonly p: Gaussian;
  readonly q?: Gaussian;
  /** KL and Jeffreys: the parts of KL(P‖Q) (the same as `forward.parts`). */
  readonly parts?: GaussianParts;
  /** H: what its closed form is made of. */
  readonly entropy?: GaussianEntropyParts;
  /** Diagonal covariances: the measure (KL, H or Jeffreys) of each dimension, in `unit`. */
  readonly perDim?: Tensor;
  /** KL and Jeffreys: KL(P‖Q). For KL it is the result itself. */
  readonly forward?: GaussianDirection;
  /** KL and Jeffreys: KL(Q‖P). */
  readonly reverse?: GaussianDirection;
}

export interface VaeResult extends Common {
  readonly kind: 'vae';
  readonly operands: readonly Operand[];
  /** ½(μ² + σ² − 1 − ln σ²) per dimension, in `unit`. */
  readonly terms: Tensor;
}

export interface DistillResult extends Common {
  readonly kind: 'distill';
  readonly temperature: number;
  readonly operands: readonly Operand[];
  /** softmax(teacher / T) and softmax(student / T). */
  readonly teacherProbs?: Tensor;
  readonly studentProbs?: Tensor;
  /** KL(p_T‖p_S) of each row, before the reduction and the T² factor, in `unit`. */
  readonly klRows: Tensor;
  /** KL(p_T‖p_S) reduced like the result (per row for "none"), before T², in `unit`: value = T² · kl. */
  readonly kl: Tensor;
  /** Σ rows / batch size, before T² (what PyTorch's batchmean gives, whatever the reduction asked). */
  readonly batchmean: number;
}

export type Estimator = 'k1' | 'k2' | 'k3';

export interface EstimatorResult extends Common {
  readonly kind: 'estimator';
  readonly estimator: Estimator;
  /** kl_penalty's β; undefined for the bare k1/k2/k3. */
  readonly beta?: number;
  readonly operands: readonly Operand[];
  /** The per-sample values (before reduction) and their mean, the Monte-Carlo KL estimate. */
  readonly samples: Tensor;
  readonly mean: number;
}

export type Result = DiscreteResult | GaussianResult | VaeResult | DistillResult | EstimatorResult;

/** What an expression evaluates to. */
export type Value =
  | { readonly type: 'tensor'; readonly tensor: Tensor }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'gaussian'; readonly gaussian: Gaussian }
  | { readonly type: 'result'; readonly result: Result }
  | { readonly type: 'lazy'; readonly lazy: LazyTensor };
