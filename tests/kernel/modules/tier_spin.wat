;; A guest that tiers up and never returns (tests/kernel/DeferredTierUpTests.cpp):
;; "spin" calls $hot forever, so under a small tier-up budget both post
;; tier-up jobs within microseconds and the guest is still looping when the
;; scheduler kills it.
(module
  (func $hot (param i32) (result i32) local.get 0 i32.const 1 i32.add)
  (func (export "spin") (local i32)
    (loop
      (local.set 0 (call $hot (local.get 0)))
      (br 0))))
