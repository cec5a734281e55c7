;; The guest side of the kernel's cost measurements (kernel/OsCosts.cpp):
;; each measured loop has a twin without the measured operation, and the
;; kernel reports the difference.
(module
  (import "spectest" "print" (func $noop))
  (func (export "call_host") (param $n i32)
    (loop $l
      call $noop
      local.get $n i32.const 1 i32.sub local.tee $n
      br_if $l))
  (func (export "call_none") (param $n i32)
    (loop $l
      nop
      local.get $n i32.const 1 i32.sub local.tee $n
      br_if $l))
  (func (export "maybe_trap") (param i32)
    local.get 0 if unreachable end))
