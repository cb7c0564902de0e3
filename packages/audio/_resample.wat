;; The resampler's polyphase filter loop: 128-bit SIMD dot products in 32-bit floats.
;;
;; Source of packages/audio/_resample_wasm.ts; rebuild that with `deno task build:wasm`, which
;; also compiles a twin with f32x4.add of f32x4.mul for each f32x4.relaxed_madd, for runtimes
;; without relaxed SIMD (a fused multiply-add where the runtime has one, else the two).
;;
;; Output sample k of each channel is Σ_m history[start_k + m] · row(phase_k)[m] over the
;; row's taps, where rows lie `$rowStride` bytes apart in `$table`, padded with zeros to a
;; multiple of 8 taps (`$taps8`). With two channels, products are summed in four four-lane
;; accumulators a channel, one for each quarter of every group of sixteen taps (the last eight
;; of an odd number of eights go to the first two), then (a0 + a2) + (a1 + a3), then across
;; lanes as (s0 + s2) + (s1 + s3); a lone channel sums in two, one for each half of every
;; eight. Histories lie `$histStride` bytes apart from `$hist`; each is followed by at
;; least 8 zeros.
(module
  (memory (export "memory") 1)

  ;; Computes `$count` output samples of each of `$channels` channels into `$out` (channel c at
  ;; out + c·outStride), from input sample `$start` at `$phase` (of `$L`), each output
  ;; stepping `$stepWhole` samples and `$stepPhase` phases on.
  (func (export "resample")
    (param $hist i32) (param $histStride i32) (param $channels i32)
    (param $table i32) (param $rowStride i32) (param $taps8 i32) (param $L i32)
    (param $start i32) (param $phase i32) (param $stepWhole i32) (param $stepPhase i32)
    (param $count i32) (param $out i32) (param $outStride i32)
    (local $k i32) (local $c i32) (local $row i32) (local $p i32) (local $q i32) (local $m i32)
    (local $end i32) (local $end16 i32) (local $o i32) (local $s v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local.set $end (i32.shl (local.get $taps8) (i32.const 2)))
    (local.set $end16 (i32.and (local.get $end) (i32.const -64)))
    (local.set $k (i32.const 0))
    (block $done
      (loop $outputs
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $row (i32.add (local.get $table) (i32.mul (local.get $phase) (local.get $rowStride))))
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))))
        (local.set $c (i32.const 0))
        ;; Two channels at a time, sharing the row's loads.
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.gt_u (i32.add (local.get $c) (i32.const 2)) (local.get $channels)))
            (local.set $p (i32.add (i32.add (local.get $hist)
              (i32.mul (local.get $c) (local.get $histStride)))
              (i32.shl (local.get $start) (i32.const 2))))
            (local.set $q (i32.add (local.get $p) (local.get $histStride)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $b0 (v128.const i32x4 0 0 0 0))
            (local.set $b1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $b2 (v128.const i32x4 0 0 0 0))
            (local.set $b3 (v128.const i32x4 0 0 0 0))
            (local.set $m (i32.const 0))
            ;; Sixteen taps at a time into four accumulators a channel (independent chains of
            ;; multiply-adds), then the last eight of an odd number of eights.
            (block $sixteens_done
              (loop $sixteens
                (br_if $sixteens_done (i32.ge_u (local.get $m) (local.get $end16)))
                (local.set $r0 (v128.load (i32.add (local.get $row) (local.get $m))))
                (local.set $r1 (v128.load offset=16 (i32.add (local.get $row) (local.get $m))))
                (local.set $r2 (v128.load offset=32 (i32.add (local.get $row) (local.get $m))))
                (local.set $r3 (v128.load offset=48 (i32.add (local.get $row) (local.get $m))))
                (local.set $a0 (f32x4.relaxed_madd
                  (v128.load align=4 (i32.add (local.get $p) (local.get $m))) (local.get $r0)
                  (local.get $a0)))
                (local.set $b0 (f32x4.relaxed_madd
                  (v128.load align=4 (i32.add (local.get $q) (local.get $m))) (local.get $r0)
                  (local.get $b0)))
                (local.set $a1 (f32x4.relaxed_madd
                  (v128.load offset=16 align=4 (i32.add (local.get $p) (local.get $m)))
                  (local.get $r1) (local.get $a1)))
                (local.set $b1 (f32x4.relaxed_madd
                  (v128.load offset=16 align=4 (i32.add (local.get $q) (local.get $m)))
                  (local.get $r1) (local.get $b1)))
                (local.set $a2 (f32x4.relaxed_madd
                  (v128.load offset=32 align=4 (i32.add (local.get $p) (local.get $m)))
                  (local.get $r2) (local.get $a2)))
                (local.set $b2 (f32x4.relaxed_madd
                  (v128.load offset=32 align=4 (i32.add (local.get $q) (local.get $m)))
                  (local.get $r2) (local.get $b2)))
                (local.set $a3 (f32x4.relaxed_madd
                  (v128.load offset=48 align=4 (i32.add (local.get $p) (local.get $m)))
                  (local.get $r3) (local.get $a3)))
                (local.set $b3 (f32x4.relaxed_madd
                  (v128.load offset=48 align=4 (i32.add (local.get $q) (local.get $m)))
                  (local.get $r3) (local.get $b3)))
                (local.set $m (i32.add (local.get $m) (i32.const 64)))
                (br $sixteens)))
            (if (i32.lt_u (local.get $m) (local.get $end))
              (then
                (local.set $r0 (v128.load (i32.add (local.get $row) (local.get $m))))
                (local.set $r1 (v128.load offset=16 (i32.add (local.get $row) (local.get $m))))
                (local.set $a0 (f32x4.relaxed_madd
                  (v128.load align=4 (i32.add (local.get $p) (local.get $m))) (local.get $r0)
                  (local.get $a0)))
                (local.set $a1 (f32x4.relaxed_madd
                  (v128.load offset=16 align=4 (i32.add (local.get $p) (local.get $m)))
                  (local.get $r1) (local.get $a1)))
                (local.set $b0 (f32x4.relaxed_madd
                  (v128.load align=4 (i32.add (local.get $q) (local.get $m))) (local.get $r0)
                  (local.get $b0)))
                (local.set $b1 (f32x4.relaxed_madd
                  (v128.load offset=16 align=4 (i32.add (local.get $q) (local.get $m)))
                  (local.get $r1) (local.get $b1)))))
            (local.set $a0 (f32x4.add (local.get $a0) (local.get $a2)))
            (local.set $a1 (f32x4.add (local.get $a1) (local.get $a3)))
            (local.set $b0 (f32x4.add (local.get $b0) (local.get $b2)))
            (local.set $b1 (f32x4.add (local.get $b1) (local.get $b3)))
            (local.set $s (f32x4.add (local.get $a0) (local.get $a1)))
            (local.set $s (f32x4.add (local.get $s)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))))
            (f32.store (i32.add (local.get $o) (i32.mul (local.get $c) (local.get $outStride)))
              (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s))))
            (local.set $s (f32x4.add (local.get $b0) (local.get $b1)))
            (local.set $s (f32x4.add (local.get $s)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))))
            (f32.store (i32.add (local.get $o)
              (i32.mul (i32.add (local.get $c) (i32.const 1)) (local.get $outStride)))
              (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s))))
            (local.set $c (i32.add (local.get $c) (i32.const 2)))
            (br $pairs)))
        ;; The last channel of an odd count.
        (if (i32.lt_u (local.get $c) (local.get $channels))
          (then
            (local.set $p (i32.add (i32.add (local.get $hist)
              (i32.mul (local.get $c) (local.get $histStride)))
              (i32.shl (local.get $start) (i32.const 2))))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $m (i32.const 0))
            (loop $taps
              (local.set $r0 (v128.load (i32.add (local.get $row) (local.get $m))))
              (local.set $r1 (v128.load offset=16 (i32.add (local.get $row) (local.get $m))))
              (local.set $a0 (f32x4.relaxed_madd
                (v128.load align=4 (i32.add (local.get $p) (local.get $m))) (local.get $r0)
                (local.get $a0)))
              (local.set $a1 (f32x4.relaxed_madd
                (v128.load offset=16 align=4 (i32.add (local.get $p) (local.get $m))) (local.get $r1)
                (local.get $a1)))
              (local.set $m (i32.add (local.get $m) (i32.const 32)))
              (br_if $taps (i32.lt_u (local.get $m) (local.get $end))))
            (local.set $s (f32x4.add (local.get $a0) (local.get $a1)))
            (local.set $s (f32x4.add (local.get $s)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))))
            (f32.store (i32.add (local.get $o) (i32.mul (local.get $c) (local.get $outStride)))
              (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s))))))
        (local.set $start (i32.add (local.get $start) (local.get $stepWhole)))
        (local.set $phase (i32.add (local.get $phase) (local.get $stepPhase)))
        (if (i32.ge_u (local.get $phase) (local.get $L))
          (then
            (local.set $phase (i32.sub (local.get $phase) (local.get $L)))
            (local.set $start (i32.add (local.get $start) (i32.const 1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $outputs)))))
