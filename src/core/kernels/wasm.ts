/**
 * The compiled kernels (kernels.wat) and the memory they work in. WebAssembly is a global of
 * every JavaScript engine the core runs in, so using it keeps the core pure; it is reached through
 * globalThis because the core's type library (ES2022) does not declare it.
 */
import bytes from './kernels.wat';

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface KernelExports {
  readonly memory: WasmMemory;
  klBlock(p: number, q: number, n: number, wide: number, out: number): number;
  xlogxBlock(x: number, n: number, wide: number, out: number): number;
  sumBlock(x: number, n: number, wide: number): number;
  jsBlock(p: number, q: number, n: number, wide: number, ia: number, ib: number): number;
  expBlock(x: number, n: number, wide: number, inv: number, m: number, out: number): number;
  rangeBlock(x: number, n: number, wide: number): void;
  softmaxKlBlock(xa: number, xb: number, ea: number, eb: number, n: number, wide: number, inv: number, shift: number, ia: number, ib: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

const PAGE = 65536;
/** Bytes 0..63 hold the sums of the last call; regions start after them. */
const SUMS_BYTES = 64;

let compiled: object | undefined;

/** True where the engine runs WebAssembly with SIMD (Node ≥ 16, every current browser). */
export function kernelsAvailable(): boolean {
  try {
    compiled ??= new (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly.Module(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * One instance of the kernels with regions of its memory for the caller's buffers. Reads go
 * straight into the regions (no float32 → float64 copies); the kernels work on them in place.
 */
export class Kernels {
  private readonly exports: KernelExports;
  /** Byte offset of each region asked for, 16-byte aligned for the vector loads. */
  readonly offsets: readonly number[];
  private readonly lanes: Float64Array;

  constructor(regionBytes: readonly number[]) {
    if (!kernelsAvailable()) throw new Error('WebAssembly SIMD is not available');
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    this.exports = new api.Instance(compiled!, {}).exports as KernelExports;
    const offsets: number[] = [];
    let at = SUMS_BYTES;
    for (const b of regionBytes) {
      offsets.push(at);
      at += Math.ceil(b / 16) * 16;
    }
    this.offsets = offsets;
    const have = this.exports.memory.buffer.byteLength;
    if (at > have) this.exports.memory.grow(Math.ceil((at - have) / PAGE));
    this.lanes = new Float64Array(this.exports.memory.buffer, 0, 8);
  }

  /** Views of the memory (it only grows in the constructor, so views stay attached). */
  bytes(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer, offset, length);
  }

  float32(offset: number, length: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, offset, length);
  }

  float64(offset: number, length: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, offset, length);
  }

  /**
   * The log-ratio loop over pairs at byte offsets p, q; returns how many pairs it took (it stops
   * before the first group holding a pair that needs the exact element-by-element treatment).
   * Its sums are then in sums(): Σp, Σq, Σp·d, Σq·d, two lanes each.
   */
  klBlock(p: number, q: number, n: number, wide: boolean): number {
    return this.exports.klBlock(p, q, n, wide ? 1 : 0, 0);
  }

  /**
   * The x·log x loop over values at byte offset x; returns how many it took (it stops before the
   * first group of four holding a value that is not a finite normal double). Σx is then in
   * sums()[0] + sums()[1] and Σx·log x in sums()[2] + sums()[3].
   */
  xlogxBlock(x: number, n: number, wide: boolean): number {
    return this.exports.xlogxBlock(x, n, wide ? 1 : 0, 0);
  }

  /**
   * Σx over values at byte offset x while they are probabilities (0 ≤ x < +∞); returns how many it
   * took (four at a time). Σx is then in sums()[0] + sums()[1].
   */
  sumBlock(x: number, n: number, wide: boolean): number {
    return this.exports.sumBlock(x, n, wide ? 1 : 0);
  }

  /**
   * The JS loop over pairs at byte offsets p, q scaled by ia, ib: Σa·log(a/m) in sums()[0] +
   * sums()[1] and Σb·log(b/m) in sums()[2] + sums()[3], m = (a + b)/2; returns how many pairs it
   * took (two at a time; it stops where a/m or b/m is not a finite normal double).
   */
  jsBlock(p: number, q: number, n: number, wide: boolean, ia: number, ib: number): number {
    return this.exports.jsBlock(p, q, n, wide ? 1 : 0, ia, ib);
  }

  /**
   * e[i] = exp(x[i]·inv − m) into float64 at byte offset `out`; returns how many it took (four at
   * a time; it stops at a group of four where a result would not be a normal double). Σe is then in sums()[0] + sums()[1].
   */
  expBlock(x: number, n: number, wide: boolean, inv: number, m: number, out: number): number {
    return this.exports.expBlock(x, n, wide ? 1 : 0, inv, m, out);
  }

  /** min and max of n logits at byte offset x (n rounded down to even): sums()[0, 1] and [2, 3]. */
  rangeBlock(x: number, n: number, wide: boolean): void {
    this.exports.rangeBlock(x, n, wide ? 1 : 0);
  }

  /**
   * The KL sums of one softmax row from its logits (xa, xb) and exponentials (ea, eb, float64),
   * p = ea·ia, q = eb·ib, log(p/q) = (a − b)·inv − shift; returns how many pairs it took (it stops
   * where p or q is 0). Σp, Σq, Σp·d, Σq·d are then in sums(), two lanes each.
   */
  softmaxKlBlock(xa: number, xb: number, ea: number, eb: number, n: number, wide: boolean, inv: number, shift: number, ia: number, ib: number): number {
    return this.exports.softmaxKlBlock(xa, xb, ea, eb, n, wide ? 1 : 0, inv, shift, ia, ib);
  }

  /** The lane sums of the last call (a view, overwritten by each call). */
  sums(): Float64Array {
    return this.lanes;
  }

  /**
   * log(p/q) as the vector loop computes it, for pairs that fit the first region, float64 or
   * float32 (tests compare it with Math.log; needs three regions: p, q and the logs). Stops, like the loop, at the first group of four
   * holding a pair that is not regular.
   */
  logRatios(p: Float32Array | Float64Array, q: Float32Array | Float64Array): Float64Array {
    const [po, qo, out] = this.offsets as [number, number, number];
    const wide = p instanceof Float64Array;
    (wide ? this.float64(po, p.length) : this.float32(po, p.length)).set(p);
    (wide ? this.float64(qo, q.length) : this.float32(qo, q.length)).set(q);
    const took = this.exports.klBlock(po, qo, p.length, wide ? 1 : 0, out);
    return this.float64(out, took).slice();
  }

  /**
   * log x as the x·log x loop computes it, for float64 or float32 values that fit the first region
   * (tests compare it with Math.log; needs two regions: x and the logs). Stops where the loop stops.
   */
  logs(x: Float32Array | Float64Array): Float64Array {
    const [xo, out] = this.offsets as [number, number];
    const wide = x instanceof Float64Array;
    (wide ? this.float64(xo, x.length) : this.float32(xo, x.length)).set(x);
    const took = this.exports.xlogxBlock(xo, x.length, wide ? 1 : 0, out);
    return this.float64(out, took).slice();
  }

  /** exp(x·inv − m) as the vector loop computes it, for float64 x (tests compare it with Math.exp; needs two regions). */
  exps(x: Float64Array, inv = 1, m = 0): Float64Array {
    const [xo, eo] = this.offsets as [number, number];
    this.float64(xo, x.length).set(x);
    const took = this.exports.expBlock(xo, x.length, 1, inv, m, eo);
    return this.float64(eo, took).slice();
  }
}
