;; The 10,000-guest drill (tests/kernel/DrillTests.cpp): one small module per
;; trap kind a guest can reach, in the order of trap_cases there, each
;; exporting a function of the kind's name that ends its invocation with the
;; spec's message (drill_traps.wat has them all in one module, for the guests
;; that trap again and again). Small, so that a guest's life — create, read,
;; validate, compile, instantiate, trap, destroy — costs about 0.46 million
;; instructions and ten thousand of them fit in every kernel ring.
;; tools/embedwasm.py turns each module into drill_trap_kinds_N.
(module (func $unreachable (export "unreachable") unreachable))
(module (func $div_by_zero (export "div_by_zero") (result i32) i32.const 1 i32.const 0 i32.div_u))
(module (func $rem_by_zero (export "rem_by_zero") (result i64) i64.const 1 i64.const 0 i64.rem_s))
(module (func $overflow (export "overflow") (result i32) i32.const 0x80000000 i32.const -1 i32.div_s))
(module (func $overflow64 (export "overflow64") (result i64) i64.const 0x8000000000000000 i64.const -1 i64.div_s))
(module (func $trunc_overflow (export "trunc_overflow") (result i32) f64.const 1e20 i32.trunc_f64_s))
(module (func $bad_conversion (export "bad_conversion") (result i32) f32.const nan i32.trunc_f32_s))
(module (memory 1 1) (func $oob_load (export "oob_load") (result i32) i32.const 65536 i32.load))
(module (memory 1 1) (func $oob_store (export "oob_store") i32.const 65533 i32.const 1 i32.store))
(module (memory 1 1) (func $oob_fill (export "oob_fill") i32.const 65000 i32.const 0 i32.const 1000 memory.fill))
(module (table $t 2 funcref) (func $oob_table (export "oob_table") (result funcref) i32.const 7 table.get $t))
(module
  (type $v2i (func (result i32)))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $answer)
  (func $answer (result i32) i32.const 42)
  (func $undefined_element (export "undefined_element") (result i32) i32.const 9 call_indirect $t (type $v2i)))
(module
  (type $v2i (func (result i32)))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $answer)
  (func $answer (result i32) i32.const 42)
  (func $uninitialized (export "uninitialized") (result i32) i32.const 1 call_indirect $t (type $v2i)))
(module
  (type $i2i (func (param i32) (result i32)))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $answer)
  (func $answer (result i32) i32.const 42)
  (func $type_mismatch (export "type_mismatch") (result i32) i32.const 5 i32.const 0 call_indirect $t (type $i2i)))
(module (func $recurse (export "recurse") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $recurse))
(module
  (import "drill" "fail" (func $host_fail (param i32) (result i32)))
  (func $host_error (export "host_error") (result i32) i32.const 7 call $host_fail))
