;; A guest that asks for all the memory it can get (tests/kernel/DrillTests.cpp):
;; an unbounded linear memory and table. Running the kernel out of frames
;; must fail the guest's requests (-1, or an out-of-memory end of the
;; invocation that touched a page no frame was left for), never the kernel.
(module
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "size") (result i32) memory.size)
  (func (export "table_grow") (param i32) (result i32) ref.null func local.get 0 table.grow $t)
  (func (export "touch") (param i32) (result i32) local.get 0 i32.load)
  (func (export "touch_pages") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $next
        local.get $i local.get $n i32.ge_u br_if $done
        local.get $i i32.const 4096 i32.mul i32.const 1 i32.store
        local.get $i i32.const 1 i32.add local.set $i
        br $next))
    local.get $i)
  (func (export "ok") (result i32) i32.const 1))
