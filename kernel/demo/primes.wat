;; The default program's guest "primes" (kernel/WasiRun.h): counts the
;; primes below 400000 by trial division, a line every 100000.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "primes below ")
  (data (i32.const 80) ": ")
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
  (func $is_prime (param $n i32) (result i32)
    (local $d i32)
    (if (i32.lt_u (local.get $n) (i32.const 2)) (then (return (i32.const 0))))
    (local.set $d (i32.const 2))
    (block $done
      (loop $next
        (br_if $done (i32.gt_u (i32.mul (local.get $d) (local.get $d)) (local.get $n)))
        (if (i32.eqz (i32.rem_u (local.get $n) (local.get $d))) (then (return (i32.const 0))))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br $next)))
    (i32.const 1))
  (func (export "_start")
    (local $n i32) (local $count i64)
    (loop $numbers
      (if (call $is_prime (local.get $n)) (then (local.set $count (i64.add (local.get $count) (i64.const 1)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (if (i32.eqz (i32.rem_u (local.get $n) (i32.const 100000)))
        (then
          (call $write (i32.const 64) (i32.const 13))
          (call $write_u64 (i64.extend_i32_u (local.get $n)))
          (call $write (i32.const 80) (i32.const 2))
          (call $write_u64 (local.get $count))
          (call $write (i32.const 84) (i32.const 1))))
      (br_if $numbers (i32.lt_u (local.get $n) (i32.const 400000))))))
