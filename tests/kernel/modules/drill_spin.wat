;; A runaway guest (tests/kernel/DrillTests.cpp): "spin" never returns; only
;; WasmGuestOptions::time_limit ends it. "ok" shows the guest still works.
(module
  (func (export "spin") (loop br 0))
  (func (export "ok") (result i32) i32.const 23))
