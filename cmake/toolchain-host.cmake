# Host (x86-64) with clang-16: unit tests under ASan/UBSan, host tools, and
# later the JIT compilers as cross-compilers and libFuzzer targets.
set(CMAKE_C_COMPILER clang-16)
set(CMAKE_CXX_COMPILER clang++-16)
