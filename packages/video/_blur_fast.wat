;; Fast approximate Gaussian blur of blurFrame (`method: "fast"`): three box blurs in a row each
;; way, in 16-bit fixed point, 128-bit SIMD over one plane of 8-bit samples.
;;
;; Source of packages/video/_blur_fast_wasm.ts; rebuild that with `deno task build:wasm`, which
;; also compiles a twin with i16x8.q15mulr_sat_s for i16x8.relaxed_q15mulr_s (same results: no
;; factor here is −32768).
;;
;; Samples are widened to x·2^s (s chosen by the caller so that a box's sum of 2r + 1 of them
;; stays below 2^15), and each box pass replaces a sample with q(S, m), S the sum of the 2r + 1
;; samples around it and m = round(2^15 / (2r + 1)), q(a, b) = (a·b + 2^14) >> 15: exactly what
;; `_blur_fast.ts`'s TypeScript code computes. A row (`hrow`) goes through its three horizontal
;; passes at once; the caller runs the three vertical passes row by row (`vstep`, `vlast`) with
;; running column sums over rings of rows. Edges are clamped as the exact Gaussian clamps them:
;; the input is extended by r0 + r1 + r2 copies of its edge pixels, each pass computes what
;; the next reads of the extension, and the last the picture itself. Loops run over whole
;; vectors of samples and may read and write up to a vector (16 samples for `vlast`) past a
;; row's end; the caller leaves room for that.
(module
  (memory (export "memory") 1)

  ;; One row: widens `$n` bytes of `$src` (`$ch` channels a pixel) to x·2^s at `$a`, then box
  ;; passes of radii r0, r1, r2 (each ≥ 1; m0, m1, m2 their factors) `$a` → `$b` → `$a` → `$out`.
  ;; `$a` and `$b` are where sample 0 lies in buffers with room for r0 + r1 + r2 pixels before,
  ;; and as many plus a vector after.
  (func (export "hrow")
    (param $src i32) (param $n i32) (param $ch i32) (param $s i32)
    (param $r0 i32) (param $r1 i32) (param $r2 i32) (param $m0 i32) (param $m1 i32)
    (param $m2 i32) (param $a i32) (param $b i32) (param $out i32)
    (local $p i32) (local $q i32) (local $end i32) (local $v v128) (local $px i32)
    (local $e1 i32)
    (local.set $p (local.get $src))
    (local.set $q (local.get $a))
    (local.set $end (i32.add (local.get $src) (local.get $n)))
    (block $done
      (loop $widen
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load align=1 (local.get $p)))
        (v128.store align=1 (local.get $q)
          (i16x8.shl (i16x8.extend_low_i8x16_u (local.get $v)) (local.get $s)))
        (v128.store offset=16 align=1 (local.get $q)
          (i16x8.shl (i16x8.extend_high_i8x16_u (local.get $v)) (local.get $s)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (br $widen)))
    ;; Pad with r0 + r1 + r2 copies of the end pixels, then each pass computes the samples the
    ;; next one reads: r1 + r2 pixels beyond the row's ends, then r2, then none.
    (local.set $px (i32.shl (local.get $ch) (i32.const 1)))
    (local.set $e1 (i32.add (local.get $r1) (local.get $r2)))
    (call $pad (local.get $a) (i32.shl (local.get $n) (i32.const 1)) (local.get $px)
      (i32.add (local.get $r0) (local.get $e1)))
    (call $box
      (i32.sub (local.get $a) (i32.mul (local.get $e1) (local.get $px)))
      (i32.sub (local.get $b) (i32.mul (local.get $e1) (local.get $px)))
      (i32.add (local.get $n) (i32.shl (i32.mul (local.get $e1) (local.get $ch)) (i32.const 1)))
      (local.get $ch) (local.get $r0) (local.get $m0))
    (call $box
      (i32.sub (local.get $b) (i32.mul (local.get $r2) (local.get $px)))
      (i32.sub (local.get $a) (i32.mul (local.get $r2) (local.get $px)))
      (i32.add (local.get $n) (i32.shl (i32.mul (local.get $r2) (local.get $ch)) (i32.const 1)))
      (local.get $ch) (local.get $r1) (local.get $m1))
    (call $box (local.get $a) (local.get $out) (local.get $n) (local.get $ch) (local.get $r2)
      (local.get $m2)))

  ;; One horizontal box pass of radius `$r` over `$n` 16-bit samples from `$in` into `$out`,
  ;; reading `$r` pixels beyond both ends: keeps the window sums of a vector of eight samples,
  ;; sliding them eight samples (8/ch pixels) at a time.
  (func $box (param $in i32) (param $out i32) (param $n i32) (param $ch i32) (param $r i32)
    (param $m i32)
    (local $px i32) (local $p i32) (local $end i32) (local $sum v128)
    (local $mv v128) (local $add i32) (local $sub i32) (local $t i32)
    (local.set $px (i32.shl (local.get $ch) (i32.const 1)))
    (local.set $mv (i16x8.splat (local.get $m)))
    ;; The sums of the first eight samples' windows.
    (local.set $sum (v128.const i32x4 0 0 0 0))
    (local.set $p (i32.sub (local.get $in) (i32.mul (local.get $r) (local.get $px))))
    (local.set $end (i32.add (local.get $in) (i32.mul (local.get $r) (local.get $px))))
    (block $init_done
      (loop $init
        (br_if $init_done (i32.gt_u (local.get $p) (local.get $end)))
        (local.set $sum (i16x8.add (local.get $sum) (v128.load align=1 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (local.get $px)))
        (br $init)))
    ;; Each step adds the 8/ch pixels entering the windows and takes off those leaving.
    (local.set $add (i32.add (local.get $in)
      (i32.mul (i32.add (local.get $r) (i32.const 1)) (local.get $px))))
    (local.set $sub (i32.sub (local.get $in) (i32.mul (local.get $r) (local.get $px))))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 1))))
    (if (i32.eq (local.get $ch) (i32.const 4))
      (then
        ;; Two pixels a step: add the two entering, take off the two leaving.
        (block $done4
          (loop $next4
            (br_if $done4 (i32.ge_u (local.get $out) (local.get $end)))
            (v128.store align=1 (local.get $out)
              (i16x8.relaxed_q15mulr_s (local.get $sum) (local.get $mv)))
            (local.set $sum (i16x8.add (local.get $sum) (i16x8.sub
              (i16x8.add (v128.load align=1 (local.get $add))
                (v128.load offset=8 align=1 (local.get $add)))
              (i16x8.add (v128.load align=1 (local.get $sub))
                (v128.load offset=8 align=1 (local.get $sub))))))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $add (i32.add (local.get $add) (i32.const 16)))
            (local.set $sub (i32.add (local.get $sub) (i32.const 16)))
            (br $next4)))
        (return)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (v128.store align=1 (local.get $out)
          (i16x8.relaxed_q15mulr_s (local.get $sum) (local.get $mv)))
        (local.set $t (i32.const 0))
        (loop $pixels
          (local.set $sum (i16x8.add (local.get $sum) (i16x8.sub
            (v128.load align=1 (i32.add (local.get $add) (local.get $t)))
            (v128.load align=1 (i32.add (local.get $sub) (local.get $t))))))
          (local.set $t (i32.add (local.get $t) (local.get $px)))
          (br_if $pixels (i32.lt_u (local.get $t) (i32.const 16))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $add (i32.add (local.get $add) (i32.const 16)))
        (local.set $sub (i32.add (local.get $sub) (i32.const 16)))
        (br $next))))

  ;; Fills the `$r` pixels of `$px` bytes before `$first` and the `$r` after its `$bytes` bytes
  ;; with copies of the first and last pixel.
  (func $pad (param $first i32) (param $bytes i32) (param $px i32) (param $r i32)
    (local $p i32) (local $end i32) (local $last i32)
    (local.set $p (i32.sub (local.get $first) (i32.mul (local.get $r) (local.get $px))))
    (block $left_done
      (loop $left
        (br_if $left_done (i32.ge_u (local.get $p) (local.get $first)))
        (memory.copy (local.get $p) (local.get $first) (local.get $px))
        (local.set $p (i32.add (local.get $p) (local.get $px)))
        (br $left)))
    (local.set $p (i32.add (local.get $first) (local.get $bytes)))
    (local.set $last (i32.sub (local.get $p) (local.get $px)))
    (local.set $end (i32.add (local.get $p) (i32.mul (local.get $r) (local.get $px))))
    (block $right_done
      (loop $right
        (br_if $right_done (i32.ge_u (local.get $p) (local.get $end)))
        (memory.copy (local.get $p) (local.get $last) (local.get $px))
        (local.set $p (i32.add (local.get $p) (local.get $px)))
        (br $right))))

  ;; sum = (`$keep` ? sum : 0) + k·row, for `$n` 16-bit samples (eight at a time).
  (func (export "vinit") (param $sum i32) (param $row i32) (param $n i32) (param $k i32)
    (param $keep i32)
    (local $end i32) (local $kv v128) (local $s v128)
    (local.set $kv (i16x8.splat (local.get $k)))
    (local.set $end (i32.add (local.get $sum) (i32.shl (local.get $n) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $sum) (local.get $end)))
        (local.set $s (i16x8.mul (v128.load align=1 (local.get $row)) (local.get $kv)))
        (if (local.get $keep)
          (then (local.set $s (i16x8.add (local.get $s) (v128.load align=1 (local.get $sum))))))
        (v128.store align=1 (local.get $sum) (local.get $s))
        (local.set $sum (i32.add (local.get $sum) (i32.const 16)))
        (local.set $row (i32.add (local.get $row) (i32.const 16)))
        (br $next))))

  ;; One vertical box step over `$n` 16-bit samples: sum += add − sub, out = q(sum, m).
  (func (export "vstep") (param $sum i32) (param $add i32) (param $sub i32) (param $out i32)
    (param $n i32) (param $m i32)
    (local $end i32) (local $mv v128) (local $s v128)
    (local.set $mv (i16x8.splat (local.get $m)))
    (local.set $end (i32.add (local.get $sum) (i32.shl (local.get $n) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $sum) (local.get $end)))
        (local.set $s (i16x8.add (v128.load align=1 (local.get $sum))
          (i16x8.sub (v128.load align=1 (local.get $add)) (v128.load align=1 (local.get $sub)))))
        (v128.store align=1 (local.get $sum) (local.get $s))
        (v128.store align=1 (local.get $out)
          (i16x8.relaxed_q15mulr_s (local.get $s) (local.get $mv)))
        (local.set $sum (i32.add (local.get $sum) (i32.const 16)))
        (local.set $add (i32.add (local.get $add) (i32.const 16)))
        (local.set $sub (i32.add (local.get $sub) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next))))

  ;; The last vertical step: as `vstep`, but the results (q(sum, m) + 2^(s−1)) >> s go out as
  ;; bytes, sixteen at a time.
  (func (export "vlast") (param $sum i32) (param $add i32) (param $sub i32) (param $out i32)
    (param $n i32) (param $m i32) (param $s i32)
    (local $end i32) (local $mv v128) (local $half v128) (local $lo v128) (local $hi v128)
    (local.set $mv (i16x8.splat (local.get $m)))
    (local.set $half (i16x8.splat (i32.shr_u (i32.shl (i32.const 1) (local.get $s))
      (i32.const 1))))
    (local.set $end (i32.add (local.get $sum) (i32.shl (local.get $n) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $sum) (local.get $end)))
        (local.set $lo (i16x8.add (v128.load align=1 (local.get $sum))
          (i16x8.sub (v128.load align=1 (local.get $add)) (v128.load align=1 (local.get $sub)))))
        (local.set $hi (i16x8.add (v128.load offset=16 align=1 (local.get $sum))
          (i16x8.sub (v128.load offset=16 align=1 (local.get $add))
            (v128.load offset=16 align=1 (local.get $sub)))))
        (v128.store align=1 (local.get $sum) (local.get $lo))
        (v128.store offset=16 align=1 (local.get $sum) (local.get $hi))
        (v128.store align=1 (local.get $out) (i8x16.narrow_i16x8_u
          (i16x8.shr_s (i16x8.add (i16x8.relaxed_q15mulr_s (local.get $lo) (local.get $mv))
            (local.get $half)) (local.get $s))
          (i16x8.shr_s (i16x8.add (i16x8.relaxed_q15mulr_s (local.get $hi) (local.get $mv))
            (local.get $half)) (local.get $s))))
        (local.set $sum (i32.add (local.get $sum) (i32.const 32)))
        (local.set $add (i32.add (local.get $add) (i32.const 32)))
        (local.set $sub (i32.add (local.get $sub) (i32.const 32)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next)))))
