;; Pixel format conversion kernels of convertFrame: 128-bit SIMD over rows of 8-bit samples.
;;
;; Source of packages/video/_convert_wasm.ts; rebuild that with `deno task build:wasm`.
;;
;; They compute exactly what the TypeScript code of convert.ts computes, with the fixed-point
;; coefficients of _yuv_coefficients.ts (one per byte position of a pixel, so RGBA and BGRA
;; share the code): RGB → YUV in 32-bit integers, YUV → RGB in 16-bit ones. Offsets and strides
;; are in bytes. The caller lays the planes out in this memory with their rows padded to whole
;; chunks of pixels, and copies the rows' real part out: a chunk may read and write past a
;; row's width.
(module
  (memory (export "memory") 1)

  ;; RGBA/BGRA → I420/NV12, two rows and eight pixels at a time (a chunk): the Y of each pixel
  ;; is (k0·b0 + k1·b1 + k2·b2 + yBias) >> 16 of its bytes b0 b1 b2, and U and V are
  ;; (u0·B0 + u1·B1 + u2·B2 + cBias) >> 18 of the sums B0 B1 B2 of each 2×2 block's bytes
  ;; (likewise V), clamped to 0–255. `$rows` row pairs of `$chunks` chunks; the caller
  ;; duplicates the last column and row of odd sizes. `$nv12` writes U and V interleaved at
  ;; `$u` (and ignores `$v`).
  (func (export "rgb_to_yuv")
    (param $src i32) (param $srcStride i32) (param $y i32) (param $yStride i32)
    (param $u i32) (param $uStride i32) (param $v i32) (param $vStride i32) (param $nv12 i32)
    (param $chunks i32) (param $rows i32)
    (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $yBias i32)
    (param $cu0 i32) (param $cu1 i32) (param $cu2 i32)
    (param $cv0 i32) (param $cv1 i32) (param $cv2 i32) (param $cBias i32)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $kyb v128)
    (local $ku0 v128) (local $ku1 v128) (local $ku2 v128)
    (local $kv0 v128) (local $kv1 v128) (local $kv2 v128) (local $kcb v128)
    (local $mask v128)
    (local $p v128) (local $q v128) (local $r v128) (local $s v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128)
    (local $lo v128) (local $hi v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $cu v128) (local $cv v128)
    (local $uv v128)
    (local $a i32) (local $b i32) (local $d0 i32) (local $d1 i32) (local $pu i32) (local $pv i32)
    (local $n i32) (local $row i32)
    (local.set $k0 (i32x4.splat (local.get $c0)))
    (local.set $k1 (i32x4.splat (local.get $c1)))
    (local.set $k2 (i32x4.splat (local.get $c2)))
    (local.set $kyb (i32x4.splat (local.get $yBias)))
    (local.set $ku0 (i32x4.splat (local.get $cu0)))
    (local.set $ku1 (i32x4.splat (local.get $cu1)))
    (local.set $ku2 (i32x4.splat (local.get $cu2)))
    (local.set $kv0 (i32x4.splat (local.get $cv0)))
    (local.set $kv1 (i32x4.splat (local.get $cv1)))
    (local.set $kv2 (i32x4.splat (local.get $cv2)))
    (local.set $kcb (i32x4.splat (local.get $cBias)))
    (local.set $mask (v128.const i32x4 255 255 255 255))
    (local.set $row (i32.const 0))
    (block $done
      (loop $rowpairs
        (br_if $done (i32.ge_s (local.get $row) (local.get $rows)))
        (local.set $a (i32.add (local.get $src)
          (i32.mul (i32.shl (local.get $row) (i32.const 1)) (local.get $srcStride))))
        (local.set $b (i32.add (local.get $a) (local.get $srcStride)))
        (local.set $d0 (i32.add (local.get $y)
          (i32.mul (i32.shl (local.get $row) (i32.const 1)) (local.get $yStride))))
        (local.set $d1 (i32.add (local.get $d0) (local.get $yStride)))
        (local.set $pu (i32.add (local.get $u) (i32.mul (local.get $row) (local.get $uStride))))
        (local.set $pv (i32.add (local.get $v) (i32.mul (local.get $row) (local.get $vStride))))
        (local.set $n (local.get $chunks))
        (loop $chunk
          (local.set $p (v128.load align=1 (local.get $a)))
          (local.set $q (v128.load offset=16 align=1 (local.get $a)))
          (local.set $r (v128.load align=1 (local.get $b)))
          (local.set $s (v128.load offset=16 align=1 (local.get $b)))
          (local.set $p0 (v128.and (local.get $p) (local.get $mask)))
          (local.set $p1 (v128.and (i32x4.shr_u (local.get $p) (i32.const 8)) (local.get $mask)))
          (local.set $p2 (v128.and (i32x4.shr_u (local.get $p) (i32.const 16)) (local.get $mask)))
          (local.set $q0 (v128.and (local.get $q) (local.get $mask)))
          (local.set $q1 (v128.and (i32x4.shr_u (local.get $q) (i32.const 8)) (local.get $mask)))
          (local.set $q2 (v128.and (i32x4.shr_u (local.get $q) (i32.const 16)) (local.get $mask)))
          (local.set $r0 (v128.and (local.get $r) (local.get $mask)))
          (local.set $r1 (v128.and (i32x4.shr_u (local.get $r) (i32.const 8)) (local.get $mask)))
          (local.set $r2 (v128.and (i32x4.shr_u (local.get $r) (i32.const 16)) (local.get $mask)))
          (local.set $s0 (v128.and (local.get $s) (local.get $mask)))
          (local.set $s1 (v128.and (i32x4.shr_u (local.get $s) (i32.const 8)) (local.get $mask)))
          (local.set $s2 (v128.and (i32x4.shr_u (local.get $s) (i32.const 16)) (local.get $mask)))
          ;; Y of the first row's eight pixels, then of the second's.
          (local.set $lo (i32x4.shr_s (i32x4.add
            (i32x4.add (i32x4.mul (local.get $p0) (local.get $k0))
              (i32x4.mul (local.get $p1) (local.get $k1)))
            (i32x4.add (i32x4.mul (local.get $p2) (local.get $k2)) (local.get $kyb)))
            (i32.const 16)))
          (local.set $hi (i32x4.shr_s (i32x4.add
            (i32x4.add (i32x4.mul (local.get $q0) (local.get $k0))
              (i32x4.mul (local.get $q1) (local.get $k1)))
            (i32x4.add (i32x4.mul (local.get $q2) (local.get $k2)) (local.get $kyb)))
            (i32.const 16)))
          (local.set $lo (i16x8.narrow_i32x4_s (local.get $lo) (local.get $hi)))
          (v128.store64_lane align=1 0 (local.get $d0)
            (i8x16.narrow_i16x8_u (local.get $lo) (local.get $lo)))
          (local.set $lo (i32x4.shr_s (i32x4.add
            (i32x4.add (i32x4.mul (local.get $r0) (local.get $k0))
              (i32x4.mul (local.get $r1) (local.get $k1)))
            (i32x4.add (i32x4.mul (local.get $r2) (local.get $k2)) (local.get $kyb)))
            (i32.const 16)))
          (local.set $hi (i32x4.shr_s (i32x4.add
            (i32x4.add (i32x4.mul (local.get $s0) (local.get $k0))
              (i32x4.mul (local.get $s1) (local.get $k1)))
            (i32x4.add (i32x4.mul (local.get $s2) (local.get $k2)) (local.get $kyb)))
            (i32.const 16)))
          (local.set $lo (i16x8.narrow_i32x4_s (local.get $lo) (local.get $hi)))
          (v128.store64_lane align=1 0 (local.get $d1)
            (i8x16.narrow_i16x8_u (local.get $lo) (local.get $lo)))
          ;; The 2×2 sums of each byte: down the columns, then across pairs of columns.
          (local.set $lo (i32x4.add (local.get $p0) (local.get $r0)))
          (local.set $hi (i32x4.add (local.get $q0) (local.get $s0)))
          (local.set $t0 (i32x4.add
            (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo) (local.get $hi))
            (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo) (local.get $hi))))
          (local.set $lo (i32x4.add (local.get $p1) (local.get $r1)))
          (local.set $hi (i32x4.add (local.get $q1) (local.get $s1)))
          (local.set $t1 (i32x4.add
            (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo) (local.get $hi))
            (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo) (local.get $hi))))
          (local.set $lo (i32x4.add (local.get $p2) (local.get $r2)))
          (local.set $hi (i32x4.add (local.get $q2) (local.get $s2)))
          (local.set $t2 (i32x4.add
            (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo) (local.get $hi))
            (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo) (local.get $hi))))
          (local.set $cu (i32x4.shr_s (i32x4.add
            (i32x4.add (i32x4.mul (local.get $t0) (local.get $ku0))
              (i32x4.mul (local.get $t1) (local.get $ku1)))
            (i32x4.add (i32x4.mul (local.get $t2) (local.get $ku2)) (local.get $kcb)))
            (i32.const 18)))
          (local.set $cv (i32x4.shr_s (i32x4.add
            (i32x4.add (i32x4.mul (local.get $t0) (local.get $kv0))
              (i32x4.mul (local.get $t1) (local.get $kv1)))
            (i32x4.add (i32x4.mul (local.get $t2) (local.get $kv2)) (local.get $kcb)))
            (i32.const 18)))
          (local.set $uv (i16x8.narrow_i32x4_s (local.get $cu) (local.get $cv)))
          (local.set $uv (i8x16.narrow_i16x8_u (local.get $uv) (local.get $uv)))
          (if (local.get $nv12)
            (then
              (v128.store64_lane align=1 0 (local.get $pu)
                (i8x16.shuffle 0 4 1 5 2 6 3 7 0 4 1 5 2 6 3 7 (local.get $uv) (local.get $uv)))
              (local.set $pu (i32.add (local.get $pu) (i32.const 8))))
            (else
              (v128.store32_lane align=1 0 (local.get $pu) (local.get $uv))
              (v128.store32_lane align=1 1 (local.get $pv) (local.get $uv))
              (local.set $pu (i32.add (local.get $pu) (i32.const 4)))
              (local.set $pv (i32.add (local.get $pv) (i32.const 4)))))
          (local.set $a (i32.add (local.get $a) (i32.const 32)))
          (local.set $b (i32.add (local.get $b) (i32.const 32)))
          (local.set $d0 (i32.add (local.get $d0) (i32.const 8)))
          (local.set $d1 (i32.add (local.get $d1) (i32.const 8)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $chunk (i32.gt_s (local.get $n) (i32.const 0))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rowpairs))))

  ;; I420/NV12 → RGBA/BGRA, sixteen pixels of two rows at a time (a chunk), in 16-bit fixed
  ;; point (samples ×64): a pixel's red is (q(Y·2^7, kY) + bias + q((V − 128)·2^8, rv)) >> 6,
  ;; its green (… + q((U − 128)·2^8, gu) + q((V − 128)·2^8, gv)) >> 6 and its blue
  ;; (… + q((U − 128)·2^8, bu)) >> 6, clamped to 0–255, where q(a, b) = (a·b + 2^14) >> 15
  ;; (i16x8.q15mulr_sat_s: no factor is −32768, so it never saturates and its relaxed form gives
  ;; the same), the last addition saturating (at +32767, which is 255 anyway). The U and V of a
  ;; pixel are those of its 2×2 block (nearest neighbour); alpha is 255; `$bgra` puts blue
  ;; first. `$pairs` pairs of rows of `$chunks` chunks (an odd last row has a row after it to
  ;; read and write). `$nv12` reads U and V interleaved at `$u` (and ignores `$v`).
  (func (export "yuv_to_rgb")
    (param $y i32) (param $yStride i32) (param $u i32) (param $uStride i32)
    (param $v i32) (param $vStride i32) (param $nv12 i32)
    (param $dst i32) (param $dstStride i32) (param $chunks i32) (param $pairs i32)
    (param $ky i32) (param $bias i32) (param $rv i32) (param $gu i32) (param $gv i32)
    (param $bu i32) (param $bgra i32)
    (local $kY v128) (local $kB v128) (local $kR v128) (local $kGu v128) (local $kGv v128)
    (local $kBu v128) (local $uw v128) (local $vw v128) (local $t v128)
    (local $r v128) (local $g v128) (local $b v128)
    (local $pair i32) (local $ps i32) (local $pd i32) (local $pu i32) (local $pv i32)
    (local $n i32)
    (local.set $kY (i16x8.splat (local.get $ky)))
    (local.set $kB (i16x8.splat (local.get $bias)))
    (local.set $kR (i16x8.splat (local.get $rv)))
    (local.set $kGu (i16x8.splat (local.get $gu)))
    (local.set $kGv (i16x8.splat (local.get $gv)))
    (local.set $kBu (i16x8.splat (local.get $bu)))
    (local.set $pair (i32.const 0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $pair) (local.get $pairs)))
        (local.set $pu (i32.add (local.get $u) (i32.mul (local.get $pair) (local.get $uStride))))
        (local.set $pv (i32.add (local.get $v) (i32.mul (local.get $pair) (local.get $vStride))))
        (local.set $ps (i32.add (local.get $y)
          (i32.mul (i32.shl (local.get $pair) (i32.const 1)) (local.get $yStride))))
        (local.set $pd (i32.add (local.get $dst)
          (i32.mul (i32.shl (local.get $pair) (i32.const 1)) (local.get $dstStride))))
        (local.set $n (local.get $chunks))
        (loop $chunk
          ;; Eight U and eight V samples, as (sample − 128)·2^8.
          (if (local.get $nv12)
            (then
              (local.set $t (v128.load align=1 (local.get $pu)))
              (local.set $uw (i8x16.shuffle 0 2 4 6 8 10 12 14 0 0 0 0 0 0 0 0
                (local.get $t) (local.get $t)))
              (local.set $vw (i8x16.shuffle 1 3 5 7 9 11 13 15 0 0 0 0 0 0 0 0
                (local.get $t) (local.get $t)))
              (local.set $pu (i32.add (local.get $pu) (i32.const 16))))
            (else
              (local.set $uw (v128.load64_zero align=1 (local.get $pu)))
              (local.set $vw (v128.load64_zero align=1 (local.get $pv)))
              (local.set $pu (i32.add (local.get $pu) (i32.const 8)))
              (local.set $pv (i32.add (local.get $pv) (i32.const 8)))))
          (local.set $uw (i16x8.shl (i16x8.extend_low_i8x16_s (v128.xor (local.get $uw)
            (v128.const i8x16 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128)))
            (i32.const 8)))
          (local.set $vw (i16x8.shl (i16x8.extend_low_i8x16_s (v128.xor (local.get $vw)
            (v128.const i8x16 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128)))
            (i32.const 8)))
          ;; The chroma terms of red, green and blue.
          (local.set $r (i16x8.relaxed_q15mulr_s (local.get $vw) (local.get $kR)))
          (local.set $g (i16x8.add (i16x8.relaxed_q15mulr_s (local.get $uw) (local.get $kGu))
            (i16x8.relaxed_q15mulr_s (local.get $vw) (local.get $kGv))))
          (local.set $b (i16x8.relaxed_q15mulr_s (local.get $uw) (local.get $kBu)))
          (if (local.get $bgra)
            (then (local.set $t (local.get $r)) (local.set $r (local.get $b))
              (local.set $b (local.get $t))))
          (call $yuv_pixels (local.get $ps) (local.get $pd) (local.get $kY) (local.get $kB)
            (local.get $r) (local.get $g) (local.get $b))
          (call $yuv_pixels (i32.add (local.get $ps) (local.get $yStride))
            (i32.add (local.get $pd) (local.get $dstStride)) (local.get $kY) (local.get $kB)
            (local.get $r) (local.get $g) (local.get $b))
          (local.set $ps (i32.add (local.get $ps) (i32.const 16)))
          (local.set $pd (i32.add (local.get $pd) (i32.const 64)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $chunk (i32.gt_s (local.get $n) (i32.const 0))))
        (local.set $pair (i32.add (local.get $pair) (i32.const 1)))
        (br $rows))))

  ;; Sixteen pixels of `yuv_to_rgb` at `$pd` from the sixteen Y samples at `$ps` and the
  ;; chroma terms of bytes 0, 1 and 2 of their eight chroma samples.
  (func $yuv_pixels (param $ps i32) (param $pd i32) (param $kY v128) (param $kB v128)
    (param $c0 v128) (param $c1 v128) (param $c2 v128)
    (local $yv v128) (local $lo v128) (local $hi v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $pa v128) (local $pb v128)
    (local.set $yv (v128.load align=1 (local.get $ps)))
    (local.set $lo (i16x8.add (i16x8.relaxed_q15mulr_s
      (i16x8.shl (i16x8.extend_low_i8x16_u (local.get $yv)) (i32.const 7)) (local.get $kY))
      (local.get $kB)))
    (local.set $hi (i16x8.add (i16x8.relaxed_q15mulr_s
      (i16x8.shl (i16x8.extend_high_i8x16_u (local.get $yv)) (i32.const 7)) (local.get $kY))
      (local.get $kB)))
    (local.set $b0 (call $yuv_bytes (local.get $lo) (local.get $hi) (local.get $c0)))
    (local.set $b1 (call $yuv_bytes (local.get $lo) (local.get $hi) (local.get $c1)))
    (local.set $b2 (call $yuv_bytes (local.get $lo) (local.get $hi) (local.get $c2)))
    ;; Interleave bytes 0, 1, 2 and 255 into sixteen pixels.
    (local.set $pa (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23
      (local.get $b0) (local.get $b1)))
    (local.set $pb (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23
      (local.get $b2) (v128.const i32x4 -1 -1 -1 -1)))
    (v128.store align=1 (local.get $pd)
      (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $pa) (local.get $pb)))
    (v128.store offset=16 align=1 (local.get $pd)
      (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $pa) (local.get $pb)))
    (local.set $pa (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31
      (local.get $b0) (local.get $b1)))
    (local.set $pb (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31
      (local.get $b2) (v128.const i32x4 -1 -1 -1 -1)))
    (v128.store offset=32 align=1 (local.get $pd)
      (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $pa) (local.get $pb)))
    (v128.store offset=48 align=1 (local.get $pd)
      (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31
        (local.get $pa) (local.get $pb))))

  ;; Sixteen bytes of one position: (y + c) >> 6 clamped to 0–255, for the Y terms `$lo` and
  ;; `$hi` of sixteen pixels and the chroma terms `$c` of their eight chroma samples.
  (func $yuv_bytes (param $lo v128) (param $hi v128) (param $c v128) (result v128)
    (i8x16.narrow_i16x8_u
      (i16x8.shr_s (i16x8.add_sat_s (local.get $lo)
        (i8x16.shuffle 0 1 0 1 2 3 2 3 4 5 4 5 6 7 6 7 (local.get $c) (local.get $c)))
        (i32.const 6))
      (i16x8.shr_s (i16x8.add_sat_s (local.get $hi)
        (i8x16.shuffle 8 9 8 9 10 11 10 11 12 13 12 13 14 15 14 15 (local.get $c) (local.get $c)))
        (i32.const 6))))

  ;; Exchanges bytes 0 and 2 of every pixel (RGBA ↔ BGRA) of `$n` bytes from `$p`, in place,
  ;; sixteen bytes at a time (`$n` rounded up).
  (func (export "swap_rb") (param $p i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (v128.store align=1 (local.get $p)
          (i8x16.shuffle 2 1 0 3 6 5 4 7 10 9 8 11 14 13 12 15
            (v128.load align=1 (local.get $p)) (v128.load align=1 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next))))

  ;; Interleaves `$n` U and V samples from `$u` and `$v` into UV pairs at `$uv`, eight at a time
  ;; (`$n` rounded up).
  (func (export "interleave") (param $u i32) (param $v i32) (param $uv i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $u) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $u) (local.get $end)))
        (v128.store align=1 (local.get $uv)
          (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23
            (v128.load64_zero align=1 (local.get $u)) (v128.load64_zero align=1 (local.get $v))))
        (local.set $u (i32.add (local.get $u) (i32.const 8)))
        (local.set $v (i32.add (local.get $v) (i32.const 8)))
        (local.set $uv (i32.add (local.get $uv) (i32.const 16)))
        (br $next))))

  ;; Splits `$n` UV pairs at `$uv` into U samples at `$u` and V samples at `$v`, eight at a
  ;; time (`$n` rounded up).
  (func (export "deinterleave") (param $uv i32) (param $u i32) (param $v i32) (param $n i32)
    (local $end i32) (local $t v128)
    (local.set $end (i32.add (local.get $u) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $u) (local.get $end)))
        (local.set $t (v128.load align=1 (local.get $uv)))
        (v128.store64_lane align=1 0 (local.get $u)
          (i8x16.shuffle 0 2 4 6 8 10 12 14 0 0 0 0 0 0 0 0 (local.get $t) (local.get $t)))
        (v128.store64_lane align=1 0 (local.get $v)
          (i8x16.shuffle 1 3 5 7 9 11 13 15 0 0 0 0 0 0 0 0 (local.get $t) (local.get $t)))
        (local.set $u (i32.add (local.get $u) (i32.const 8)))
        (local.set $v (i32.add (local.get $v) (i32.const 8)))
        (local.set $uv (i32.add (local.get $uv) (i32.const 16)))
        (br $next)))))
