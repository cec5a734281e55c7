# riscv64 freestanding (loader and kernel) with clang-16 and lld-16.
# The kernel is position independent so the loader can relocate it
# (KASLR); -mcmodel=medany lets it run at any address.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CMAKE_C_COMPILER clang-16)
set(CMAKE_CXX_COMPILER clang++-16)
set(CMAKE_ASM_COMPILER clang-16)
set(CMAKE_C_COMPILER_TARGET riscv64-unknown-elf)
set(CMAKE_CXX_COMPILER_TARGET riscv64-unknown-elf)
set(CMAKE_ASM_COMPILER_TARGET riscv64-unknown-elf)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_LINKER ld.lld-16)
set(CMAKE_OBJCOPY llvm-objcopy-16 CACHE FILEPATH "objcopy")
set(CMAKE_NM llvm-nm-16 CACHE FILEPATH "nm")
set(CMAKE_AR llvm-ar-16 CACHE FILEPATH "ar")
set(CMAKE_RANLIB llvm-ranlib-16 CACHE FILEPATH "ranlib")

set(K23_KERNEL_MARCH "rv64gc" CACHE STRING "-march for loader and kernel")
set(_k23_flags "-march=${K23_KERNEL_MARCH} -mabi=lp64d -mcmodel=medany -fpie -fvisibility=hidden -ffreestanding -fno-builtin -nostdlib -fno-omit-frame-pointer -fno-stack-protector -mno-relax -fno-common")
set(CMAKE_C_FLAGS_INIT "${_k23_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_k23_flags} -fno-exceptions -fno-rtti -fno-threadsafe-statics -nostdinc++")
set(CMAKE_ASM_FLAGS_INIT "${_k23_flags}")
# clang's bare-metal driver (riscv64-unknown-elf) ignores -static-pie, so
# ask lld for the static PIE directly: -pie without an interpreter. -z text
# turns a relocation against read-only data into a link error.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld -nostdlib -Wl,-pie -Wl,--no-dynamic-linker -Wl,-z,text -Wl,-z,norelro -Wl,--build-id=none")
