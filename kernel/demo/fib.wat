;; The default program's guest "fib" (kernel/WasiRun.h): the Fibonacci
;; numbers 20, 25 and 30, the slow (recursive) way.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "fib(")
  (data (i32.const 72) ") = ")
  (data (i32.const 84) "\n")
  ;; Console output (WASI fd_write on stdout): $write(ptr, len) and
  ;; $write_u64(n) in decimal. Scratch: the iovec at 0, nwritten at 8,
  ;; digits below 48; text from 64 on.
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $write_u64 (param $n i64)
    (local $p i32)
    (local.set $p (i32.const 48))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $n) (i64.const 0))))
    (call $write (local.get $p) (i32.sub (i32.const 48) (local.get $p))))
  (func $fib (param $n i32) (result i64)
    (if (result i64) (i32.lt_u (local.get $n) (i32.const 2))
      (then (i64.extend_i32_u (local.get $n)))
      (else (i64.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $show (param $n i32)
    (call $write (i32.const 64) (i32.const 4))
    (call $write_u64 (i64.extend_i32_u (local.get $n)))
    (call $write (i32.const 72) (i32.const 4))
    (call $write_u64 (call $fib (local.get $n)))
    (call $write (i32.const 84) (i32.const 1)))
  (func (export "_start")
    (call $show (i32.const 20))
    (call $show (i32.const 25))
    (call $show (i32.const 30))))
