;; 4 GiB of linear memory at instantiation: more than the machine has
;; (tests/kernel/DrillTests.cpp). Instantiation must fail, not the kernel.
(module (memory (export "memory") 65536))
