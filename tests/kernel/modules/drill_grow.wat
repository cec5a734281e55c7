;; A guest that asks for all the memory it can get (tests/kernel/DrillTests.cpp):
;; an unbounded linear memory and table. Running the kernel out of frames
;; must fail the guest's requests (-1), never the kernel.
(module
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "size") (result i32) memory.size)
  (func (export "table_grow") (param i32) (result i32) ref.null func local.get 0 table.grow $t)
  (func (export "touch") (param i32) (result i32) local.get 0 i32.load)
  (func (export "ok") (result i32) i32.const 1))
