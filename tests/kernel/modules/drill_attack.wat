;; The attack drill's wasm-level half (tests/kernel/DrillTests.cpp): every
;; way plain WebAssembly can name an address or an index far outside what it
;; owns. Loads and stores at index + offset up to 2^33 (the 8 GiB guard of a
;; 32-bit memory), table indices up to 2^32 - 1, bulk memory and table
;; operations whose ranges overflow 32 bits, memory.grow past the maximum.
;; Each must trap (or fail, for grow) without touching anything.
(module
  (type $v2i (func (result i32)))
  (memory (export "memory") 1 2)
  (table $t 4 8 funcref)
  (table $u 4 funcref)
  (elem (table $t) (i32.const 0) func $five)
  (elem $seg func $five $five)
  (data $d "drill data")
  (func $five (result i32) i32.const 5)
  (func $load (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func $load_64k (export "load_64k") (param i32) (result i32) local.get 0 i32.load offset=0x10000)
  (func $load_2g (export "load_2g") (param i32) (result i32) local.get 0 i32.load offset=0x80000000)
  (func $load_4g_16 (export "load_4g_16") (param i32) (result i64) local.get 0 i64.load offset=0xfffffff0)
  (func $load_4g (export "load_4g") (param i32) (result i64) local.get 0 i64.load offset=0xffffffff)
  (func $load8_4g (export "load8_4g") (param i32) (result i32) local.get 0 i32.load8_u offset=0xffffffff)
  (func $store (export "store") (param i32) local.get 0 i64.const -1 i64.store)
  (func $store_2g (export "store_2g") (param i32) local.get 0 i32.const 0x5a5a i32.store offset=0x80000000)
  (func $store_4g (export "store_4g") (param i32) local.get 0 i64.const -1 i64.store offset=0xffffffff)
  (func $store8_4g (export "store8_4g") (param i32) local.get 0 i32.const 0x5a i32.store8 offset=0xffffffff)
  (func $call_at (export "call_at") (param i32) (result i32) local.get 0 call_indirect $t (type $v2i))
  (func $table_get (export "table_get") (param i32) (result funcref) local.get 0 table.get $t)
  (func $table_set (export "table_set") (param i32) local.get 0 ref.func $five table.set $t)
  (func $table_fill (export "table_fill") (param i32 i32) local.get 0 ref.func $five local.get 1 table.fill $t)
  (func $table_copy (export "table_copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.copy $u $t)
  (func $table_init (export "table_init") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.init $t $seg)
  (func $table_grow (export "table_grow") (param i32) (result i32) ref.null func local.get 0 table.grow $t)
  (func $table_size (export "table_size") (result i32) table.size $t)
  (func $fill (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill)
  (func $copy (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy)
  (func $init (export "init") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.init $d)
  (func $drop (export "drop") data.drop $d)
  (func $grow (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func $size (export "size") (result i32) memory.size))
