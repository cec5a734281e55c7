;; The trap mix of the 10,000-trap drill (tests/kernel/DrillTests.cpp): one
;; export per trap kind a guest can reach, each ending its invocation with
;; the spec's message (DESIGN.md "Execution model"). `null reference` has no
;; export: without the function-references proposal (call_ref,
;; ref.as_non_null) no instruction the engine accepts can raise it. The host
;; function "drill" "fail" is a kernel function that always returns an error.
(module
  (type $v2i (func (result i32)))
  (type $i2i (func (param i32) (result i32)))
  (import "drill" "fail" (func $host_fail (param i32) (result i32)))
  (memory 1 1)
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $answer)
  (func $answer (result i32) i32.const 42)
  (func $unreachable (export "unreachable") unreachable)
  (func $div_by_zero (export "div_by_zero") (result i32) i32.const 1 i32.const 0 i32.div_u)
  (func $rem_by_zero (export "rem_by_zero") (result i64) i64.const 1 i64.const 0 i64.rem_s)
  (func $overflow (export "overflow") (result i32) i32.const 0x80000000 i32.const -1 i32.div_s)
  (func $overflow64 (export "overflow64") (result i64) i64.const 0x8000000000000000 i64.const -1 i64.div_s)
  (func $trunc_overflow (export "trunc_overflow") (result i32) f64.const 1e20 i32.trunc_f64_s)
  (func $bad_conversion (export "bad_conversion") (result i32) f32.const nan i32.trunc_f32_s)
  (func $oob_load (export "oob_load") (result i32) i32.const 65536 i32.load)
  (func $oob_store (export "oob_store") i32.const 65533 i32.const 1 i32.store)
  (func $oob_fill (export "oob_fill") i32.const 65000 i32.const 0 i32.const 1000 memory.fill)
  (func $oob_table (export "oob_table") (result funcref) i32.const 7 table.get $t)
  (func $undefined_element (export "undefined_element") (result i32) i32.const 9 call_indirect $t (type $v2i))
  (func $uninitialized (export "uninitialized") (result i32) i32.const 1 call_indirect $t (type $v2i))
  (func $type_mismatch (export "type_mismatch") (result i32) i32.const 5 i32.const 0 call_indirect $t (type $i2i))
  (func $recurse (export "recurse") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $recurse)
  (func $host_error (export "host_error") (result i32) i32.const 7 call $host_fail)
  (func $ok (export "ok") (result i32) i32.const 1))
