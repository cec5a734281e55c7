// The platform interface (base/Platform.h) for a Linux process: memory from
// the C allocator, panics and log lines on stderr, CLOCK_MONOTONIC and
// getrandom(). Linear memories: Memory.cpp; code memory and faults:
// CodeMemory.cpp.

#include <base/Assertions.h>
#include <base/Log.h>
#include <base/Memory.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

namespace k23 {

namespace {

// Larger requests fail with nullptr up front: sanitizer allocators abort on
// absurd sizes instead of returning null, and no k23 data structure in a
// Linux process legitimately needs this much in one piece.
constexpr usize max_allocation_size = usize(1) << 38; // 256 GiB

void write_all(int fd, const char* data, usize length)
{
    while (length > 0) {
        ssize_t written = ::write(fd, data, length);
        if (written <= 0)
            return;
        data += written;
        length -= usize(written);
    }
}

class StderrLogSink final : public LogSink {
public:
    void write(StringView text) noexcept override { write_all(STDERR_FILENO, text.data(), text.length()); }
};

StderrLogSink s_stderr_sink;

// Installs the stderr sink during static initialization; set_log_sink only
// stores a pointer, so the order relative to other initializers is harmless.
[[maybe_unused]] LogSink* const s_installed_sink = set_log_sink(&s_stderr_sink);

} // namespace

void* platform_allocate(usize size, usize alignment) noexcept
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        return nullptr;
    if (size > max_allocation_size)
        return nullptr;
    if (alignment < sizeof(void*))
        alignment = sizeof(void*);
    // aligned_alloc wants a non-zero multiple of the alignment.
    usize rounded = (size + alignment - 1) & ~(alignment - 1);
    if (rounded == 0)
        rounded = alignment;
    return aligned_alloc(alignment, rounded);
}

void platform_deallocate(void* p, usize, usize) noexcept
{
    free(p);
}

// No guest address space here: exposed objects are ordinary heap objects.
void* platform_allocate_exposed(usize size, usize alignment, Exposure) noexcept
{
    return platform_allocate(size, alignment);
}

void platform_deallocate_exposed(void* p, usize size, usize alignment, Exposure) noexcept
{
    platform_deallocate(p, size, alignment);
}

u64 platform_monotonic_ns() noexcept
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return u64(now.tv_sec) * 1'000'000'000ull + u64(now.tv_nsec);
}

bool platform_random_bytes(u8* buffer, usize size) noexcept
{
    while (size > 0) {
        ssize_t got = getrandom(buffer, size, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        buffer += got;
        size -= usize(got);
    }
    return true;
}

void platform_panic(const char* message, const char* file, int line) noexcept
{
    fprintf(stderr, "PANIC: %s\n  at %s:%d\n", message, file, line);
    fflush(stderr);
    abort();
}

} // namespace k23
