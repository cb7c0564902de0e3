;; Blend kernels of the compositor: 128-bit SIMD over rows of 8-bit RGBA/BGRA pixels.
;;
;; Source of packages/video/_blend_wasm.ts; rebuild that with
;;   deno run -A packages/video/_build_wasm.ts
;; which compiles this text twice: as written (relaxed SIMD's i16x8.relaxed_q15mulr_s) and with
;; i16x8.q15mulr_sat_s instead, for runtimes without relaxed SIMD. The two give the same bytes:
;; they differ only for -32768 × -32768, which never occurs here.
;;
;; Pixels are straight (not premultiplied) alpha, 4 bytes each, alpha in byte 3. Offsets and
;; strides are in bytes, widths in pixels; any width and any start offset work (the last 0–3
;; pixels of a row go one at a time).
;;
;; A layer pixel's weight is α = srcA / 255 × opacity. `over` and `over_general` take the
;; opacity as a Q15 number, round(opacity × 32767).
;;   over          (opaque destination): out = dst + (src − dst) × α, rounded, for each colour
;;                 channel; alpha stays 255. Fixed point: α in Q15 is
;;                 q15(srcA × 128.5, opacity), then dst + q15(src − dst, α), where
;;                 q15(x, y) = (x × y + 16384) >> 15 (one pmulhrsw on x86).
;;   over_general  (any destination): Porter-Duff "over" of straight colours, in f32:
;;                 outα = α + dstα × (1 − α),
;;                 out  = (src × α + dst × dstα × (1 − α)) / outα   (all 0 when outα is 0),
;;                 outA = round(255 × outα); where four destination pixels in a row are
;;                 opaque this is `over`'s formula, which `over` computes faster.
;; Both skip source pixels that are all transparent, and copy ones that are all opaque when the
;; opacity is 1, several at a time: what the formulas give, sooner. `over` also blends sixteen
;; opaque pixels with one weight, α = q15(32767, opacity), what each of them would get.
;;   under         puts an opaque colour under pixels in place: what `over` gives for those
;;                 pixels onto that colour.
;;   fill          writes one 32-bit pixel value over a rectangle.
;;   swap_rb       exchanges bytes 0 and 2 of every pixel of a rectangle (RGBA ↔ BGRA).
(module
  (memory (export "memory") 1)

  ;; Blends a `$w` × `$h` block of source pixels onto an opaque destination. Sixteen pixels at
  ;; a time: when all are opaque, copied at opacity 1, else blended with the weight of an opaque
  ;; pixel ($aop: no alpha to spread, and the source alpha is already 255); skipped when all are
  ;; transparent; else blended four at a time by $lerp.
  (func (export "over")
    (param $src i32) (param $srcStride i32) (param $dst i32) (param $dstStride i32)
    (param $w i32) (param $h i32) (param $opacity i32)
    (local $p i32) (local $q i32) (local $end16 i32) (local $end4 i32) (local $end i32)
    (local $full i32) (local $k i32) (local $op v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $s v128) (local $d v128) (local $a v128) (local $de v128) (local $do v128)
    (local $aop v128)  ;; α of an opaque source pixel: 255 × 128.5 → 32767, times the opacity
    (local.set $op (i16x8.splat (local.get $opacity)))
    (local.set $aop (i16x8.relaxed_q15mulr_s (i16x8.splat (i32.const 32767)) (local.get $op)))
    (local.set $full (i32.ge_u (local.get $opacity) (i32.const 32767)))
    (block $done
      (loop $rows
        (br_if $done (i32.le_s (local.get $h) (i32.const 0)))
        (local.set $p (local.get $src))
        (local.set $q (local.get $dst))
        (local.set $end16 (i32.add (local.get $src)
          (i32.shl (i32.and (local.get $w) (i32.const -16)) (i32.const 2))))
        (local.set $end4 (i32.add (local.get $src)
          (i32.shl (i32.and (local.get $w) (i32.const -4)) (i32.const 2))))
        (local.set $end (i32.add (local.get $src) (i32.shl (local.get $w) (i32.const 2))))
        (block $sixteens_done
          (loop $sixteens
            (br_if $sixteens_done (i32.ge_u (local.get $p) (local.get $end16)))
            (block $next
              (local.set $s0 (v128.load align=1 (local.get $p)))
              (local.set $s1 (v128.load offset=16 align=1 (local.get $p)))
              (local.set $s2 (v128.load offset=32 align=1 (local.get $p)))
              (local.set $s3 (v128.load offset=48 align=1 (local.get $p)))
              (if (call $opaque (v128.and
                  (v128.and (local.get $s0) (local.get $s1))
                  (v128.and (local.get $s2) (local.get $s3))))
                (then
                  (if (local.get $full)
                    (then
                      (v128.store align=1 (local.get $q) (local.get $s0))
                      (v128.store offset=16 align=1 (local.get $q) (local.get $s1))
                      (v128.store offset=32 align=1 (local.get $q) (local.get $s2))
                      (v128.store offset=48 align=1 (local.get $q) (local.get $s3))
                      (br $next)))
                  ;; $lerp with α = $aop, over the four quads in turn.
                  (local.set $k (i32.const 0))
                  (loop $fourop
                    (local.set $s (v128.load align=1 (i32.add (local.get $p) (local.get $k))))
                    (local.set $d (v128.load align=1 (i32.add (local.get $q) (local.get $k))))
                    (local.set $de (v128.and (local.get $d)
                      (v128.const i16x8 255 255 255 255 255 255 255 255)))
                    (local.set $do (i16x8.shr_u (local.get $d) (i32.const 8)))
                    (local.set $de (i16x8.add (local.get $de) (i16x8.relaxed_q15mulr_s
                      (i16x8.sub
                        (v128.and (local.get $s) (v128.const i16x8 255 255 255 255 255 255 255 255))
                        (local.get $de))
                      (local.get $aop))))
                    (local.set $do (i16x8.add (local.get $do) (i16x8.relaxed_q15mulr_s
                      (i16x8.sub (i16x8.shr_u (local.get $s) (i32.const 8)) (local.get $do))
                      (local.get $aop))))
                    (v128.store align=1 (i32.add (local.get $q) (local.get $k))
                      (v128.or (local.get $de) (i16x8.shl (local.get $do) (i32.const 8))))
                    (local.set $k (i32.add (local.get $k) (i32.const 16)))
                    (br_if $fourop (i32.lt_u (local.get $k) (i32.const 64))))
                  (br $next)))
              (br_if $next (i32.eqz (v128.any_true (v128.and
                (v128.or
                  (v128.or (local.get $s0) (local.get $s1))
                  (v128.or (local.get $s2) (local.get $s3)))
                (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000)))))
              ;; $lerp inlined, over the four quads in turn.
              (local.set $k (i32.const 0))
              (loop $four
                (local.set $s (v128.load align=1 (i32.add (local.get $p) (local.get $k))))
                (local.set $d (v128.load align=1 (i32.add (local.get $q) (local.get $k))))
                (local.set $a (i16x8.relaxed_q15mulr_s
                  (i16x8.shr_u
                    (i8x16.shuffle 3 3 3 3 7 7 7 7 11 11 11 11 15 15 15 15
                      (local.get $s) (local.get $s))
                    (i32.const 1))
                  (local.get $op)))
                (local.set $s (v128.or (local.get $s)
                  (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000)))
                (local.set $de (v128.and (local.get $d)
                  (v128.const i16x8 255 255 255 255 255 255 255 255)))
                (local.set $do (i16x8.shr_u (local.get $d) (i32.const 8)))
                (local.set $de (i16x8.add (local.get $de) (i16x8.relaxed_q15mulr_s
                  (i16x8.sub
                    (v128.and (local.get $s) (v128.const i16x8 255 255 255 255 255 255 255 255))
                    (local.get $de))
                  (local.get $a))))
                (local.set $do (i16x8.add (local.get $do) (i16x8.relaxed_q15mulr_s
                  (i16x8.sub (i16x8.shr_u (local.get $s) (i32.const 8)) (local.get $do))
                  (local.get $a))))
                (v128.store align=1 (i32.add (local.get $q) (local.get $k))
                  (v128.or (local.get $de) (i16x8.shl (local.get $do) (i32.const 8))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br_if $four (i32.lt_u (local.get $k) (i32.const 64)))))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (local.set $q (i32.add (local.get $q) (i32.const 64)))
            (br $sixteens)))
        ;; The last 0–15 pixels: four at a time, then one at a time.
        (block $quads_done
          (loop $quads
            (br_if $quads_done (i32.ge_u (local.get $p) (local.get $end4)))
            (v128.store align=1 (local.get $q)
              (call $lerp (v128.load align=1 (local.get $p)) (v128.load align=1 (local.get $q))
                (local.get $op)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $quads)))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
            (v128.store32_lane align=1 0 (local.get $q)
              (call $lerp (v128.load32_zero align=1 (local.get $p))
                (v128.load32_zero align=1 (local.get $q)) (local.get $op)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $tail)))
        (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $h (i32.sub (local.get $h) (i32.const 1)))
        (br $rows))))

  ;; Puts the opaque colour `$value` under a `$w` × `$h` block of pixels in place: each becomes
  ;; value + (pixel − value) × α with alpha 255, as if the block had been blended onto `$value`
  ;; by `over` at that opacity. At opacity 1, sixteen opaque pixels at a time are left as they
  ;; are.
  (func (export "under")
    (param $dst i32) (param $dstStride i32) (param $w i32) (param $h i32) (param $value i32)
    (param $opacity i32)
    (local $q i32) (local $end16 i32) (local $end4 i32) (local $end i32) (local $full i32)
    (local $bg v128) (local $op v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $bg (i32x4.splat (local.get $value)))
    (local.set $op (i16x8.splat (local.get $opacity)))
    (local.set $full (i32.ge_u (local.get $opacity) (i32.const 32767)))
    (block $done
      (loop $rows
        (br_if $done (i32.le_s (local.get $h) (i32.const 0)))
        (local.set $q (local.get $dst))
        (local.set $end16 (i32.add (local.get $dst)
          (i32.shl (i32.and (local.get $w) (i32.const -16)) (i32.const 2))))
        (local.set $end4 (i32.add (local.get $dst)
          (i32.shl (i32.and (local.get $w) (i32.const -4)) (i32.const 2))))
        (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $w) (i32.const 2))))
        (block $sixteens_done
          (loop $sixteens
            (br_if $sixteens_done (i32.ge_u (local.get $q) (local.get $end16)))
            (local.set $s0 (v128.load align=1 (local.get $q)))
            (local.set $s1 (v128.load offset=16 align=1 (local.get $q)))
            (local.set $s2 (v128.load offset=32 align=1 (local.get $q)))
            (local.set $s3 (v128.load offset=48 align=1 (local.get $q)))
            (if (i32.eqz (i32.and (local.get $full) (call $opaque (v128.and
                (v128.and (local.get $s0) (local.get $s1))
                (v128.and (local.get $s2) (local.get $s3))))))
              (then
                (v128.store align=1 (local.get $q)
                  (call $lerp (local.get $s0) (local.get $bg) (local.get $op)))
                (v128.store offset=16 align=1 (local.get $q)
                  (call $lerp (local.get $s1) (local.get $bg) (local.get $op)))
                (v128.store offset=32 align=1 (local.get $q)
                  (call $lerp (local.get $s2) (local.get $bg) (local.get $op)))
                (v128.store offset=48 align=1 (local.get $q)
                  (call $lerp (local.get $s3) (local.get $bg) (local.get $op)))))
            (local.set $q (i32.add (local.get $q) (i32.const 64)))
            (br $sixteens)))
        (block $quads_done
          (loop $quads
            (br_if $quads_done (i32.ge_u (local.get $q) (local.get $end4)))
            (v128.store align=1 (local.get $q)
              (call $lerp (v128.load align=1 (local.get $q)) (local.get $bg) (local.get $op)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $quads)))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $q) (local.get $end)))
            (v128.store32_lane align=1 0 (local.get $q)
              (call $lerp (v128.load32_zero align=1 (local.get $q)) (local.get $bg)
                (local.get $op)))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $tail)))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $h (i32.sub (local.get $h) (i32.const 1)))
        (br $rows))))

  ;; Whether every alpha byte of `$v` is 255.
  (func $opaque (param $v v128) (result i32)
    (i32x4.all_true (i32x4.eq
      (v128.and (local.get $v) (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000))
      (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000))))

  ;; dst + (src − dst) × α for four pixels over an opaque destination, in Q15 on 16-bit lanes:
  ;; the even bytes (R, B) and the odd bytes (G, A) of each pixel apart. Each lane gets its
  ;; pixel's alpha in both bytes (srcA × 257), halved: srcA × 128.5, which is srcA / 255 in Q15;
  ;; then times the opacity. The source alpha counts as 255, so the destination stays opaque.
  (func $lerp (param $s v128) (param $d v128) (param $op v128) (result v128)
    (local $a v128) (local $de v128) (local $do v128)
    (local.set $a (i16x8.relaxed_q15mulr_s
      (i16x8.shr_u
        (i8x16.shuffle 3 3 3 3 7 7 7 7 11 11 11 11 15 15 15 15 (local.get $s) (local.get $s))
        (i32.const 1))
      (local.get $op)))
    (local.set $s (v128.or (local.get $s)
      (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000)))
    (local.set $de (v128.and (local.get $d) (v128.const i16x8 255 255 255 255 255 255 255 255)))
    (local.set $do (i16x8.shr_u (local.get $d) (i32.const 8)))
    (local.set $de (i16x8.add (local.get $de) (i16x8.relaxed_q15mulr_s
      (i16x8.sub
        (v128.and (local.get $s) (v128.const i16x8 255 255 255 255 255 255 255 255))
        (local.get $de))
      (local.get $a))))
    (local.set $do (i16x8.add (local.get $do) (i16x8.relaxed_q15mulr_s
      (i16x8.sub (i16x8.shr_u (local.get $s) (i32.const 8)) (local.get $do))
      (local.get $a))))
    (v128.or (local.get $de) (i16x8.shl (local.get $do) (i32.const 8))))

  ;; Blends a `$w` × `$h` block of source pixels onto a destination of any alpha. Four pixels
  ;; at a time: skipped when all are transparent, copied when all are opaque (and opacity is
  ;; 1), blended as by `over` when the four destination pixels are opaque, else in f32.
  (func (export "over_general")
    (param $src i32) (param $srcStride i32) (param $dst i32) (param $dstStride i32)
    (param $w i32) (param $h i32) (param $opacity i32)
    (local $p i32) (local $q i32) (local $end4 i32) (local $end i32) (local $full i32)
    (local $s v128) (local $d v128) (local $m v128) (local $op v128) (local $opf v128)
    (local.set $op (i16x8.splat (local.get $opacity)))
    (local.set $opf (f32x4.splat (f32.div (f32.convert_i32_u (local.get $opacity))
      (f32.const 8355585))))  ;; 32767 × 255: α = srcA × opf
    (local.set $full (i32.ge_u (local.get $opacity) (i32.const 32767)))
    (block $done
      (loop $rows
        (br_if $done (i32.le_s (local.get $h) (i32.const 0)))
        (local.set $p (local.get $src))
        (local.set $q (local.get $dst))
        (local.set $end4 (i32.add (local.get $src)
          (i32.shl (i32.and (local.get $w) (i32.const -4)) (i32.const 2))))
        (local.set $end (i32.add (local.get $src) (i32.shl (local.get $w) (i32.const 2))))
        (block $quads_done
          (loop $quads
            (br_if $quads_done (i32.ge_u (local.get $p) (local.get $end4)))
            (block $next
              (local.set $s (v128.load align=1 (local.get $p)))
              (local.set $m (v128.and (local.get $s)
                (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000)))
              (if (local.get $full)
                (then
                  (if (i32x4.all_true (i32x4.eq (local.get $m)
                      (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000)))
                    (then
                      (v128.store align=1 (local.get $q) (local.get $s))
                      (br $next)))))
              (br_if $next (i32.eqz (v128.any_true (local.get $m))))
              (local.set $d (v128.load align=1 (local.get $q)))
              (if (i32x4.all_true (i32x4.eq
                  (v128.and (local.get $d)
                    (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000))
                  (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000)))
                (then
                  (v128.store align=1 (local.get $q)
                    (call $lerp (local.get $s) (local.get $d) (local.get $op))))
                (else
                  (v128.store align=1 (local.get $q)
                    (call $over4 (local.get $s) (local.get $d) (local.get $opf))))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $quads)))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
            (v128.store32_lane align=1 0 (local.get $q)
              (call $over4 (v128.load32_zero align=1 (local.get $p))
                (v128.load32_zero align=1 (local.get $q)) (local.get $opf)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $tail)))
        (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $h (i32.sub (local.get $h) (i32.const 1)))
        (br $rows))))

  ;; Porter-Duff over of four straight-alpha pixels in f32, one pixel a lane.
  (func $over4 (param $s v128) (param $d v128) (param $op v128) (result v128)
    (local $a v128) (local $wd v128) (local $inv v128) (local $oa v128) (local $out v128)
    (local $shift i32)
    ;; α, the destination's weight dstα × (1 − α), outα and 1 / outα.
    (local.set $a (f32x4.mul (local.get $op)
      (f32x4.convert_i32x4_u (i32x4.shr_u (local.get $s) (i32.const 24)))))
    (local.set $wd (f32x4.mul
      (f32x4.mul (f32x4.convert_i32x4_u (i32x4.shr_u (local.get $d) (i32.const 24)))
        (v128.const f32x4 0x1.010102p-8 0x1.010102p-8 0x1.010102p-8 0x1.010102p-8))
      (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $a))))
    (local.set $oa (f32x4.add (local.get $a) (local.get $wd)))
    (local.set $inv (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $oa)))
    (local.set $a (f32x4.mul (local.get $a) (local.get $inv)))
    (local.set $wd (f32x4.mul (local.get $wd) (local.get $inv)))
    ;; outA = round(255 × outα); then each colour channel, round(src × α' + dst × wd').
    ;; (outα = 0 makes the weights NaN, which trunc_sat turns into 0.)
    (local.set $out (i32x4.shl
      (i32x4.trunc_sat_f32x4_u (f32x4.add
        (f32x4.mul (local.get $oa) (v128.const f32x4 255 255 255 255))
        (v128.const f32x4 0.5 0.5 0.5 0.5)))
      (i32.const 24)))
    (loop $channels
      (local.set $out (v128.or (local.get $out) (i32x4.shl
        (i32x4.trunc_sat_f32x4_u (f32x4.add
          (f32x4.add
            (f32x4.mul (local.get $a) (f32x4.convert_i32x4_u (v128.and
              (i32x4.shr_u (local.get $s) (local.get $shift))
              (v128.const i32x4 255 255 255 255))))
            (f32x4.mul (local.get $wd) (f32x4.convert_i32x4_u (v128.and
              (i32x4.shr_u (local.get $d) (local.get $shift))
              (v128.const i32x4 255 255 255 255)))))
          (v128.const f32x4 0.5 0.5 0.5 0.5)))
        (local.get $shift))))
      (local.set $shift (i32.add (local.get $shift) (i32.const 8)))
      (br_if $channels (i32.lt_u (local.get $shift) (i32.const 24))))
    (local.get $out))

  ;; Writes the 32-bit pixel `$value` (little-endian: byte 0 first) over a `$w` × `$h` block.
  (func (export "fill")
    (param $dst i32) (param $dstStride i32) (param $w i32) (param $h i32) (param $value i32)
    (local $q i32) (local $end4 i32) (local $end i32) (local $v v128)
    (local.set $v (i32x4.splat (local.get $value)))
    (block $done
      (loop $rows
        (br_if $done (i32.le_s (local.get $h) (i32.const 0)))
        (local.set $q (local.get $dst))
        (local.set $end4 (i32.add (local.get $dst)
          (i32.shl (i32.and (local.get $w) (i32.const -4)) (i32.const 2))))
        (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $w) (i32.const 2))))
        (block $quads_done
          (loop $quads
            (br_if $quads_done (i32.ge_u (local.get $q) (local.get $end4)))
            (v128.store align=1 (local.get $q) (local.get $v))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $quads)))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $q) (local.get $end)))
            (i32.store align=1 (local.get $q) (local.get $value))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $tail)))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $h (i32.sub (local.get $h) (i32.const 1)))
        (br $rows))))

  ;; Exchanges bytes 0 and 2 of every pixel of a `$w` × `$h` block, in place.
  (func (export "swap_rb") (param $dst i32) (param $dstStride i32) (param $w i32) (param $h i32)
    (local $q i32) (local $end4 i32) (local $end i32) (local $v i32)
    (block $done
      (loop $rows
        (br_if $done (i32.le_s (local.get $h) (i32.const 0)))
        (local.set $q (local.get $dst))
        (local.set $end4 (i32.add (local.get $dst)
          (i32.shl (i32.and (local.get $w) (i32.const -4)) (i32.const 2))))
        (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $w) (i32.const 2))))
        (block $quads_done
          (loop $quads
            (br_if $quads_done (i32.ge_u (local.get $q) (local.get $end4)))
            (v128.store align=1 (local.get $q)
              (i8x16.shuffle 2 1 0 3 6 5 4 7 10 9 8 11 14 13 12 15
                (v128.load align=1 (local.get $q)) (v128.load align=1 (local.get $q))))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $quads)))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $v (i32.load align=1 (local.get $q)))
            (i32.store align=1 (local.get $q)
              (i32.or (i32.and (local.get $v) (i32.const 0xff00ff00))
                (i32.or
                  (i32.and (i32.shr_u (local.get $v) (i32.const 16)) (i32.const 0xff))
                  (i32.shl (i32.and (local.get $v) (i32.const 0xff)) (i32.const 16)))))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $tail)))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $h (i32.sub (local.get $h) (i32.const 1)))
        (br $rows)))))
