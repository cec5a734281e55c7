;; Three tables of 10 million elements (the limit): 240 MB of elements,
;; more than the machine has (tests/kernel/DrillTests.cpp).
(module
  (table 10000000 funcref)
  (table 10000000 funcref)
  (table 10000000 funcref))
