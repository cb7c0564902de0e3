;; Blur kernels of blurFrame: 128-bit SIMD over one plane of 8-bit samples.
;;
;; Source of packages/video/_blur_wasm.ts; rebuild that with `deno task build:wasm`, which
;; also compiles a twin with i16x8.q15mulr_sat_s for i16x8.relaxed_q15mulr_s (same results: no
;; product here is −32768 × −32768).
;;
;; A plane is `$n` samples a row (width × channels, `$ch` channels a pixel interleaved) and
;; `$h` rows, `$stride` bytes apart; the caller copies it in, and out of `$dst` afterwards.
;; Edges are clamped: rows above and below repeat the first and last, pixels left and right
;; the first and last of their row. Loops run over whole chunks of samples and may read and
;; write up to a chunk past the end of a row; the caller leaves room for that.
(module
  (memory (export "memory") 1)

  ;; Box blur, exact: out = floor((2·S + A) / (2·A)), the rounded mean of the sum S of the
  ;; (2r+1)² samples around, A = (2r+1)². Column sums of 2r+1 rows are kept in 32 bits at
  ;; `$cols` (r pixels of padding each side, refreshed for each row), slid along the row into
  ;; `$sums`, and divided with `$inv` = 1/A: S/A is never a half (A is odd) and lies at least
  ;; 1/(2A) from one. When `$wide` is 0 (S < 2^22: r ≤ 63), round(S · inv) in f32, whose error
  ;; is below S/A · 2^-23 < 1/(2A); otherwise floor((S + A/2) · inv) in f64, for any S < 2^31.
  (func (export "box")
    (param $src i32) (param $dst i32) (param $stride i32) (param $n i32) (param $h i32)
    (param $ch i32) (param $r i32) (param $cols i32) (param $sums i32)
    (param $wide i32) (param $inv f64)
    (local $y i32) (local $k i32) (local $mid i32) (local $pad i32)
    (local.set $pad (i32.shl (i32.mul (local.get $r) (local.get $ch)) (i32.const 2)))
    (local.set $mid (i32.add (local.get $cols) (local.get $pad)))
    (memory.fill (local.get $mid) (i32.const 0) (i32.shl (local.get $n) (i32.const 2)))
    ;; Column sums of rows −r … r.
    (local.set $k (i32.sub (i32.const 0) (local.get $r)))
    (block $init_done
      (loop $init
        (br_if $init_done (i32.gt_s (local.get $k) (local.get $r)))
        (call $slide (local.get $mid)
          (call $row (local.get $src) (local.get $stride) (local.get $k) (local.get $h))
          (i32.const -1) (local.get $n))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $init)))
    (local.set $y (i32.const 0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $y) (local.get $h)))
        (call $pad (local.get $cols) (i32.shl (local.get $n) (i32.const 2))
          (i32.shl (local.get $ch) (i32.const 2)) (local.get $r))
        (call $hsum (local.get $cols) (local.get $sums) (local.get $n) (local.get $ch)
          (local.get $r))
        (call $divide (local.get $sums)
          (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $stride)))
          (local.get $n) (local.get $r) (local.get $wide) (local.get $inv))
        (call $slide (local.get $mid)
          (call $row (local.get $src) (local.get $stride)
            (i32.add (i32.add (local.get $y) (local.get $r)) (i32.const 1)) (local.get $h))
          (call $row (local.get $src) (local.get $stride)
            (i32.sub (local.get $y) (local.get $r)) (local.get $h))
          (local.get $n))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows))))

  ;; The address of row `$y` clamped to 0 … h − 1.
  (func $row (param $base i32) (param $stride i32) (param $y i32) (param $h i32) (result i32)
    (if (i32.lt_s (local.get $y) (i32.const 0)) (then (local.set $y (i32.const 0))))
    (if (i32.ge_s (local.get $y) (local.get $h))
      (then (local.set $y (i32.sub (local.get $h) (i32.const 1)))))
    (i32.add (local.get $base) (i32.mul (local.get $y) (local.get $stride))))

  ;; cols[i] += in[i] − out[i] for `$n` samples (16 at a time); `$out` −1 subtracts nothing.
  (func $slide (param $cols i32) (param $in i32) (param $out i32) (param $n i32)
    (local $end i32) (local $a v128) (local $b v128) (local $lo v128) (local $hi v128)
    (local.set $end (i32.add (local.get $cols) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $cols) (local.get $end)))
        (local.set $a (v128.load align=1 (local.get $in)))
        (local.set $b (if (result v128) (i32.lt_s (local.get $out) (i32.const 0))
          (then (v128.const i32x4 0 0 0 0))
          (else (v128.load align=1 (local.get $out)))))
        (local.set $lo (i16x8.sub (i16x8.extend_low_i8x16_u (local.get $a))
          (i16x8.extend_low_i8x16_u (local.get $b))))
        (local.set $hi (i16x8.sub (i16x8.extend_high_i8x16_u (local.get $a))
          (i16x8.extend_high_i8x16_u (local.get $b))))
        (v128.store align=1 (local.get $cols) (i32x4.add (v128.load align=1 (local.get $cols))
          (i32x4.extend_low_i16x8_s (local.get $lo))))
        (v128.store offset=16 align=1 (local.get $cols)
          (i32x4.add (v128.load offset=16 align=1 (local.get $cols))
            (i32x4.extend_high_i16x8_s (local.get $lo))))
        (v128.store offset=32 align=1 (local.get $cols)
          (i32x4.add (v128.load offset=32 align=1 (local.get $cols))
            (i32x4.extend_low_i16x8_s (local.get $hi))))
        (v128.store offset=48 align=1 (local.get $cols)
          (i32x4.add (v128.load offset=48 align=1 (local.get $cols))
            (i32x4.extend_high_i16x8_s (local.get $hi))))
        (local.set $cols (i32.add (local.get $cols) (i32.const 64)))
        (local.set $in (i32.add (local.get $in) (i32.const 16)))
        (if (i32.ge_s (local.get $out) (i32.const 0))
          (then (local.set $out (i32.add (local.get $out) (i32.const 16)))))
        (br $next))))

  ;; Fills the `$r` pixels of `$px` bytes before and after the `$bytes` bytes at base + r·px
  ;; with copies of the first and last pixel.
  (func $pad (param $base i32) (param $bytes i32) (param $px i32) (param $r i32)
    (local $first i32) (local $last i32) (local $end i32) (local $p i32)
    (local.set $first (i32.add (local.get $base) (i32.mul (local.get $r) (local.get $px))))
    (local.set $end (i32.add (local.get $first) (local.get $bytes)))
    (local.set $last (i32.sub (local.get $end) (local.get $px)))
    (local.set $p (local.get $base))
    (block $left_done
      (loop $left
        (br_if $left_done (i32.ge_u (local.get $p) (local.get $first)))
        (memory.copy (local.get $p) (local.get $first) (local.get $px))
        (local.set $p (i32.add (local.get $p) (local.get $px)))
        (br $left)))
    (local.set $p (local.get $end))
    (local.set $end (i32.add (local.get $end) (i32.mul (local.get $r) (local.get $px))))
    (block $right_done
      (loop $right
        (br_if $right_done (i32.ge_u (local.get $p) (local.get $end)))
        (memory.copy (local.get $p) (local.get $last) (local.get $px))
        (local.set $p (i32.add (local.get $p) (local.get $px)))
        (br $right))))

  ;; sums[i] = Σ cols[i + k·ch], k = 0 … 2r, over the padded column sums: a running sum, a
  ;; pixel at a time in one vector for four channels, else a sample at a time.
  (func $hsum (param $cols i32) (param $sums i32) (param $n i32) (param $ch i32) (param $r i32)
    (local $span i32) (local $end i32) (local $p i32) (local $s v128) (local $c i32)
    (local $si i32)
    (local.set $span (i32.mul (i32.add (i32.shl (local.get $r) (i32.const 1)) (i32.const 1))
      (i32.shl (local.get $ch) (i32.const 2))))
    (if (i32.eq (local.get $ch) (i32.const 4))
      (then
        (local.set $s (v128.const i32x4 0 0 0 0))
        (local.set $p (local.get $cols))
        (local.set $end (i32.add (local.get $cols) (local.get $span)))
        (block $init_done
          (loop $init
            (br_if $init_done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $s (i32x4.add (local.get $s) (v128.load align=1 (local.get $p))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $init)))
        (local.set $p (local.get $cols))
        (local.set $end (i32.add (local.get $sums) (i32.shl (local.get $n) (i32.const 2))))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $sums) (local.get $end)))
            (v128.store align=1 (local.get $sums) (local.get $s))
            (local.set $s (i32x4.add (local.get $s) (i32x4.sub
              (v128.load align=1 (i32.add (local.get $p) (local.get $span)))
              (v128.load align=1 (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $sums (i32.add (local.get $sums) (i32.const 16)))
            (br $next)))
        (return)))
    (local.set $c (i32.const 0))
    (block $channels_done
      (loop $channels
        (br_if $channels_done (i32.ge_u (local.get $c) (local.get $ch)))
        (local.set $si (i32.const 0))
        (local.set $p (i32.add (local.get $cols) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $end (i32.add (local.get $p) (local.get $span)))
        (block $init_done
          (loop $init
            (br_if $init_done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $si (i32.add (local.get $si) (i32.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (i32.shl (local.get $ch) (i32.const 2))))
            (br $init)))
        (local.set $p (i32.add (local.get $cols) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (i32.store (i32.add (local.get $sums) (i32.sub (local.get $p) (local.get $cols)))
              (local.get $si))
            (local.set $si (i32.add (local.get $si) (i32.sub
              (i32.load (i32.add (local.get $p) (local.get $span)))
              (i32.load (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.shl (local.get $ch) (i32.const 2))))
            (br $next)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $channels))))

  ;; out[i] = floor((2·sums[i] + A) / (2·A)), sixteen samples at a time, as `box` describes.
  (func $divide (param $sums i32) (param $out i32) (param $n i32) (param $r i32)
    (param $wide i32) (param $inv f64)
    (local $end i32) (local $area i32) (local $magic v128) (local $inv32 v128)
    (local $half64 v128) (local $inv64 v128) (local $q0 v128) (local $q1 v128) (local $q2 v128)
    (local $q3 v128)
    (local.set $area (i32.add (i32.shl (local.get $r) (i32.const 1)) (i32.const 1)))
    (local.set $area (i32.mul (local.get $area) (local.get $area)))
    (local.set $magic (v128.const f32x4 0x1p23 0x1p23 0x1p23 0x1p23))
    (local.set $inv32 (f32x4.splat (f32.demote_f64 (local.get $inv))))
    (local.set $half64 (f64x2.splat (f64.mul (f64.convert_i32_s (local.get $area))
      (f64.const 0.5))))
    (local.set $inv64 (f64x2.splat (local.get $inv)))
    (local.set $end (i32.add (local.get $sums) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $sums) (local.get $end)))
        (if (local.get $wide)
          (then
            (local.set $q0 (call $div64 (v128.load align=1 (local.get $sums))
              (local.get $half64) (local.get $inv64)))
            (local.set $q1 (call $div64 (v128.load offset=16 align=1 (local.get $sums))
              (local.get $half64) (local.get $inv64)))
            (local.set $q2 (call $div64 (v128.load offset=32 align=1 (local.get $sums))
              (local.get $half64) (local.get $inv64)))
            (local.set $q3 (call $div64 (v128.load offset=48 align=1 (local.get $sums))
              (local.get $half64) (local.get $inv64))))
          (else
            ;; round(S · inv) as the low bits of S · inv + 2^23 (no ties: A is odd).
            (local.set $q0 (i32x4.sub (f32x4.add (f32x4.mul
              (f32x4.convert_i32x4_s (v128.load align=1 (local.get $sums))) (local.get $inv32))
              (local.get $magic)) (local.get $magic)))
            (local.set $q1 (i32x4.sub (f32x4.add (f32x4.mul
              (f32x4.convert_i32x4_s (v128.load offset=16 align=1 (local.get $sums)))
              (local.get $inv32))
              (local.get $magic)) (local.get $magic)))
            (local.set $q2 (i32x4.sub (f32x4.add (f32x4.mul
              (f32x4.convert_i32x4_s (v128.load offset=32 align=1 (local.get $sums)))
              (local.get $inv32))
              (local.get $magic)) (local.get $magic)))
            (local.set $q3 (i32x4.sub (f32x4.add (f32x4.mul
              (f32x4.convert_i32x4_s (v128.load offset=48 align=1 (local.get $sums)))
              (local.get $inv32))
              (local.get $magic)) (local.get $magic)))))
        (v128.store align=1 (local.get $out) (i8x16.narrow_i16x8_u
          (i16x8.narrow_i32x4_s (local.get $q0) (local.get $q1))
          (i16x8.narrow_i32x4_s (local.get $q2) (local.get $q3))))
        (local.set $sums (i32.add (local.get $sums) (i32.const 64)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next))))

  ;; floor((s + half) · inv) of four 32-bit sums, in f64.
  (func $div64 (param $s v128) (param $half v128) (param $inv v128) (result v128)
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (i32x4.trunc_sat_f64x2_s_zero (f64x2.mul (f64x2.add
        (f64x2.convert_low_i32x4_s (local.get $s)) (local.get $half)) (local.get $inv)))
      (i32x4.trunc_sat_f64x2_s_zero (f64x2.mul (f64x2.add
        (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
          (local.get $s) (local.get $s)))
        (local.get $half)) (local.get $inv)))))

  ;; Gaussian blur, separable: columns, then rows. Samples are widened (`$ring` keeps the 2R+1
  ;; rows around the current one, `$ringStride` bytes apart; `$table` gets their 2R+1
  ;; addresses), the column pass sums w_0·x_0 + Σ w_k·(x_−k + x_k) into `$tmp` (R pixels of
  ;; padding each side) and the row pass does the same along the row, with the weights w_k at
  ;; `$weights` (one v128 of copies each, k = 0 … R).
  ;;
  ;; With `$float` 0, in 16-bit fixed point: samples are x·64, the weights Q15 (summing to 1),
  ;; and each product is q15(a, w) = (a·w + 2^14) >> 15; column sums are capped at 255·64 so
  ;; that two of them add without overflow, and (sum + 32) >> 6 is the output. With `$float`
  ;; 1, in f32, rounded to nearest at the end.
  (func (export "gaussian")
    (param $src i32) (param $dst i32) (param $stride i32) (param $n i32) (param $h i32)
    (param $ch i32) (param $R i32) (param $weights i32) (param $ring i32) (param $ringStride i32)
    (param $table i32) (param $tmp i32) (param $float i32)
    (local $y i32) (local $k i32) (local $loaded i32) (local $slots i32) (local $px i32)
    (local $last i32) (local $mid i32) (local $bytes i32) (local $slot i32)
    (local.set $slots (i32.add (i32.shl (local.get $R) (i32.const 1)) (i32.const 1)))
    (local.set $px (i32.shl (local.get $ch) (i32.add (local.get $float) (i32.const 1))))
    (local.set $bytes (i32.shl (local.get $n) (i32.add (local.get $float) (i32.const 1))))
    (local.set $mid (i32.add (local.get $tmp) (i32.mul (local.get $R) (local.get $px))))
    (local.set $loaded (i32.const 0))
    (local.set $y (i32.const 0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $y) (local.get $h)))
        ;; Widen the source rows up to y + R into the ring.
        (local.set $last (i32.add (local.get $y) (local.get $R)))
        (if (i32.ge_s (local.get $last) (local.get $h))
          (then (local.set $last (i32.sub (local.get $h) (i32.const 1)))))
        (block $load_done
          (loop $load
            (br_if $load_done (i32.gt_s (local.get $loaded) (local.get $last)))
            (local.set $slot (i32.add (local.get $ring) (i32.mul
              (i32.rem_u (local.get $loaded) (local.get $slots)) (local.get $ringStride))))
            (if (local.get $float)
              (then (call $widen_f32
                (i32.add (local.get $src) (i32.mul (local.get $loaded) (local.get $stride)))
                (local.get $slot) (local.get $n)))
              (else (call $widen
                (i32.add (local.get $src) (i32.mul (local.get $loaded) (local.get $stride)))
                (local.get $slot) (local.get $n))))
            (local.set $loaded (i32.add (local.get $loaded) (i32.const 1)))
            (br $load)))
        ;; The ring slots of rows y − R … y + R, clamped.
        (local.set $k (i32.const 0))
        (block $table_done
          (loop $fill
            (br_if $table_done (i32.ge_s (local.get $k) (local.get $slots)))
            (i32.store (i32.add (local.get $table) (i32.shl (local.get $k) (i32.const 2)))
              (i32.add (local.get $ring) (i32.mul (local.get $ringStride)
                (i32.rem_u
                  (call $row (i32.const 0) (i32.const 1)
                    (i32.add (local.get $y) (i32.sub (local.get $k) (local.get $R)))
                    (local.get $h))
                  (local.get $slots)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $fill)))
        (if (local.get $float)
          (then
            (call $gauss_columns_f32 (local.get $table) (local.get $R) (local.get $weights)
              (local.get $mid) (local.get $n))
            (call $pad (local.get $tmp) (local.get $bytes) (local.get $px) (local.get $R))
            (call $gauss_row_f32 (local.get $mid)
              (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $stride)))
              (local.get $n) (local.get $ch) (local.get $R) (local.get $weights)))
          (else
            (call $gauss_columns (local.get $table) (local.get $R) (local.get $weights)
              (local.get $mid) (local.get $n))
            (call $pad (local.get $tmp) (local.get $bytes) (local.get $px) (local.get $R))
            (call $gauss_row (local.get $mid)
              (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $stride)))
              (local.get $n) (local.get $ch) (local.get $R) (local.get $weights))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows))))

  ;; out[i] = in[i] as f32 samples, for `$n` bytes (16 at a time).
  (func $widen_f32 (param $in i32) (param $out i32) (param $n i32)
    (local $end i32) (local $a v128) (local $b v128)
    (local.set $end (i32.add (local.get $in) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
        (local.set $a (v128.load align=1 (local.get $in)))
        (local.set $b (i16x8.extend_low_i8x16_u (local.get $a)))
        (v128.store align=1 (local.get $out)
          (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u (local.get $b))))
        (v128.store offset=16 align=1 (local.get $out)
          (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_u (local.get $b))))
        (local.set $b (i16x8.extend_high_i8x16_u (local.get $a)))
        (v128.store offset=32 align=1 (local.get $out)
          (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u (local.get $b))))
        (v128.store offset=48 align=1 (local.get $out)
          (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_u (local.get $b))))
        (local.set $in (i32.add (local.get $in) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (br $next))))

  ;; out[i] = in[i] · 64 as 16-bit samples, for `$n` bytes (16 at a time).
  (func $widen (param $in i32) (param $out i32) (param $n i32)
    (local $end i32) (local $a v128)
    (local.set $end (i32.add (local.get $in) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
        (local.set $a (v128.load align=1 (local.get $in)))
        (v128.store align=1 (local.get $out)
          (i16x8.shl (i16x8.extend_low_i8x16_u (local.get $a)) (i32.const 6)))
        (v128.store offset=16 align=1 (local.get $out)
          (i16x8.shl (i16x8.extend_high_i8x16_u (local.get $a)) (i32.const 6)))
        (local.set $in (i32.add (local.get $in) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (br $next))))

  ;; The column pass of `gaussian` for one row, 64 samples at a time, capped at 255·64 so that
  ;; two of them add without overflow.
  (func $gauss_columns (param $table i32) (param $R i32) (param $weights i32) (param $out i32)
    (param $n i32)
    (local $x i32) (local $end i32) (local $k i32) (local $a i32) (local $b i32) (local $w v128)
    (local $c i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 1)))
    (local.set $c (i32.load (i32.add (local.get $table) (i32.shl (local.get $R) (i32.const 2)))))
    (local.set $x (i32.const 0))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $w (v128.load (local.get $weights)))
        (local.set $a (i32.add (local.get $c) (local.get $x)))
        (local.set $s0 (i16x8.relaxed_q15mulr_s (v128.load align=1 (local.get $a))
          (local.get $w)))
        (local.set $s1 (i16x8.relaxed_q15mulr_s (v128.load offset=16 align=1 (local.get $a))
          (local.get $w)))
        (local.set $s2 (i16x8.relaxed_q15mulr_s (v128.load offset=32 align=1 (local.get $a))
          (local.get $w)))
        (local.set $s3 (i16x8.relaxed_q15mulr_s (v128.load offset=48 align=1 (local.get $a))
          (local.get $w)))
        (local.set $s4 (i16x8.relaxed_q15mulr_s (v128.load offset=64 align=1 (local.get $a))
          (local.get $w)))
        (local.set $s5 (i16x8.relaxed_q15mulr_s (v128.load offset=80 align=1 (local.get $a))
          (local.get $w)))
        (local.set $s6 (i16x8.relaxed_q15mulr_s (v128.load offset=96 align=1 (local.get $a))
          (local.get $w)))
        (local.set $s7 (i16x8.relaxed_q15mulr_s (v128.load offset=112 align=1 (local.get $a))
          (local.get $w)))
        (local.set $k (i32.const 1))
        (block $taps_done
          (loop $taps
            (br_if $taps_done (i32.gt_s (local.get $k) (local.get $R)))
            (local.set $w (v128.load (i32.add (local.get $weights)
              (i32.shl (local.get $k) (i32.const 4)))))
            (local.set $a (i32.add (local.get $x) (i32.load (i32.add (local.get $table)
              (i32.shl (i32.sub (local.get $R) (local.get $k)) (i32.const 2))))))
            (local.set $b (i32.add (local.get $x) (i32.load (i32.add (local.get $table)
              (i32.shl (i32.add (local.get $R) (local.get $k)) (i32.const 2))))))
            (local.set $s0 (i16x8.add (local.get $s0) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load align=1 (local.get $a))
                (v128.load align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s1 (i16x8.add (local.get $s1) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=16 align=1 (local.get $a))
                (v128.load offset=16 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s2 (i16x8.add (local.get $s2) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=32 align=1 (local.get $a))
                (v128.load offset=32 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s3 (i16x8.add (local.get $s3) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=48 align=1 (local.get $a))
                (v128.load offset=48 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s4 (i16x8.add (local.get $s4) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=64 align=1 (local.get $a))
                (v128.load offset=64 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s5 (i16x8.add (local.get $s5) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=80 align=1 (local.get $a))
                (v128.load offset=80 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s6 (i16x8.add (local.get $s6) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=96 align=1 (local.get $a))
                (v128.load offset=96 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s7 (i16x8.add (local.get $s7) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=112 align=1 (local.get $a))
                (v128.load offset=112 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $taps)))
        (local.set $w (v128.const i16x8 16320 16320 16320 16320 16320 16320 16320 16320))
        (local.set $a (i32.add (local.get $out) (local.get $x)))
        (v128.store align=1 (local.get $a) (i16x8.min_s (local.get $s0) (local.get $w)))
        (v128.store offset=16 align=1 (local.get $a) (i16x8.min_s (local.get $s1) (local.get $w)))
        (v128.store offset=32 align=1 (local.get $a) (i16x8.min_s (local.get $s2) (local.get $w)))
        (v128.store offset=48 align=1 (local.get $a) (i16x8.min_s (local.get $s3) (local.get $w)))
        (v128.store offset=64 align=1 (local.get $a) (i16x8.min_s (local.get $s4) (local.get $w)))
        (v128.store offset=80 align=1 (local.get $a) (i16x8.min_s (local.get $s5) (local.get $w)))
        (v128.store offset=96 align=1 (local.get $a) (i16x8.min_s (local.get $s6) (local.get $w)))
        (v128.store offset=112 align=1 (local.get $a) (i16x8.min_s (local.get $s7) (local.get $w)))
        (local.set $x (i32.add (local.get $x) (i32.const 128)))
        (br $chunks))))

  ;; The row pass of `gaussian`: 64 samples at a time from the padded row at `$in` to bytes.
  (func $gauss_row (param $in i32) (param $out i32) (param $n i32) (param $ch i32) (param $R i32)
    (param $weights i32)
    (local $end i32) (local $a i32) (local $b i32) (local $w v128) (local $step i32)
    (local $round v128) (local $wp i32) (local $wend i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128)
    (local.set $round (v128.const i16x8 32 32 32 32 32 32 32 32))
    (local.set $step (i32.shl (local.get $ch) (i32.const 1)))
    (local.set $end (i32.add (local.get $out) (local.get $n)))
    (local.set $wend (i32.add (local.get $weights) (i32.shl (local.get $R) (i32.const 4))))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $w (v128.load (local.get $weights)))
        (local.set $s0 (i16x8.relaxed_q15mulr_s (v128.load align=1 (local.get $in))
          (local.get $w)))
        (local.set $s1 (i16x8.relaxed_q15mulr_s (v128.load offset=16 align=1 (local.get $in))
          (local.get $w)))
        (local.set $s2 (i16x8.relaxed_q15mulr_s (v128.load offset=32 align=1 (local.get $in))
          (local.get $w)))
        (local.set $s3 (i16x8.relaxed_q15mulr_s (v128.load offset=48 align=1 (local.get $in))
          (local.get $w)))
        (local.set $s4 (i16x8.relaxed_q15mulr_s (v128.load offset=64 align=1 (local.get $in))
          (local.get $w)))
        (local.set $s5 (i16x8.relaxed_q15mulr_s (v128.load offset=80 align=1 (local.get $in))
          (local.get $w)))
        (local.set $s6 (i16x8.relaxed_q15mulr_s (v128.load offset=96 align=1 (local.get $in))
          (local.get $w)))
        (local.set $s7 (i16x8.relaxed_q15mulr_s (v128.load offset=112 align=1 (local.get $in))
          (local.get $w)))
        (local.set $a (local.get $in))
        (local.set $b (local.get $in))
        (local.set $wp (local.get $weights))
        (block $taps_done
          (loop $taps
            (br_if $taps_done (i32.ge_u (local.get $wp) (local.get $wend)))
            (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
            (local.set $w (v128.load (local.get $wp)))
            (local.set $a (i32.sub (local.get $a) (local.get $step)))
            (local.set $b (i32.add (local.get $b) (local.get $step)))
            (local.set $s0 (i16x8.add (local.get $s0) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load align=1 (local.get $a))
                (v128.load align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s1 (i16x8.add (local.get $s1) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=16 align=1 (local.get $a))
                (v128.load offset=16 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s2 (i16x8.add (local.get $s2) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=32 align=1 (local.get $a))
                (v128.load offset=32 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s3 (i16x8.add (local.get $s3) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=48 align=1 (local.get $a))
                (v128.load offset=48 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s4 (i16x8.add (local.get $s4) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=64 align=1 (local.get $a))
                (v128.load offset=64 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s5 (i16x8.add (local.get $s5) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=80 align=1 (local.get $a))
                (v128.load offset=80 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s6 (i16x8.add (local.get $s6) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=96 align=1 (local.get $a))
                (v128.load offset=96 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s7 (i16x8.add (local.get $s7) (i16x8.relaxed_q15mulr_s
              (i16x8.add (v128.load offset=112 align=1 (local.get $a))
                (v128.load offset=112 align=1 (local.get $b)))
              (local.get $w))))
            (br $taps)))
        (v128.store align=1 (local.get $out) (i8x16.narrow_i16x8_u
          (i16x8.shr_s (i16x8.add (local.get $s0) (local.get $round)) (i32.const 6))
          (i16x8.shr_s (i16x8.add (local.get $s1) (local.get $round)) (i32.const 6))))
        (v128.store offset=16 align=1 (local.get $out) (i8x16.narrow_i16x8_u
          (i16x8.shr_s (i16x8.add (local.get $s2) (local.get $round)) (i32.const 6))
          (i16x8.shr_s (i16x8.add (local.get $s3) (local.get $round)) (i32.const 6))))
        (v128.store offset=32 align=1 (local.get $out) (i8x16.narrow_i16x8_u
          (i16x8.shr_s (i16x8.add (local.get $s4) (local.get $round)) (i32.const 6))
          (i16x8.shr_s (i16x8.add (local.get $s5) (local.get $round)) (i32.const 6))))
        (v128.store offset=48 align=1 (local.get $out) (i8x16.narrow_i16x8_u
          (i16x8.shr_s (i16x8.add (local.get $s6) (local.get $round)) (i32.const 6))
          (i16x8.shr_s (i16x8.add (local.get $s7) (local.get $round)) (i32.const 6))))
        (local.set $in (i32.add (local.get $in) (i32.const 128)))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (br $chunks))))

  ;; The column pass of `gaussian_f32` for one row, 32 samples at a time.
  (func $gauss_columns_f32 (param $table i32) (param $R i32) (param $weights i32) (param $out i32)
    (param $n i32)
    (local $x i32) (local $end i32) (local $k i32) (local $a i32) (local $b i32) (local $w v128)
    (local $c i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $c (i32.load (i32.add (local.get $table) (i32.shl (local.get $R) (i32.const 2)))))
    (local.set $x (i32.const 0))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $w (v128.load (local.get $weights)))
        (local.set $a (i32.add (local.get $c) (local.get $x)))
        (local.set $s0 (f32x4.mul (v128.load align=1 (local.get $a)) (local.get $w)))
        (local.set $s1 (f32x4.mul (v128.load offset=16 align=1 (local.get $a)) (local.get $w)))
        (local.set $s2 (f32x4.mul (v128.load offset=32 align=1 (local.get $a)) (local.get $w)))
        (local.set $s3 (f32x4.mul (v128.load offset=48 align=1 (local.get $a)) (local.get $w)))
        (local.set $s4 (f32x4.mul (v128.load offset=64 align=1 (local.get $a)) (local.get $w)))
        (local.set $s5 (f32x4.mul (v128.load offset=80 align=1 (local.get $a)) (local.get $w)))
        (local.set $s6 (f32x4.mul (v128.load offset=96 align=1 (local.get $a)) (local.get $w)))
        (local.set $s7 (f32x4.mul (v128.load offset=112 align=1 (local.get $a)) (local.get $w)))
        (local.set $k (i32.const 1))
        (block $taps_done
          (loop $taps
            (br_if $taps_done (i32.gt_s (local.get $k) (local.get $R)))
            (local.set $w (v128.load (i32.add (local.get $weights)
              (i32.shl (local.get $k) (i32.const 4)))))
            (local.set $a (i32.add (local.get $x) (i32.load (i32.add (local.get $table)
              (i32.shl (i32.sub (local.get $R) (local.get $k)) (i32.const 2))))))
            (local.set $b (i32.add (local.get $x) (i32.load (i32.add (local.get $table)
              (i32.shl (i32.add (local.get $R) (local.get $k)) (i32.const 2))))))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul
              (f32x4.add (v128.load align=1 (local.get $a))
                (v128.load align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul
              (f32x4.add (v128.load offset=16 align=1 (local.get $a))
                (v128.load offset=16 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul
              (f32x4.add (v128.load offset=32 align=1 (local.get $a))
                (v128.load offset=32 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul
              (f32x4.add (v128.load offset=48 align=1 (local.get $a))
                (v128.load offset=48 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s4 (f32x4.add (local.get $s4) (f32x4.mul
              (f32x4.add (v128.load offset=64 align=1 (local.get $a))
                (v128.load offset=64 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s5 (f32x4.add (local.get $s5) (f32x4.mul
              (f32x4.add (v128.load offset=80 align=1 (local.get $a))
                (v128.load offset=80 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s6 (f32x4.add (local.get $s6) (f32x4.mul
              (f32x4.add (v128.load offset=96 align=1 (local.get $a))
                (v128.load offset=96 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s7 (f32x4.add (local.get $s7) (f32x4.mul
              (f32x4.add (v128.load offset=112 align=1 (local.get $a))
                (v128.load offset=112 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $taps)))
        (local.set $a (i32.add (local.get $out) (local.get $x)))
        (v128.store align=1 (local.get $a) (local.get $s0))
        (v128.store offset=16 align=1 (local.get $a) (local.get $s1))
        (v128.store offset=32 align=1 (local.get $a) (local.get $s2))
        (v128.store offset=48 align=1 (local.get $a) (local.get $s3))
        (v128.store offset=64 align=1 (local.get $a) (local.get $s4))
        (v128.store offset=80 align=1 (local.get $a) (local.get $s5))
        (v128.store offset=96 align=1 (local.get $a) (local.get $s6))
        (v128.store offset=112 align=1 (local.get $a) (local.get $s7))
        (local.set $x (i32.add (local.get $x) (i32.const 128)))
        (br $chunks))))

  ;; The row pass of `gaussian_f32`: 32 samples at a time from the padded row at `$in` to
  ;; bytes, rounded to nearest (ties to even) and clamped.
  (func $gauss_row_f32 (param $in i32) (param $out i32) (param $n i32) (param $ch i32)
    (param $R i32) (param $weights i32)
    (local $end i32) (local $a i32) (local $b i32) (local $w v128) (local $step i32)
    (local $wp i32) (local $wend i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128)
    (local.set $step (i32.shl (local.get $ch) (i32.const 2)))
    (local.set $end (i32.add (local.get $out) (local.get $n)))
    (local.set $wend (i32.add (local.get $weights) (i32.shl (local.get $R) (i32.const 4))))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $w (v128.load (local.get $weights)))
        (local.set $s0 (f32x4.mul (v128.load align=1 (local.get $in)) (local.get $w)))
        (local.set $s1 (f32x4.mul (v128.load offset=16 align=1 (local.get $in)) (local.get $w)))
        (local.set $s2 (f32x4.mul (v128.load offset=32 align=1 (local.get $in)) (local.get $w)))
        (local.set $s3 (f32x4.mul (v128.load offset=48 align=1 (local.get $in)) (local.get $w)))
        (local.set $s4 (f32x4.mul (v128.load offset=64 align=1 (local.get $in)) (local.get $w)))
        (local.set $s5 (f32x4.mul (v128.load offset=80 align=1 (local.get $in)) (local.get $w)))
        (local.set $s6 (f32x4.mul (v128.load offset=96 align=1 (local.get $in)) (local.get $w)))
        (local.set $s7 (f32x4.mul (v128.load offset=112 align=1 (local.get $in)) (local.get $w)))
        (local.set $a (local.get $in))
        (local.set $b (local.get $in))
        (local.set $wp (local.get $weights))
        (block $taps_done
          (loop $taps
            (br_if $taps_done (i32.ge_u (local.get $wp) (local.get $wend)))
            (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
            (local.set $w (v128.load (local.get $wp)))
            (local.set $a (i32.sub (local.get $a) (local.get $step)))
            (local.set $b (i32.add (local.get $b) (local.get $step)))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul
              (f32x4.add (v128.load align=1 (local.get $a))
                (v128.load align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul
              (f32x4.add (v128.load offset=16 align=1 (local.get $a))
                (v128.load offset=16 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul
              (f32x4.add (v128.load offset=32 align=1 (local.get $a))
                (v128.load offset=32 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul
              (f32x4.add (v128.load offset=48 align=1 (local.get $a))
                (v128.load offset=48 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s4 (f32x4.add (local.get $s4) (f32x4.mul
              (f32x4.add (v128.load offset=64 align=1 (local.get $a))
                (v128.load offset=64 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s5 (f32x4.add (local.get $s5) (f32x4.mul
              (f32x4.add (v128.load offset=80 align=1 (local.get $a))
                (v128.load offset=80 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s6 (f32x4.add (local.get $s6) (f32x4.mul
              (f32x4.add (v128.load offset=96 align=1 (local.get $a))
                (v128.load offset=96 align=1 (local.get $b)))
              (local.get $w))))
            (local.set $s7 (f32x4.add (local.get $s7) (f32x4.mul
              (f32x4.add (v128.load offset=112 align=1 (local.get $a))
                (v128.load offset=112 align=1 (local.get $b)))
              (local.get $w))))
            (br $taps)))
        (v128.store align=1 (local.get $out) (i8x16.narrow_i16x8_u
          (i16x8.narrow_i32x4_s
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $s0)))
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $s1))))
          (i16x8.narrow_i32x4_s
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $s2)))
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $s3))))))
        (v128.store offset=16 align=1 (local.get $out) (i8x16.narrow_i16x8_u
          (i16x8.narrow_i32x4_s
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $s4)))
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $s5))))
          (i16x8.narrow_i32x4_s
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $s6)))
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $s7))))))
        (local.set $in (i32.add (local.get $in) (i32.const 128)))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (br $chunks)))))
