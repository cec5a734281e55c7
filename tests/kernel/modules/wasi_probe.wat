;; WASI host functions called from U-mode (tests/kernel/WasiGuestTests.cpp):
;; each export passes its arguments straight to the import, so the test
;; chooses every guest pointer and length. Four pages: the guest touches
;; only the first (the data segment), so a host function is the first to
;; touch the others.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (memory (export "memory") 4)
  (data (i32.const 16) "hello from a guest")
  (func (export "fd_write") (param i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $fd_write)
  (func (export "fd_read") (param i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $fd_read)
  (func (export "random_get") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $random_get)
  (func (export "clock_time_get") (param i32 i32) (result i32)
    local.get 0 i64.const 0 local.get 1 call $clock_time_get)
  (func (export "load8") (param i32) (result i32) local.get 0 i32.load8_u)
  (func (export "store32") (param i32 i32) local.get 0 local.get 1 i32.store))
