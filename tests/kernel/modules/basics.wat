;; What a guest in U-mode must do without any system call (plain code,
;; calls, memory, globals, call_indirect) and with one (memory.grow/size,
;; bulk memory, table operations: runtime helpers as system calls).
(module
  (type $i2i (func (param i32) (result i32)))
  (memory (export "memory") 1 4)
  (data (i32.const 16) "k23 in U-mode")
  (global $counter (export "counter") (mut i32) (i32.const 7))
  (table $t 4 8 funcref)
  (elem (table $t) (i32.const 0) func $double $fib)
  (func $add (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_u
    if (result i32) local.get 0
    else
      local.get 0 i32.const 1 i32.sub call $fib
      local.get 0 i32.const 2 i32.sub call $fib
      i32.add
    end)
  (func $double (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
  (func (export "sum_to") (param i64) (result i64) (local i64)
    block
      loop
        local.get 0 i64.eqz br_if 1
        local.get 1 local.get 0 i64.add local.set 1
        local.get 0 i64.const 1 i64.sub local.set 0
        br 0
      end
    end
    local.get 1)
  (func (export "load8") (param i32) (result i32) local.get 0 i32.load8_u)
  (func (export "store_load") (param i32 i64) (result i64)
    local.get 0 local.get 1 i64.store
    local.get 0 i64.load)
  (func (export "bump") (result i32)
    global.get $counter i32.const 1 i32.add global.set $counter global.get $counter)
  (func (export "indirect") (param i32 i32) (result i32)
    local.get 1 local.get 0 call_indirect $t (type $i2i))
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "size") (result i32) memory.size)
  (func (export "fill_and_sum") (param i32 i32 i32) (result i32) (local i32 i32)
    ;; memory.fill(dst, value, n), then the sum of those n bytes
    local.get 0 local.get 1 local.get 2 memory.fill
    block
      loop
        local.get 3 local.get 2 i32.ge_u br_if 1
        local.get 4 local.get 0 local.get 3 i32.add i32.load8_u i32.add local.set 4
        local.get 3 i32.const 1 i32.add local.set 3
        br 0
      end
    end
    local.get 4)
  (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy)
  (func (export "table_size") (result i32) table.size $t)
  (func (export "table_grow") (param i32) (result i32) ref.null func local.get 0 table.grow $t)
  (func (export "set_and_call") (param i32 i32) (result i32)
    ;; table[i] = $double via table.set, then call it with the argument
    local.get 0 ref.func $double table.set $t
    local.get 1 local.get 0 call_indirect $t (type $i2i))
  (func (export "float") (param f64 f32) (result f64)
    local.get 0 local.get 1 f64.promote_f32 f64.mul f64.sqrt))
