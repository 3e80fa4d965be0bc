;; The vector kernels of the fast paths, in float64x2 lanes: klBlock for KL of stored
;; distributions; xlogxBlock for entropy and cross-entropy (Σ x·log x); sumBlock and jsBlock for
;; Jensen–Shannon; rangeBlock, expBlock and softmaxKlBlock for KL of two softmaxes of logits.
;;
;; klBlock: over a block of (p, q) pairs it sums p, q, p·log(p/q) and q·log(p/q), with a
;; polynomial log accurate to under 1 ulp. log follows fdlibm's e_log.c (Sun Microsystems, 1993):
;; x = 2^k·m with m in [√2/2, √2), f = m − 1, s = f/(2 + f), log m = 2·atanh s
;; = f − hfsq + s·(hfsq + R(s²)) with fdlibm's minimax R; k·ln2 is added in two parts so the
;; result stays within 1 ulp. The reduction subtracts the bits of √2/2 so that one arithmetic shift
;; gives k (as musl's log does). It is written inside the loop, not as a function: V8 does not
;; inline calls between wasm functions.
;;
;; Only "regular" pairs go through the vector loop: p > 0, q > 0 and p/q a finite normal double.
;; The loop takes four pairs per turn (two logs in flight: ~20% faster than one, as the divisions
;; overlap). The first group that is not regular stops the loop and its index is returned, so the
;; caller applies the exact conventions (0·log 0, q = 0 < p, NaN and negative checks) element by element.
(module
  (memory (export "memory") 1)

  ;; Sums of the last call, as four f64x2 at bytes 0..63: Σp, Σq, Σp·d, Σq·d (d = log(p/q)).
  (global $MIN_NORMAL f64 (f64.const 2.2250738585072014e-308))

  ;; Sums pairs (p[i], q[i]) for i in [0, n), four at a time, while they are regular. p and q are
  ;; float64 when $wide is 1, float32 otherwise (promoted exactly). Returns the index of the first
  ;; pair not handled: n rounded down to a multiple of 4 when all were regular, else the start of
  ;; the first group of four holding an irregular pair. The sums of the handled pairs are stored at
  ;; bytes 0..63. When $out is not 0, each log(p/q) is also stored there as a float64 (tests
  ;; compare it with Math.log).
  (func (export "klBlock") (param $p i32) (param $q i32) (param $n i32) (param $wide i32) (param $out i32) (result i32)
    (local $i i32) (local $end i32) (local $step i32)
    (local $k v128) (local $f v128) (local $s v128) (local $z v128) (local $w v128)
    (local $rr v128) (local $hfsq v128) (local $kf v128)
    (local $k2 v128) (local $f2 v128) (local $s2 v128) (local $z2 v128) (local $w2 v128)
    (local $rr2 v128) (local $hfsq2 v128) (local $kf2 v128)
    (local $vp v128) (local $vq v128) (local $r v128) (local $d v128)
    (local $vp2 v128) (local $vq2 v128) (local $r2 v128) (local $d2 v128)
    (local $sp v128) (local $sq v128) (local $a v128) (local $b v128)
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (local.set $step (select (i32.const 32) (i32.const 16) (local.get $wide)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; (vp, vq) holds pairs i, i+1 and (vp2, vq2) pairs i+2, i+3.
        (if (local.get $wide)
          (then
            (local.set $vp (v128.load (local.get $p)))
            (local.set $vp2 (v128.load offset=16 (local.get $p)))
            (local.set $vq (v128.load (local.get $q)))
            (local.set $vq2 (v128.load offset=16 (local.get $q))))
          (else
            (local.set $vp2 (v128.load (local.get $p)))
            (local.set $vq2 (v128.load (local.get $q)))
            (local.set $vp (f64x2.promote_low_f32x4 (local.get $vp2)))
            (local.set $vq (f64x2.promote_low_f32x4 (local.get $vq2)))
            (local.set $vp2 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vp2) (local.get $vp2))))
            (local.set $vq2 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vq2) (local.get $vq2))))))
        (local.set $r (f64x2.div (local.get $vp) (local.get $vq)))
        (local.set $r2 (f64x2.div (local.get $vp2) (local.get $vq2)))
        ;; p > 0, q > 0 (so neither is NaN), p/q finite and normal, for all four pairs.
        (br_if $done
          (i32.eqz
            (i64x2.all_true
              (v128.and
                (v128.and
                  (v128.and (f64x2.gt (local.get $vp) (v128.const f64x2 0 0)) (f64x2.gt (local.get $vq) (v128.const f64x2 0 0)))
                  (v128.and (f64x2.gt (local.get $vp2) (v128.const f64x2 0 0)) (f64x2.gt (local.get $vq2) (v128.const f64x2 0 0))))
                (v128.and
                  (v128.and
                    (f64x2.ge (local.get $r) (f64x2.splat (global.get $MIN_NORMAL)))
                    (f64x2.lt (local.get $r) (v128.const f64x2 inf inf)))
                  (v128.and
                    (f64x2.ge (local.get $r2) (f64x2.splat (global.get $MIN_NORMAL)))
                    (f64x2.lt (local.get $r2) (v128.const f64x2 inf inf))))))))
        ;; d = log r (fdlibm, see the top of this file)
        ;; k = (bits − bits(√2/2)) >> 52, m = bits − k << 52
        (local.set $k
          (i64x2.shr_s (i64x2.sub (local.get $r) (v128.const i64x2 0x3fe6a09e667f3bcd 0x3fe6a09e667f3bcd)) (i32.const 52)))
        (local.set $f
          (f64x2.sub
            (i64x2.sub (local.get $r) (i64x2.shl (local.get $k) (i32.const 52)))
            (v128.const f64x2 1 1)))
        (local.set $s (f64x2.div (local.get $f) (f64x2.add (v128.const f64x2 2 2) (local.get $f))))
        (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
        (local.set $w (f64x2.mul (local.get $z) (local.get $z)))
        ;; R = z·(Lg1 + w·(Lg3 + w·(Lg5 + w·Lg7))) + w·(Lg2 + w·(Lg4 + w·Lg6))
        (local.set $rr
          (f64x2.add
            (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01)
                (f64x2.mul (local.get $w)
                  (f64x2.add (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01)
                    (f64x2.mul (local.get $w)
                      (f64x2.add (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01)
                        (f64x2.mul (local.get $w) (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01))))))))
            (f64x2.mul (local.get $w)
              (f64x2.add (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01)
                (f64x2.mul (local.get $w)
                  (f64x2.add (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01)
                    (f64x2.mul (local.get $w) (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01))))))))
        (local.set $hfsq (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $f) (local.get $f))))
        ;; k fits in 32 bits: take the low half of each i64 lane and convert.
        (local.set $kf
          (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k) (local.get $k))))
        ;; k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo)) − f)
        (local.set $d
          (f64x2.sub
            (f64x2.mul (local.get $kf) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
            (f64x2.sub
              (f64x2.sub
                (local.get $hfsq)
                (f64x2.add
                  (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $rr)))
                  (f64x2.mul (local.get $kf) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
              (local.get $f))))
        ;; d2 = log r2: the same code on the other two pairs (V8 does not inline wasm calls)
        (local.set $k2
          (i64x2.shr_s (i64x2.sub (local.get $r2) (v128.const i64x2 0x3fe6a09e667f3bcd 0x3fe6a09e667f3bcd)) (i32.const 52)))
        (local.set $f2
          (f64x2.sub
            (i64x2.sub (local.get $r2) (i64x2.shl (local.get $k2) (i32.const 52)))
            (v128.const f64x2 1 1)))
        (local.set $s2 (f64x2.div (local.get $f2) (f64x2.add (v128.const f64x2 2 2) (local.get $f2))))
        (local.set $z2 (f64x2.mul (local.get $s2) (local.get $s2)))
        (local.set $w2 (f64x2.mul (local.get $z2) (local.get $z2)))
        (local.set $rr2
          (f64x2.add
            (f64x2.mul (local.get $z2)
              (f64x2.add (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01)
                (f64x2.mul (local.get $w2)
                  (f64x2.add (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01)
                    (f64x2.mul (local.get $w2)
                      (f64x2.add (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01)
                        (f64x2.mul (local.get $w2) (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01))))))))
            (f64x2.mul (local.get $w2)
              (f64x2.add (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01)
                (f64x2.mul (local.get $w2)
                  (f64x2.add (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01)
                    (f64x2.mul (local.get $w2) (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01))))))))
        (local.set $hfsq2 (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $f2) (local.get $f2))))
        (local.set $kf2
          (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k2) (local.get $k2))))
        (local.set $d2
          (f64x2.sub
            (f64x2.mul (local.get $kf2) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
            (f64x2.sub
              (f64x2.sub
                (local.get $hfsq2)
                (f64x2.add
                  (f64x2.mul (local.get $s2) (f64x2.add (local.get $hfsq2) (local.get $rr2)))
                  (f64x2.mul (local.get $kf2) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
              (local.get $f2))))
        (if (local.get $out)
          (then
            (v128.store (local.get $out) (local.get $d))
            (v128.store offset=16 (local.get $out) (local.get $d2))
            (local.set $out (i32.add (local.get $out) (i32.const 32)))))
        (local.set $sp (f64x2.add (local.get $sp) (f64x2.add (local.get $vp) (local.get $vp2))))
        (local.set $sq (f64x2.add (local.get $sq) (f64x2.add (local.get $vq) (local.get $vq2))))
        (local.set $a (f64x2.add (local.get $a) (f64x2.add (f64x2.mul (local.get $vp) (local.get $d)) (f64x2.mul (local.get $vp2) (local.get $d2)))))
        (local.set $b (f64x2.add (local.get $b) (f64x2.add (f64x2.mul (local.get $vq) (local.get $d)) (f64x2.mul (local.get $vq2) (local.get $d2)))))
        (local.set $p (i32.add (local.get $p) (local.get $step)))
        (local.set $q (i32.add (local.get $q) (local.get $step)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (v128.store (i32.const 0) (local.get $sp))
    (v128.store (i32.const 16) (local.get $sq))
    (v128.store (i32.const 32) (local.get $a))
    (v128.store (i32.const 48) (local.get $b))
    (local.get $i))

  ;; xlogxBlock: over a block of values x (float64 when $wide is 1, float32 otherwise) it sums x
  ;; and x·log x, with the same fdlibm log as klBlock, four values a turn. Only "regular" values go
  ;; through the loop: x a finite normal double (every float32 > 0 is one once promoted). The first
  ;; group of four holding another value (0, a subnormal double, NaN, negative, +∞) stops the loop
  ;; and its index is returned, so the caller applies 0·log 0 = 0 and the checks element by element.
  ;; Σx is stored at bytes 0..15 and Σx·log x at 16..31 (two lanes each). When $out is not 0, each
  ;; log x is also stored there as a float64 (tests compare it with Math.log).
  (func (export "xlogxBlock") (param $x i32) (param $n i32) (param $wide i32) (param $out i32) (result i32)
    (local $i i32) (local $end i32) (local $step i32)
    (local $k v128) (local $f v128) (local $s v128) (local $z v128) (local $w v128)
    (local $rr v128) (local $hfsq v128) (local $kf v128)
    (local $k2 v128) (local $f2 v128) (local $s2 v128) (local $z2 v128) (local $w2 v128)
    (local $rr2 v128) (local $hfsq2 v128) (local $kf2 v128)
    (local $r v128) (local $d v128) (local $r2 v128) (local $d2 v128)
    (local $sx v128) (local $a v128)
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (local.set $step (select (i32.const 32) (i32.const 16) (local.get $wide)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; r holds values i, i+1 and r2 values i+2, i+3 (named as in klBlock, whose log code follows).
        (if (local.get $wide)
          (then
            (local.set $r (v128.load (local.get $x)))
            (local.set $r2 (v128.load offset=16 (local.get $x))))
          (else
            (local.set $r2 (v128.load (local.get $x)))
            (local.set $r (f64x2.promote_low_f32x4 (local.get $r2)))
            (local.set $r2 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $r2) (local.get $r2))))))
        ;; normal and finite (NaN fails both comparisons), for all four values
        (br_if $done
          (i32.eqz
            (i64x2.all_true
              (v128.and
                (v128.and
                  (f64x2.ge (local.get $r) (f64x2.splat (global.get $MIN_NORMAL)))
                  (f64x2.lt (local.get $r) (v128.const f64x2 inf inf)))
                (v128.and
                  (f64x2.ge (local.get $r2) (f64x2.splat (global.get $MIN_NORMAL)))
                  (f64x2.lt (local.get $r2) (v128.const f64x2 inf inf)))))))
        ;; d = log r (fdlibm, as in klBlock)
        ;; k = (bits − bits(√2/2)) >> 52, m = bits − k << 52
        (local.set $k
          (i64x2.shr_s (i64x2.sub (local.get $r) (v128.const i64x2 0x3fe6a09e667f3bcd 0x3fe6a09e667f3bcd)) (i32.const 52)))
        (local.set $f
          (f64x2.sub
            (i64x2.sub (local.get $r) (i64x2.shl (local.get $k) (i32.const 52)))
            (v128.const f64x2 1 1)))
        (local.set $s (f64x2.div (local.get $f) (f64x2.add (v128.const f64x2 2 2) (local.get $f))))
        (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
        (local.set $w (f64x2.mul (local.get $z) (local.get $z)))
        ;; R = z·(Lg1 + w·(Lg3 + w·(Lg5 + w·Lg7))) + w·(Lg2 + w·(Lg4 + w·Lg6))
        (local.set $rr
          (f64x2.add
            (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01)
                (f64x2.mul (local.get $w)
                  (f64x2.add (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01)
                    (f64x2.mul (local.get $w)
                      (f64x2.add (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01)
                        (f64x2.mul (local.get $w) (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01))))))))
            (f64x2.mul (local.get $w)
              (f64x2.add (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01)
                (f64x2.mul (local.get $w)
                  (f64x2.add (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01)
                    (f64x2.mul (local.get $w) (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01))))))))
        (local.set $hfsq (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $f) (local.get $f))))
        ;; k fits in 32 bits: take the low half of each i64 lane and convert.
        (local.set $kf
          (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k) (local.get $k))))
        ;; k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo)) − f)
        (local.set $d
          (f64x2.sub
            (f64x2.mul (local.get $kf) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
            (f64x2.sub
              (f64x2.sub
                (local.get $hfsq)
                (f64x2.add
                  (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $rr)))
                  (f64x2.mul (local.get $kf) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
              (local.get $f))))
        ;; d2 = log r2: the same code on the other two pairs (V8 does not inline wasm calls)
        (local.set $k2
          (i64x2.shr_s (i64x2.sub (local.get $r2) (v128.const i64x2 0x3fe6a09e667f3bcd 0x3fe6a09e667f3bcd)) (i32.const 52)))
        (local.set $f2
          (f64x2.sub
            (i64x2.sub (local.get $r2) (i64x2.shl (local.get $k2) (i32.const 52)))
            (v128.const f64x2 1 1)))
        (local.set $s2 (f64x2.div (local.get $f2) (f64x2.add (v128.const f64x2 2 2) (local.get $f2))))
        (local.set $z2 (f64x2.mul (local.get $s2) (local.get $s2)))
        (local.set $w2 (f64x2.mul (local.get $z2) (local.get $z2)))
        (local.set $rr2
          (f64x2.add
            (f64x2.mul (local.get $z2)
              (f64x2.add (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01)
                (f64x2.mul (local.get $w2)
                  (f64x2.add (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01)
                    (f64x2.mul (local.get $w2)
                      (f64x2.add (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01)
                        (f64x2.mul (local.get $w2) (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01))))))))
            (f64x2.mul (local.get $w2)
              (f64x2.add (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01)
                (f64x2.mul (local.get $w2)
                  (f64x2.add (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01)
                    (f64x2.mul (local.get $w2) (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01))))))))
        (local.set $hfsq2 (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $f2) (local.get $f2))))
        (local.set $kf2
          (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k2) (local.get $k2))))
        (local.set $d2
          (f64x2.sub
            (f64x2.mul (local.get $kf2) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
            (f64x2.sub
              (f64x2.sub
                (local.get $hfsq2)
                (f64x2.add
                  (f64x2.mul (local.get $s2) (f64x2.add (local.get $hfsq2) (local.get $rr2)))
                  (f64x2.mul (local.get $kf2) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
              (local.get $f2))))
        (if (local.get $out)
          (then
            (v128.store (local.get $out) (local.get $d))
            (v128.store offset=16 (local.get $out) (local.get $d2))
            (local.set $out (i32.add (local.get $out) (i32.const 32)))))
        (local.set $sx (f64x2.add (local.get $sx) (f64x2.add (local.get $r) (local.get $r2))))
        (local.set $a (f64x2.add (local.get $a) (f64x2.add (f64x2.mul (local.get $r) (local.get $d)) (f64x2.mul (local.get $r2) (local.get $d2)))))
        (local.set $x (i32.add (local.get $x) (local.get $step)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (v128.store (i32.const 0) (local.get $sx))
    (v128.store (i32.const 16) (local.get $a))
    (local.get $i))

  ;; sumBlock: Σx over a block of values (float64 when $wide is 1, float32 otherwise), four a turn,
  ;; while they are probabilities (0 ≤ x < +∞; NaN fails). Returns the index of the first group of
  ;; four holding another value (the caller names it), n rounded down to a multiple of 4 otherwise;
  ;; Σx is stored at bytes 0..15 (two lanes). The first pass of JS: the sums that normalize.
  (func (export "sumBlock") (param $x i32) (param $n i32) (param $wide i32) (result i32)
    (local $i i32) (local $end i32) (local $step i32) (local $v v128) (local $v2 v128) (local $sum v128)
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (local.set $step (select (i32.const 32) (i32.const 16) (local.get $wide)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (if (local.get $wide)
          (then
            (local.set $v (v128.load (local.get $x)))
            (local.set $v2 (v128.load offset=16 (local.get $x))))
          (else
            (local.set $v2 (v128.load (local.get $x)))
            (local.set $v (f64x2.promote_low_f32x4 (local.get $v2)))
            (local.set $v2 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v2) (local.get $v2))))))
        (br_if $done
          (i32.eqz
            (i64x2.all_true
              (v128.and
                (v128.and (f64x2.ge (local.get $v) (v128.const f64x2 0 0)) (f64x2.lt (local.get $v) (v128.const f64x2 inf inf)))
                (v128.and (f64x2.ge (local.get $v2) (v128.const f64x2 0 0)) (f64x2.lt (local.get $v2) (v128.const f64x2 inf inf)))))))
        (local.set $sum (f64x2.add (local.get $sum) (f64x2.add (local.get $v) (local.get $v2))))
        (local.set $x (i32.add (local.get $x) (local.get $step)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (v128.store (i32.const 0) (local.get $sum))
    (local.get $i))

  ;; jsBlock: the second pass of JS. For pairs (p, q) (float64 when $wide is 1, float32 otherwise)
  ;; with a = p·ia, b = q·ib (ia = 1/Σp, ib = 1/Σq, or 1) and m = (a + b)/2 it sums a·log(a/m) and
  ;; b·log(b/m) (KL(P‖M) and KL(Q‖M) before the ½), two pairs a turn: the two logs in flight are
  ;; log(a/m) for both pairs and log(b/m) for both, with klBlock's log. Only pairs where a/m and b/m
  ;; are finite normal doubles are taken (so a, b > 0); the first pair of two holding another stops
  ;; the loop and its index is returned (the caller applies 0·log 0 = 0 there). The sums are stored
  ;; at bytes 0..15 and 16..31 (two lanes each).
  (func (export "jsBlock") (param $p i32) (param $q i32) (param $n i32) (param $wide i32) (param $ia f64) (param $ib f64) (result i32)
    (local $i i32) (local $end i32) (local $step i32)
    (local $k v128) (local $f v128) (local $s v128) (local $z v128) (local $w v128)
    (local $rr v128) (local $hfsq v128) (local $kf v128)
    (local $k2 v128) (local $f2 v128) (local $s2 v128) (local $z2 v128) (local $w2 v128)
    (local $rr2 v128) (local $hfsq2 v128) (local $kf2 v128)
    (local $va v128) (local $vb v128) (local $m v128)
    (local $r v128) (local $d v128) (local $r2 v128) (local $d2 v128) (local $sa v128) (local $sb v128)
    (local.set $end (i32.and (local.get $n) (i32.const -2)))
    (local.set $step (select (i32.const 16) (i32.const 8) (local.get $wide)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (if (local.get $wide)
          (then
            (local.set $va (v128.load (local.get $p)))
            (local.set $vb (v128.load (local.get $q))))
          (else
            (local.set $va (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))
            (local.set $vb (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $q))))))
        (local.set $va (f64x2.mul (local.get $va) (f64x2.splat (local.get $ia))))
        (local.set $vb (f64x2.mul (local.get $vb) (f64x2.splat (local.get $ib))))
        (local.set $m (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.add (local.get $va) (local.get $vb))))
        (local.set $r (f64x2.div (local.get $va) (local.get $m)))
        (local.set $r2 (f64x2.div (local.get $vb) (local.get $m)))
        ;; a/m and b/m finite and normal (NaN, 0 and negatives fail), for both pairs
        (br_if $done
          (i32.eqz
            (i64x2.all_true
              (v128.and
                (v128.and
                  (f64x2.ge (local.get $r) (f64x2.splat (global.get $MIN_NORMAL)))
                  (f64x2.lt (local.get $r) (v128.const f64x2 inf inf)))
                (v128.and
                  (f64x2.ge (local.get $r2) (f64x2.splat (global.get $MIN_NORMAL)))
                  (f64x2.lt (local.get $r2) (v128.const f64x2 inf inf)))))))
        ;; d = log(a/m) (fdlibm, as in klBlock)
        ;; k = (bits − bits(√2/2)) >> 52, m = bits − k << 52
        (local.set $k
          (i64x2.shr_s (i64x2.sub (local.get $r) (v128.const i64x2 0x3fe6a09e667f3bcd 0x3fe6a09e667f3bcd)) (i32.const 52)))
        (local.set $f
          (f64x2.sub
            (i64x2.sub (local.get $r) (i64x2.shl (local.get $k) (i32.const 52)))
            (v128.const f64x2 1 1)))
        (local.set $s (f64x2.div (local.get $f) (f64x2.add (v128.const f64x2 2 2) (local.get $f))))
        (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
        (local.set $w (f64x2.mul (local.get $z) (local.get $z)))
        ;; R = z·(Lg1 + w·(Lg3 + w·(Lg5 + w·Lg7))) + w·(Lg2 + w·(Lg4 + w·Lg6))
        (local.set $rr
          (f64x2.add
            (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01)
                (f64x2.mul (local.get $w)
                  (f64x2.add (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01)
                    (f64x2.mul (local.get $w)
                      (f64x2.add (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01)
                        (f64x2.mul (local.get $w) (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01))))))))
            (f64x2.mul (local.get $w)
              (f64x2.add (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01)
                (f64x2.mul (local.get $w)
                  (f64x2.add (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01)
                    (f64x2.mul (local.get $w) (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01))))))))
        (local.set $hfsq (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $f) (local.get $f))))
        ;; k fits in 32 bits: take the low half of each i64 lane and convert.
        (local.set $kf
          (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k) (local.get $k))))
        ;; k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo)) − f)
        (local.set $d
          (f64x2.sub
            (f64x2.mul (local.get $kf) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
            (f64x2.sub
              (f64x2.sub
                (local.get $hfsq)
                (f64x2.add
                  (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $rr)))
                  (f64x2.mul (local.get $kf) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
              (local.get $f))))
        ;; d2 = log(b/m): the same code (V8 does not inline wasm calls)
        (local.set $k2
          (i64x2.shr_s (i64x2.sub (local.get $r2) (v128.const i64x2 0x3fe6a09e667f3bcd 0x3fe6a09e667f3bcd)) (i32.const 52)))
        (local.set $f2
          (f64x2.sub
            (i64x2.sub (local.get $r2) (i64x2.shl (local.get $k2) (i32.const 52)))
            (v128.const f64x2 1 1)))
        (local.set $s2 (f64x2.div (local.get $f2) (f64x2.add (v128.const f64x2 2 2) (local.get $f2))))
        (local.set $z2 (f64x2.mul (local.get $s2) (local.get $s2)))
        (local.set $w2 (f64x2.mul (local.get $z2) (local.get $z2)))
        (local.set $rr2
          (f64x2.add
            (f64x2.mul (local.get $z2)
              (f64x2.add (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01)
                (f64x2.mul (local.get $w2)
                  (f64x2.add (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01)
                    (f64x2.mul (local.get $w2)
                      (f64x2.add (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01)
                        (f64x2.mul (local.get $w2) (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01))))))))
            (f64x2.mul (local.get $w2)
              (f64x2.add (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01)
                (f64x2.mul (local.get $w2)
                  (f64x2.add (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01)
                    (f64x2.mul (local.get $w2) (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01))))))))
        (local.set $hfsq2 (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $f2) (local.get $f2))))
        (local.set $kf2
          (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k2) (local.get $k2))))
        (local.set $d2
          (f64x2.sub
            (f64x2.mul (local.get $kf2) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
            (f64x2.sub
              (f64x2.sub
                (local.get $hfsq2)
                (f64x2.add
                  (f64x2.mul (local.get $s2) (f64x2.add (local.get $hfsq2) (local.get $rr2)))
                  (f64x2.mul (local.get $kf2) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
              (local.get $f2))))
        (local.set $sa (f64x2.add (local.get $sa) (f64x2.mul (local.get $va) (local.get $d))))
        (local.set $sb (f64x2.add (local.get $sb) (f64x2.mul (local.get $vb) (local.get $d2))))
        (local.set $p (i32.add (local.get $p) (local.get $step)))
        (local.set $q (i32.add (local.get $q) (local.get $step)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next)))
    (v128.store (i32.const 0) (local.get $sa))
    (v128.store (i32.const 16) (local.get $sb))
    (local.get $i))

  ;; expBlock: e[i] = exp(x[i]·inv − m) for the logits of a softmax row (float64 when $wide is 1,
  ;; float32 otherwise), stored as float64 at $out; Σe is stored at bytes 0..15 (two lanes).
  ;; exp(t) = 2^k·exp(r) with k = round(t/ln2) and r = t − k·ln2 (ln2 in two parts, so r is exact
  ;; to ~1e-20); exp(r), |r| ≤ ln2/2, is its Taylor polynomial of degree 13 (truncation error
  ;; < 1e-17). Four logits a turn, n rounded down to a multiple of 4. Only t ≥ −708.39 is taken
  ;; (2^k stays a normal double): the first group of four holding a smaller t stops the loop and
  ;; its index is returned; the caller uses Math.exp there (subnormal results, underflow to 0).
  (func (export "expBlock") (param $x i32) (param $n i32) (param $wide i32) (param $inv f64) (param $m f64) (param $out i32) (result i32)
    (local $i i32) (local $end i32) (local $step i32)
    (local $t v128) (local $kb v128) (local $k v128) (local $r v128) (local $r2 v128) (local $r4 v128) (local $e v128)
    (local $t2 v128) (local $kb2 v128) (local $k2 v128) (local $r_2 v128) (local $r22 v128) (local $r42 v128) (local $e2 v128)
    (local $sum v128)
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (local.set $step (select (i32.const 32) (i32.const 16) (local.get $wide)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; Four logits a turn, two in each of t and t2 (two exponentials in flight).
        (local.set $t
          (f64x2.sub
            (f64x2.mul
              (if (result v128) (local.get $wide)
                (then (v128.load (local.get $x)))
                (else (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x)))))
              (f64x2.splat (local.get $inv)))
            (f64x2.splat (local.get $m))))
        (local.set $t2
          (f64x2.sub
            (f64x2.mul
              (if (result v128) (local.get $wide)
                (then (v128.load offset=16 (local.get $x)))
                (else (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $x)))))
              (f64x2.splat (local.get $inv)))
            (f64x2.splat (local.get $m))))
        (br_if $done
          (i32.eqz
            (i64x2.all_true
              (v128.and
                (f64x2.ge (local.get $t) (v128.const f64x2 -708.3964185322641 -708.3964185322641))
                (f64x2.ge (local.get $t2) (v128.const f64x2 -708.3964185322641 -708.3964185322641))))))
        ;; t/ln2 + 1.5·2^52 rounds to an integer k held in the low mantissa bits (the usual "shift"
        ;; trick, cheaper in wasm than f64x2.nearest and a conversion); kd = k as a double.
        (local.set $kb (f64x2.add (f64x2.mul (local.get $t) (v128.const f64x2 1.4426950408889634 1.4426950408889634)) (v128.const f64x2 0x1.8p52 0x1.8p52)))
        (local.set $k (f64x2.sub (local.get $kb) (v128.const f64x2 0x1.8p52 0x1.8p52)))
        ;; r = t − k·ln2_hi − k·ln2_lo (fdlibm's split: k·ln2_hi is exact for |k| < 2^20)
        (local.set $r
          (f64x2.sub
            (f64x2.sub (local.get $t) (f64x2.mul (local.get $k) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01)))
            (f64x2.mul (local.get $k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
        ;; exp r = Σ r^j / j!, j = 0..13: 1 + r·(1 + r·(1/2 + r·(1/6 + r·T))) with the tail
        ;; T = Σ_(j ≥ 4) r^(j−4) / j! by Estrin's scheme (r², r⁴, r⁸), so the multiply-add chain is
        ;; short; the leading terms stay in Horner form, which keeps the rounding within 2 ulp.
        (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
        (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
        (local.set $e
          (f64x2.add
            (f64x2.add
              (f64x2.add (f64x2.add (v128.const f64x2 4.1666666666666664e-02 4.1666666666666664e-02) (f64x2.mul (v128.const f64x2 8.333333333333333e-03 8.333333333333333e-03) (local.get $r))) (f64x2.mul (f64x2.add (v128.const f64x2 1.388888888888889e-03 1.388888888888889e-03) (f64x2.mul (v128.const f64x2 1.984126984126984e-04 1.984126984126984e-04) (local.get $r))) (local.get $r2)))
              (f64x2.mul
                (f64x2.add (f64x2.add (v128.const f64x2 2.48015873015873e-05 2.48015873015873e-05) (f64x2.mul (v128.const f64x2 2.7557319223985893e-06 2.7557319223985893e-06) (local.get $r))) (f64x2.mul (f64x2.add (v128.const f64x2 2.755731922398589e-07 2.755731922398589e-07) (f64x2.mul (v128.const f64x2 2.505210838544172e-08 2.505210838544172e-08) (local.get $r))) (local.get $r2)))
                (local.get $r4)))
            (f64x2.mul (f64x2.add (v128.const f64x2 2.08767569878681e-09 2.08767569878681e-09) (f64x2.mul (v128.const f64x2 1.6059043836821613e-10 1.6059043836821613e-10) (local.get $r))) (f64x2.mul (local.get $r4) (local.get $r4)))))
        (local.set $e (f64x2.add (v128.const f64x2 1.6666666666666666e-01 1.6666666666666666e-01) (f64x2.mul (local.get $e) (local.get $r))))
        (local.set $e (f64x2.add (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $e) (local.get $r))))
        (local.set $e (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $e) (local.get $r))))
        (local.set $e (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $e) (local.get $r))))
        ;; × 2^k: the low bits of kb are k (two's complement); shifted into the exponent field and
        ;; added to the bits of 1.0 they give 2^k (k ≥ −1022 here, so a normal double).
        (local.set $e
          (f64x2.mul (local.get $e)
            (i64x2.add (i64x2.shl (local.get $kb) (i32.const 52)) (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000))))
        ;; the same on the second two logits (V8 does not inline wasm calls)
        (local.set $kb2 (f64x2.add (f64x2.mul (local.get $t2) (v128.const f64x2 1.4426950408889634 1.4426950408889634)) (v128.const f64x2 0x1.8p52 0x1.8p52)))
        (local.set $k2 (f64x2.sub (local.get $kb2) (v128.const f64x2 0x1.8p52 0x1.8p52)))
        (local.set $r_2
          (f64x2.sub
            (f64x2.sub (local.get $t2) (f64x2.mul (local.get $k2) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01)))
            (f64x2.mul (local.get $k2) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
        (local.set $r22 (f64x2.mul (local.get $r_2) (local.get $r_2)))
        (local.set $r42 (f64x2.mul (local.get $r22) (local.get $r22)))
        (local.set $e2
          (f64x2.add
            (f64x2.add
              (f64x2.add (f64x2.add (v128.const f64x2 4.1666666666666664e-02 4.1666666666666664e-02) (f64x2.mul (v128.const f64x2 8.333333333333333e-03 8.333333333333333e-03) (local.get $r_2))) (f64x2.mul (f64x2.add (v128.const f64x2 1.388888888888889e-03 1.388888888888889e-03) (f64x2.mul (v128.const f64x2 1.984126984126984e-04 1.984126984126984e-04) (local.get $r_2))) (local.get $r22)))
              (f64x2.mul
                (f64x2.add (f64x2.add (v128.const f64x2 2.48015873015873e-05 2.48015873015873e-05) (f64x2.mul (v128.const f64x2 2.7557319223985893e-06 2.7557319223985893e-06) (local.get $r_2))) (f64x2.mul (f64x2.add (v128.const f64x2 2.755731922398589e-07 2.755731922398589e-07) (f64x2.mul (v128.const f64x2 2.505210838544172e-08 2.505210838544172e-08) (local.get $r_2))) (local.get $r22)))
                (local.get $r42)))
            (f64x2.mul (f64x2.add (v128.const f64x2 2.08767569878681e-09 2.08767569878681e-09) (f64x2.mul (v128.const f64x2 1.6059043836821613e-10 1.6059043836821613e-10) (local.get $r_2))) (f64x2.mul (local.get $r42) (local.get $r42)))))
        (local.set $e2 (f64x2.add (v128.const f64x2 1.6666666666666666e-01 1.6666666666666666e-01) (f64x2.mul (local.get $e2) (local.get $r_2))))
        (local.set $e2 (f64x2.add (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $e2) (local.get $r_2))))
        (local.set $e2 (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $e2) (local.get $r_2))))
        (local.set $e2 (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $e2) (local.get $r_2))))
        (local.set $e2
          (f64x2.mul (local.get $e2)
            (i64x2.add (i64x2.shl (local.get $kb2) (i32.const 52)) (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000))))
        (v128.store (local.get $out) (local.get $e))
        (v128.store offset=16 (local.get $out) (local.get $e2))
        (local.set $sum (f64x2.add (local.get $sum) (f64x2.add (local.get $e) (local.get $e2))))
        (local.set $x (i32.add (local.get $x) (local.get $step)))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (v128.store (i32.const 0) (local.get $sum))
    (local.get $i))

  ;; rangeBlock: the smallest and largest of n logits (float64 when $wide is 1, float32 otherwise),
  ;; two at a time (n rounded down to even); min lanes at bytes 0..15, max lanes at 16..31. A NaN
  ;; makes both NaN (f64x2.min/max propagate it), so one look tells whether the row is finite.
  (func (export "rangeBlock") (param $x i32) (param $n i32) (param $wide i32)
    (local $i i32) (local $end i32) (local $step i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local.set $end (i32.and (local.get $n) (i32.const -2)))
    (local.set $step (select (i32.const 16) (i32.const 8) (local.get $wide)))
    (local.set $lo (v128.const f64x2 inf inf))
    (local.set $hi (v128.const f64x2 -inf -inf))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v
          (if (result v128) (local.get $wide)
            (then (v128.load (local.get $x)))
            (else (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x))))))
        (local.set $lo (f64x2.min (local.get $lo) (local.get $v)))
        (local.set $hi (f64x2.max (local.get $hi) (local.get $v)))
        (local.set $x (i32.add (local.get $x) (local.get $step)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next)))
    (v128.store (i32.const 0) (local.get $lo))
    (v128.store (i32.const 16) (local.get $hi)))

  ;; softmaxKlBlock: for one row's logits a, b (float64 when $wide is 1, float32 otherwise) and
  ;; their exponentials ea, eb (float64, from expBlock), with p = ea·ia and q = eb·ib (ia = 1/Σea,
  ;; ib = 1/Σeb) and d = log(p/q) = (a − b)·inv − shift: sums Σp, Σq, Σp·d, Σq·d as klBlock does,
  ;; two pairs at a time while p > 0 and q > 0. Returns the index of the first pair not handled
  ;; (where a softmax underflowed to 0 the caller applies the conventions).
  (func (export "softmaxKlBlock") (param $xa i32) (param $xb i32) (param $ea i32) (param $eb i32) (param $n i32) (param $wide i32)
        (param $inv f64) (param $shift f64) (param $ia f64) (param $ib f64) (result i32)
    (local $i i32) (local $end i32) (local $step i32)
    (local $p v128) (local $q v128) (local $d v128) (local $va v128) (local $vb v128)
    (local $sp v128) (local $sq v128) (local $a v128) (local $b v128)
    (local.set $end (i32.and (local.get $n) (i32.const -2)))
    (local.set $step (select (i32.const 16) (i32.const 8) (local.get $wide)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $p (f64x2.mul (v128.load (local.get $ea)) (f64x2.splat (local.get $ia))))
        (local.set $q (f64x2.mul (v128.load (local.get $eb)) (f64x2.splat (local.get $ib))))
        (br_if $done
          (i32.eqz
            (i64x2.all_true
              (v128.and (f64x2.gt (local.get $p) (v128.const f64x2 0 0)) (f64x2.gt (local.get $q) (v128.const f64x2 0 0))))))
        (if (local.get $wide)
          (then
            (local.set $va (v128.load (local.get $xa)))
            (local.set $vb (v128.load (local.get $xb))))
          (else
            (local.set $va (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $xa))))
            (local.set $vb (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $xb))))))
        (local.set $d
          (f64x2.sub
            (f64x2.mul (f64x2.sub (local.get $va) (local.get $vb)) (f64x2.splat (local.get $inv)))
            (f64x2.splat (local.get $shift))))
        (local.set $sp (f64x2.add (local.get $sp) (local.get $p)))
        (local.set $sq (f64x2.add (local.get $sq) (local.get $q)))
        (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $p) (local.get $d))))
        (local.set $b (f64x2.add (local.get $b) (f64x2.mul (local.get $q) (local.get $d))))
        (local.set $xa (i32.add (local.get $xa) (local.get $step)))
        (local.set $xb (i32.add (local.get $xb) (local.get $step)))
        (local.set $ea (i32.add (local.get $ea) (i32.const 16)))
        (local.set $eb (i32.add (local.get $eb) (i32.const 16)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next)))
    (v128.store (i32.const 0) (local.get $sp))
    (v128.store (i32.const 16) (local.get $sq))
    (v128.store (i32.const 32) (local.get $a))
    (v128.store (i32.const 48) (local.get $b))
    (local.get $i))
)
