;; Scaling kernels of scaleFrame: 128-bit SIMD over rows of 8-bit samples, in 32-bit floats.
;;
;; Source of packages/video/_scale_wasm.ts; rebuild that with `deno task build:wasm`.
;;
;; An output row is Σ w·(source row) over its vertical taps, then each output sample Σ w·(that
;; row's sample) over its horizontal taps, all in f32, each product rounded and then added to
;; the sum in tap order: the same operations as the TypeScript code of scale.ts, so the same
;; results. Rows of `$n` samples are processed in chunks and may be read and written past their
;; end; the caller leaves room for that.
(module
  (memory (export "memory") 1)

  ;; out[i] = Σ w_k · row_k[i] in f32 over `$taps` taps of byte rows, 16 samples at a time.
  ;; `$table` holds each tap's row address (i32) and weight (f32), 8 bytes a tap.
  (func (export "columns") (param $table i32) (param $taps i32) (param $out i32) (param $n i32)
    (local $x i32) (local $end i32) (local $t i32) (local $tend i32) (local $a v128)
    (local $b v128) (local $w v128) (local $s0 v128) (local $s1 v128) (local $s2 v128)
    (local $s3 v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $tend (i32.add (local.get $table) (i32.shl (local.get $taps) (i32.const 3))))
    (local.set $x (i32.const 0))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $a (v128.load align=1 (i32.add (i32.load (local.get $table)) (local.get $x))))
        (local.set $w (v128.load32_splat offset=4 (local.get $table)))
        (local.set $b (i16x8.extend_low_i8x16_u (local.get $a)))
        (local.set $s0 (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u (local.get $b)))
          (local.get $w)))
        (local.set $s1 (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_u (local.get $b)))
          (local.get $w)))
        (local.set $b (i16x8.extend_high_i8x16_u (local.get $a)))
        (local.set $s2 (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u (local.get $b)))
          (local.get $w)))
        (local.set $s3 (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_u (local.get $b)))
          (local.get $w)))
        (local.set $t (i32.add (local.get $table) (i32.const 8)))
        (block $taps_done
          (loop $next_tap
            (br_if $taps_done (i32.ge_u (local.get $t) (local.get $tend)))
            (local.set $a (v128.load align=1 (i32.add (i32.load (local.get $t)) (local.get $x))))
            (local.set $w (v128.load32_splat offset=4 (local.get $t)))
            (local.set $b (i16x8.extend_low_i8x16_u (local.get $a)))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul
              (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u (local.get $b))) (local.get $w))))
            (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul
              (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_u (local.get $b))) (local.get $w))))
            (local.set $b (i16x8.extend_high_i8x16_u (local.get $a)))
            (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul
              (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u (local.get $b))) (local.get $w))))
            (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul
              (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_u (local.get $b))) (local.get $w))))
            (local.set $t (i32.add (local.get $t) (i32.const 8)))
            (br $next_tap)))
        (v128.store align=1 (local.get $out) (local.get $s0))
        (v128.store offset=16 align=1 (local.get $out) (local.get $s1))
        (v128.store offset=32 align=1 (local.get $out) (local.get $s2))
        (v128.store offset=48 align=1 (local.get $out) (local.get $s3))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $chunks))))

  ;; The row pass for four-channel pixels: output pixel o is Σ w·row[pixel], over `$taps` taps
  ;; a pixel from `$offsets` (i32 byte offsets of source pixels in `$row`) and `$weights`
  ;; (f32), rounded to nearest (ties to even) and clamped to bytes; four pixels at a time, `$w`
  ;; pixels rounded up.
  (func (export "row4") (param $row i32) (param $offsets i32) (param $weights i32)
    (param $taps i32) (param $out i32) (param $w i32)
    (local $end i32) (local $i i32) (local $t i32) (local $tend i32) (local $s v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128) (local $magic v128)
    (local.set $magic (v128.const f32x4 0x1p23 0x1p23 0x1p23 0x1p23))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $w) (i32.const 2))))
    (local.set $tend (i32.shl (local.get $taps) (i32.const 2)))
    (block $done
      (loop $quads
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $i (i32.const 0))
        (loop $pixels
          (local.set $s (f32x4.mul
            (v128.load align=1 (i32.add (local.get $row) (i32.load (local.get $offsets))))
            (v128.load32_splat (local.get $weights))))
          (local.set $t (i32.const 4))
          (block $taps_done
            (loop $next_tap
              (br_if $taps_done (i32.ge_u (local.get $t) (local.get $tend)))
              (local.set $s (f32x4.add (local.get $s) (f32x4.mul
                (v128.load align=1 (i32.add (local.get $row)
                  (i32.load (i32.add (local.get $offsets) (local.get $t)))))
                (v128.load32_splat (i32.add (local.get $weights) (local.get $t))))))
              (local.set $t (i32.add (local.get $t) (i32.const 4)))
              (br $next_tap)))
          ;; Rounded to an integer by adding 2^23; the integer is then the float's low bits.
          (local.set $s (i32x4.sub (f32x4.add (local.get $s) (local.get $magic))
            (local.get $magic)))
          (local.set $offsets (i32.add (local.get $offsets) (local.get $tend)))
          (local.set $weights (i32.add (local.get $weights) (local.get $tend)))
          (local.set $q0 (local.get $q1))
          (local.set $q1 (local.get $q2))
          (local.set $q2 (local.get $q3))
          (local.set $q3 (local.get $s))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $pixels (i32.lt_u (local.get $i) (i32.const 4))))
        (v128.store align=1 (local.get $out) (i8x16.narrow_i16x8_u
          (i16x8.narrow_i32x4_s (local.get $q0) (local.get $q1))
          (i16x8.narrow_i32x4_s (local.get $q2) (local.get $q3))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $quads))))

  ;; The row pass for one or two channels: output sample (o, c) is Σ w·row[offset + c·4] over
  ;; the `$taps` taps of output pixel o, as `row4` says but a sample at a time, `$w` pixels of
  ;; `$ch` channels.
  (func (export "row") (param $row i32) (param $offsets i32) (param $weights i32)
    (param $taps i32) (param $out i32) (param $w i32) (param $ch i32)
    (local $end i32) (local $c i32) (local $t i32) (local $tend i32) (local $s f32) (local $at i32)
    (local.set $end (i32.add (local.get $out) (i32.mul (local.get $w) (local.get $ch))))
    (local.set $tend (i32.shl (local.get $taps) (i32.const 2)))
    (block $done
      (loop $pixels
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $c (i32.const 0))
        (loop $channels
          (local.set $at (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
          (local.set $s (f32.mul (f32.load (i32.add (local.get $at)
            (i32.load (local.get $offsets)))) (f32.load (local.get $weights))))
          (local.set $t (i32.const 4))
          (block $taps_done
            (loop $next
              (br_if $taps_done (i32.ge_u (local.get $t) (local.get $tend)))
              (local.set $s (f32.add (local.get $s) (f32.mul
                (f32.load (i32.add (local.get $at)
                  (i32.load (i32.add (local.get $offsets) (local.get $t)))))
                (f32.load (i32.add (local.get $weights) (local.get $t))))))
              (local.set $t (i32.add (local.get $t) (i32.const 4)))
              (br $next)))
          ;; Rounded as in `row4`: the sum lies in 0 … 255 (+ rounding), so no clamp is needed.
          (i32.store8 (local.get $out) (i32.reinterpret_f32
            (f32.add (local.get $s) (f32.const 0x1p23))))
          (local.set $out (i32.add (local.get $out) (i32.const 1)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $channels (i32.lt_u (local.get $c) (local.get $ch))))
        (local.set $offsets (i32.add (local.get $offsets) (local.get $tend)))
        (local.set $weights (i32.add (local.get $weights) (local.get $tend)))
        (br $pixels)))))
