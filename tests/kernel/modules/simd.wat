;; SIMD in a guest (tests/kernel/WasmGuestSimdTests.cpp): with V on the hart
;; these compile to RVV and run with the guest's own vector state; without V,
;; to the scalar path. Every function takes its inputs as parameters so
;; nothing is folded at compile time.
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "0123456789abcdef")
  ;; splat, add, mul, replace_lane, extract_lane: (5, 3) -> 15+18+21+100
  (func (export "i32x4") (param i32 i32) (result i32) (local v128)
    (i32x4.mul
      (i32x4.add (i32x4.splat (local.get 0)) (v128.const i32x4 0 1 2 3))
      (i32x4.splat (local.get 1)))
    (i32.const 100)
    i32x4.replace_lane 3
    local.set 2
    (i32x4.extract_lane 0 (local.get 2))
    (i32x4.extract_lane 1 (local.get 2)) i32.add
    (i32x4.extract_lane 2 (local.get 2)) i32.add
    (i32x4.extract_lane 3 (local.get 2)) i32.add)
  ;; f32x4 mul, sqrt, add, max: (2.0) -> 5 + 8 + 0 + 13 = 26
  (func (export "f32x4") (param f32) (result f32) (local v128)
    (f32x4.max
      (f32x4.add
        (f32x4.mul (f32x4.splat (local.get 0)) (v128.const f32x4 1.5 2.5 -3.0 4.0))
        (f32x4.sqrt (v128.const f32x4 4 9 16 25)))
      (f32x4.splat (f32.const 0)))
    local.set 1
    (f32x4.extract_lane 0 (local.get 1))
    (f32x4.extract_lane 1 (local.get 1)) f32.add
    (f32x4.extract_lane 2 (local.get 1)) f32.add
    (f32x4.extract_lane 3 (local.get 1)) f32.add)
  ;; v128.load, i8x16.add, a reversing shuffle, v128.store, gt_u, bitmask:
  ;; (1) -> byte 16 = 'g' | bitmask 0x3f << 8
  (func (export "i8x16") (param i32) (result i32) (local v128)
    (i8x16.add (v128.load (i32.const 0)) (i8x16.splat (local.get 0)))
    local.set 1
    (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0 (local.get 1) (local.get 1))
    local.set 1
    (v128.store (i32.const 16) (local.get 1))
    (i32.load8_u (i32.const 16))
    (i32.shl (i8x16.bitmask (i8x16.gt_u (local.get 1) (i8x16.splat (i32.const 0x61)))) (i32.const 8))
    i32.or)
  ;; an interleaving shuffle of two vectors and a swizzle: bytes 0..3 of
  ;; shuffle(a, b, 0 16 1 17 ...) with a = "0123...", b = splat(x)
  (func (export "interleave") (param i32) (result i32)
    (i32x4.extract_lane 0
      (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23
        (v128.load (i32.const 0)) (i8x16.splat (local.get 0)))))
  (func (export "swizzle") (result i32)
    (i32x4.extract_lane 1
      (i8x16.swizzle (v128.load (i32.const 0))
        (v128.const i8x16 15 14 13 12 3 2 1 0 16 17 255 0 0 0 0 0))))
  ;; i64x2 lanes: (5) -> 107 * 1000 + 205
  (func (export "i64x2") (param i64) (result i64) (local v128)
    (i64x2.add
      (i64x2.replace_lane 0 (i64x2.splat (local.get 0)) (i64.const 7))
      (v128.const i64x2 100 200))
    local.set 1
    (i64.add
      (i64.mul (i64x2.extract_lane 0 (local.get 1)) (i64.const 1000))
      (i64x2.extract_lane 1 (local.get 1))))
  ;; i16x8 sub and a sign-extending extract: (0) -> -9
  (func (export "i16x8") (param i32) (result i32)
    (i16x8.extract_lane_s 7
      (i16x8.sub (i16x8.splat (local.get 0)) (v128.const i16x8 0 1 2 3 4 5 6 9))))
  ;; v128.load at an offset, xor, v128.store unaligned, read back: (17)
  ;; -> bytes 12..15 "cdef" ^ 0xff = 0x999a9b9c
  (func (export "store_load") (param i32) (result i32)
    (v128.store (local.get 0)
      (v128.xor (v128.load (i32.const 0)) (i8x16.splat (i32.const 0xff))))
    (i32.load offset=12 (local.get 0)))
  ;; a loop over 1024 bytes in 16-byte steps: sum of i32x4 lanes of
  ;; (i * 4 + lane) for i in 0..63 -> sum of 0..255 = 32640
  (func (export "loop_sum") (param i32) (result i32) (local $i i32) (local $acc v128)
    (local.set $acc (v128.const i32x4 0 0 0 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
        (v128.store (i32.const 64)
          (i32x4.add (i32x4.splat (i32.mul (local.get $i) (i32.const 4))) (v128.const i32x4 0 1 2 3)))
        (local.set $acc (i32x4.add (local.get $acc) (v128.load (i32.const 64))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
      (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
