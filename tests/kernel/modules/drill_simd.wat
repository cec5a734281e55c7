;; SIMD memory forms in U-mode (tests/kernel/DrillTests.cpp): without V
;; every form but v128.load/store is the SIMD helper, a system call whose
;; address operand lies in linear memory.
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "\07\08\09\0a\0b\0c\0d\0e\0f\10\11\12\13\14\15\16")
  (func $load (export "load") (param i32) (result i32) local.get 0 v128.load i8x16.extract_lane_u 1)
  (func $splat (export "splat") (param i32) (result i32) local.get 0 v128.load8_splat i8x16.extract_lane_u 3)
  (func $extend (export "extend") (param i32) (result i32) local.get 0 v128.load8x8_u i16x8.extract_lane_u 7)
  (func $zero (export "zero") (param i32) (result i32) local.get 0 v128.load32_zero i32x4.extract_lane 0)
  (func $lane (export "lane") (param i32) (result i32)
    local.get 0 v128.const i32x4 0 0 0 0 v128.load16_lane 5 i16x8.extract_lane_u 5)
  (func $store_lane (export "store_lane") (param i32 i32)
    local.get 0 local.get 1 i32x4.splat v128.store32_lane 2)
  (func $load32 (export "load32") (param i32) (result i32) local.get 0 i32.load))
