// The few C++ ABI hooks the freestanding loader and kernel need.

extern "C" {

// Static objects with destructors register them with __cxa_atexit; the
// loader and the kernel never exit, so they are never run.
void* __dso_handle = nullptr;

int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }

[[noreturn]] void __cxa_pure_virtual()
{
    __builtin_trap();
}

} // extern "C"
