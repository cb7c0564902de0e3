;; The audio mixer's sums: 128-bit SIMD over 32-bit float samples.
;;
;; Source of packages/audio/_mix_wasm.ts; rebuild that with `deno task build:wasm`.
;;
;; Each sum is what mixer.ts's TypeScript code computes, in f32 with every product and sum
;; rounded to f32 in the same order, so both give the same samples. Offsets are in bytes,
;; counts in samples; gains are f32.
(module
  (memory (export "memory") 1)

  ;; out[i] += ((ga·a[i] + gb·b[i]) + gc·c[i]) + gd·d[i], for `$n` samples.
  (func (export "add4")
    (param $out i32) (param $a i32) (param $b i32) (param $c i32) (param $d i32)
    (param $ga f32) (param $gb f32) (param $gc f32) (param $gd f32) (param $n i32)
    (local $end i32) (local $va v128) (local $vb v128) (local $vc v128) (local $vd v128)
    (local.set $va (f32x4.splat (local.get $ga)))
    (local.set $vb (f32x4.splat (local.get $gb)))
    (local.set $vc (f32x4.splat (local.get $gc)))
    (local.set $vd (f32x4.splat (local.get $gd)))
    (local.set $end (i32.add (local.get $out)
      (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.ge_u (local.get $out) (local.get $end)))
        (v128.store (local.get $out) (f32x4.add (v128.load (local.get $out))
          (f32x4.add (f32x4.add (f32x4.add
            (f32x4.mul (local.get $va) (v128.load (local.get $a)))
            (f32x4.mul (local.get $vb) (v128.load (local.get $b))))
            (f32x4.mul (local.get $vc) (v128.load (local.get $c))))
            (f32x4.mul (local.get $vd) (v128.load (local.get $d))))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $quads)))
    (local.set $end (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const 3))
      (i32.const 2))))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (f32.store (local.get $out) (f32.add (f32.load (local.get $out))
          (f32.add (f32.add (f32.add
            (f32.mul (local.get $ga) (f32.load (local.get $a)))
            (f32.mul (local.get $gb) (f32.load (local.get $b))))
            (f32.mul (local.get $gc) (f32.load (local.get $c))))
            (f32.mul (local.get $gd) (f32.load (local.get $d))))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br $rest))))

  ;; out[i] += g·a[i], for `$n` samples.
  (func (export "add1") (param $out i32) (param $a i32) (param $g f32) (param $n i32)
    (local $end i32) (local $vg v128)
    (local.set $vg (f32x4.splat (local.get $g)))
    (local.set $end (i32.add (local.get $out)
      (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.ge_u (local.get $out) (local.get $end)))
        (v128.store (local.get $out) (f32x4.add (v128.load (local.get $out))
          (f32x4.mul (local.get $vg) (v128.load (local.get $a)))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (br $quads)))
    (local.set $end (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const 3))
      (i32.const 2))))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (f32.store (local.get $out) (f32.add (f32.load (local.get $out))
          (f32.mul (local.get $g) (f32.load (local.get $a)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (br $rest))))

  ;; Clamps `$n` samples to [−1, 1] (NaN stays NaN).
  (func (export "hard_clip") (param $p i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p)
      (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.ge_u (local.get $p) (local.get $end)))
        (v128.store (local.get $p) (f32x4.max
          (f32x4.min (v128.load (local.get $p)) (v128.const f32x4 1 1 1 1))
          (v128.const f32x4 -1 -1 -1 -1)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $quads)))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const 3))
      (i32.const 2))))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (f32.store (local.get $p)
          (f32.max (f32.min (f32.load (local.get $p)) (f32.const 1)) (f32.const -1)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $rest))))

  ;; The largest |sample| of `$n` samples (NaN if any is NaN). Eight samples a step into two
  ;; running maxima (f32x4.pmax, one instruction, where f32x4.max's NaN rules take several and
  ;; would chain them), NaNs noted on the side.
  (func (export "peak") (param $p i32) (param $n i32) (result f32)
    (local $end i32) (local $m0 v128) (local $m1 v128) (local $nan v128) (local $x v128)
    (local $y v128) (local $s f32)
    (local.set $end (i32.add (local.get $p)
      (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $eights_done
      (loop $eights
        (br_if $eights_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (f32x4.abs (v128.load (local.get $p))))
        (local.set $y (f32x4.abs (v128.load offset=16 (local.get $p))))
        (local.set $m0 (f32x4.pmax (local.get $m0) (local.get $x)))
        (local.set $m1 (f32x4.pmax (local.get $m1) (local.get $y)))
        (local.set $nan (v128.or (local.get $nan) (v128.or
          (f32x4.ne (local.get $x) (local.get $x)) (f32x4.ne (local.get $y) (local.get $y)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $eights)))
    (if (v128.any_true (local.get $nan)) (then (return (f32.const nan))))
    (local.set $m0 (f32x4.pmax (local.get $m0) (local.get $m1)))
    (local.set $s (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $m0)) (f32x4.extract_lane 1 (local.get $m0)))
      (f32.max (f32x4.extract_lane 2 (local.get $m0)) (f32x4.extract_lane 3 (local.get $m0)))))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const 7))
      (i32.const 2))))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s (f32.max (local.get $s) (f32.abs (f32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $rest)))
    (local.get $s)))
