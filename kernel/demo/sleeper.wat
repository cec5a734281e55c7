;; The default program's guest "sleeper" (kernel/WasiRun.h): four naps of
;; 50 ms each (poll_oneoff on the monotonic clock), a line after each: a
;; blocking call that gives the hart to the others.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "woke from nap ")
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
  ;; One clock subscription at 256 (48 bytes: userdata, tag 0 = clock, id
  ;; 1 = monotonic, timeout in ns, precision, flags 0 = relative), the
  ;; event at 320, the count at 360.
  (func $nap (param $ns i64)
    (i64.store (i32.const 256) (i64.const 7))
    (i32.store8 (i32.const 264) (i32.const 0))
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (local.get $ns))
    (i64.store (i32.const 288) (i64.const 0))
    (i32.store16 (i32.const 296) (i32.const 0))
    (drop (call $poll_oneoff (i32.const 256) (i32.const 320) (i32.const 1) (i32.const 360))))
  (func (export "_start")
    (local $i i64)
    (loop $naps
      (call $nap (i64.const 50000000))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (call $write (i32.const 64) (i32.const 14))
      (call $write_u64 (local.get $i))
      (call $write (i32.const 84) (i32.const 1))
      (br_if $naps (i64.lt_u (local.get $i) (i64.const 4))))))
