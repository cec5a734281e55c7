;; 4 GiB of linear memory at instantiation: more than the machine has
;; (tests/kernel/DrillTests.cpp). It only reserves address space (pages are
;; committed on first touch), so it instantiates and costs a few frames.
(module (memory (export "memory") 65536))
