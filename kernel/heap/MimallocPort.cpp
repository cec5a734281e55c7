// The kernel side of k23's mimalloc port (cmake/deps/mimalloc.cmake): the C
// library and OS functions mimalloc 2.0.9 calls, under the k23_mimalloc_*
// names cmake/deps/mimalloc/port.h gives them.
//
// "OS memory" is physical frames from the frame allocator: with the MMU off
// an mmap is an allocation of contiguous frames (aligned as mimalloc asks
// through MAP_ALIGNED), munmap gives them back, and protection and advice
// calls have nothing to do.

#include <arch/riscv64/Csr.h>
#include <base/Memory.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/Panic.h>
#include <kernel/Trap.h>
#include <kernel/heap/Mimalloc.h>
#include <kernel/heap/MimallocPort.h>
#include <kernel/mm/PhysicalMemory.h>

#include <stdarg.h>


// cmake/deps/mimalloc/port.h reads the default heap at this word of the
// block tp points at.
static_assert(__builtin_offsetof(k23::kernel::HartLocal, mimalloc_heap) == 3 * sizeof(void*));

namespace k23::kernel {

namespace {

constexpr int map_alignment_shift = 24; // cmake/deps/mimalloc/include/sys/mman.h
// MI_SEGMENT_SHIFT: mimalloc asks for this alignment (or more) only for
// segments, whose memory it does not expect zeroed (cmake/deps/mimalloc.cmake,
// edits 5 and 6).
constexpr unsigned segment_alignment_log = 25;
constexpr int error_invalid = 22;       // EINVAL, ENOMEM in .../errno.h
constexpr int error_no_memory = 12;

MimallocPortStats s_stats;
usize s_page_limit = 0;

} // namespace

MimallocPortStats mimalloc_port_stats() noexcept { return s_stats; }
void mimalloc_port_set_page_limit(usize pages) noexcept { s_page_limit = pages; }
usize mimalloc_port_page_limit() noexcept { return s_page_limit; }

} // namespace k23::kernel

using namespace k23;
using namespace k23::kernel;

extern "C" {

int k23_mimalloc_errno = 0;

struct k23_mimalloc_file {
    int unused;
};
static k23_mimalloc_file s_stderr_file;
static k23_mimalloc_file s_stdout_file;
extern k23_mimalloc_file* const k23_mimalloc_stderr = &s_stderr_file;
extern k23_mimalloc_file* const k23_mimalloc_stdout = &s_stdout_file;

void* k23_mimalloc_mmap(void*, usize size, int, int flags, int, long) noexcept
{
    ++s_stats.map_calls;
    unsigned alignment_log = static_cast<unsigned>(flags) >> map_alignment_shift;
    usize alignment = alignment_log >= 12 && alignment_log < 40 ? usize(1) << alignment_log : frame_size;
    usize pages = (size + frame_size - 1) / frame_size;
    if (size == 0 || pages > physical_memory().total_frame_count()) {
        k23_mimalloc_errno = error_invalid;
        ++s_stats.failed_maps;
        return reinterpret_cast<void*>(-1);
    }
    if (s_page_limit != 0 && s_stats.pages + pages > s_page_limit) {
        k23_mimalloc_errno = error_no_memory;
        ++s_stats.failed_maps;
        return reinterpret_cast<void*>(-1);
    }
    auto frames = physical_memory().allocate_frames(pages, alignment);
    if (frames.is_error()) {
        k23_mimalloc_errno = error_no_memory;
        ++s_stats.failed_maps;
        return reinterpret_cast<void*>(-1);
    }
    // Anonymous mappings are zero-filled, and mimalloc relies on it for its
    // metadata (thread data, arenas). Segments are the exception: clearing
    // the first 32 MiB one was 6 M instructions of the boot; mimalloc, told
    // they are not zero, clears their header itself and every block it
    // promises zeroed (mi_zalloc).
    auto* memory = reinterpret_cast<void*>(frames.value());
    if (alignment_log < segment_alignment_log)
        fill_bytes(memory, 0, pages * frame_size);
    s_stats.pages += pages;
    if (s_stats.pages > s_stats.peak_pages)
        s_stats.peak_pages = s_stats.pages;
    return memory;
}

int k23_mimalloc_munmap(void* address, usize size) noexcept
{
    // mimalloc may unmap part of a mapping (trimming an over-allocation):
    // frames are freed one by one, so any page-aligned piece works.
    auto base = reinterpret_cast<uptr>(address);
    if (base % frame_size != 0 || size == 0) {
        k23_mimalloc_errno = error_invalid;
        return -1;
    }
    usize pages = (size + frame_size - 1) / frame_size;
    physical_memory().free_frames(base, pages);
    s_stats.pages -= pages;
    return 0;
}

// Commit, decommit and reset: the frames stay where they are until munmap
// (with the MMU off there is nothing to map or unmap).
int k23_mimalloc_mprotect(void*, usize, int) noexcept { return 0; }
int k23_mimalloc_madvise(void*, usize, int) noexcept { return 0; }

long k23_mimalloc_sysconf(int name) noexcept { return name == 30 /* _SC_PAGESIZE */ ? long(frame_size) : -1; }
unsigned k23_mimalloc_sleep(unsigned) noexcept
{
    // Zihintpause "pause" (fence w,0), encoded by hand: rv64gc assemblers
    // reject the mnemonic, and harts without it execute a plain fence.
    asm volatile(".4byte 0x0100000f" ::: "memory");
    return 0;
}

char* k23_mimalloc_getenv(const char*) noexcept { return nullptr; }
char* k23_mimalloc_realpath(const char*, char*) noexcept { return nullptr; }
void k23_mimalloc_free(void* pointer) noexcept { mi_free(pointer); }
int k23_mimalloc_atexit(void (*)()) noexcept { return 0; } // the kernel never exits

[[noreturn]] void k23_mimalloc_abort() noexcept { panic("mimalloc: abort (heap corruption?)"_sv); }

long k23_mimalloc_strtol(const char* text, char** end, int base) noexcept
{
    // Only reached through option parsing, which the port turns off
    // (MI_NO_GETENV); decimal is enough.
    long sign = 1;
    long value = 0;
    if (*text == '-') {
        sign = -1;
        ++text;
    }
    while (*text >= '0' && *text <= '9')
        value = value * (base == 0 ? 10 : base) + (*text++ - '0');
    if (end != nullptr)
        *end = const_cast<char*>(text);
    return sign * value;
}

char* k23_mimalloc_strerror(int) noexcept { return const_cast<char*>("error"); }

char* k23_mimalloc_strstr(const char* haystack, const char* needle) noexcept
{
    usize length = __builtin_strlen(needle);
    for (; *haystack != '\0'; ++haystack) {
        if (__builtin_strncmp(haystack, needle, length) == 0)
            return const_cast<char*>(haystack);
    }
    return length == 0 ? const_cast<char*>(haystack) : nullptr;
}

char* k23_mimalloc_strncat(char* destination, const char* source, usize count) noexcept
{
    char* end = destination + __builtin_strlen(destination);
    while (count-- > 0 && *source != '\0')
        *end++ = *source++;
    *end = '\0';
    return destination;
}

int k23_mimalloc_fputs(const char* text, k23_mimalloc_file*) noexcept
{
    console_write(StringView(text));
    return 0;
}


// A printf subset for mimalloc's messages: flags '-' and '0', a width,
// the l/ll/z length modifiers, and d i u x X p s c %.
int k23_mimalloc_vsnprintf(char* buffer, usize size, const char* format, va_list args) noexcept
{
    usize length = 0;
    auto put = [&](char ch) {
        if (length + 1 < size)
            buffer[length] = ch;
        ++length;
    };
    while (*format != '\0') {
        if (*format != '%') {
            put(*format++);
            continue;
        }
        ++format;
        bool left = false;
        bool zero = false;
        for (;; ++format) {
            if (*format == '-')
                left = true;
            else if (*format == '0')
                zero = true;
            else
                break;
        }
        usize width = 0;
        while (*format >= '0' && *format <= '9')
            width = width * 10 + static_cast<usize>(*format++ - '0');
        int longs = 0;
        while (*format == 'l' || *format == 'z') {
            longs += *format == 'z' ? 2 : 1;
            ++format;
        }
        char digits[24];
        usize count = 0;
        const char* text = nullptr;
        bool negative = false;
        char conversion = *format != '\0' ? *format++ : '\0';
        switch (conversion) {
        case 'd':
        case 'i': {
            long long value = longs > 0 ? va_arg(args, long long) : va_arg(args, int);
            negative = value < 0;
            unsigned long long magnitude = negative ? 0ull - static_cast<unsigned long long>(value) : static_cast<unsigned long long>(value);
            do {
                digits[count++] = static_cast<char>('0' + magnitude % 10);
                magnitude /= 10;
            } while (magnitude != 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'p': {
            unsigned long long value = conversion == 'p' ? reinterpret_cast<uptr>(va_arg(args, void*))
                : longs > 0                             ? va_arg(args, unsigned long long)
                                                        : va_arg(args, unsigned);
            unsigned base = conversion == 'u' ? 10 : 16;
            do {
                digits[count++] = "0123456789abcdef"[value % base];
                value /= base;
            } while (value != 0);
            if (conversion == 'p') {
                digits[count++] = 'x';
                digits[count++] = '0';
            }
            break;
        }
        case 's':
            text = va_arg(args, const char*);
            if (text == nullptr)
                text = "(null)";
            break;
        case 'c':
            digits[count++] = static_cast<char>(va_arg(args, int));
            break;
        default:
            digits[count++] = conversion == '\0' ? '%' : conversion;
            break;
        }
        usize shown = text != nullptr ? __builtin_strlen(text) : count + (negative ? 1 : 0);
        usize pad = width > shown ? width - shown : 0;
        if (!left && !(zero && text == nullptr))
            for (usize i = 0; i < pad; ++i)
                put(' ');
        if (negative)
            put('-');
        if (!left && zero && text == nullptr)
            for (usize i = 0; i < pad; ++i)
                put('0');
        if (text != nullptr)
            for (const char* p = text; *p != '\0'; ++p)
                put(*p);
        else
            while (count > 0)
                put(digits[--count]);
        if (left)
            for (usize i = 0; i < pad; ++i)
                put(' ');
    }
    if (size > 0)
        buffer[length < size ? length : size - 1] = '\0';
    return static_cast<int>(length);
}

int k23_mimalloc_snprintf(char* buffer, usize size, const char* format, ...) noexcept
{
    va_list args;
    va_start(args, format);
    int length = k23_mimalloc_vsnprintf(buffer, size, format, args);
    va_end(args);
    return length;
}

// cmake/deps/mimalloc/include/time.h
struct k23_timespec {
    long tv_sec;
    long tv_nsec;
};

int k23_mimalloc_clock_gettime(int, k23_timespec* out) noexcept
{
    u64 frequency = g_platform.timebase_frequency != 0 ? g_platform.timebase_frequency : 10'000'000;
    u64 ticks = riscv64::read_time();
    out->tv_sec = static_cast<long>(ticks / frequency);
    out->tv_nsec = static_cast<long>((ticks % frequency) * 1'000'000'000ull / frequency);
    return 0;
}

long k23_mimalloc_clock() noexcept
{
    k23_timespec now;
    k23_mimalloc_clock_gettime(1, &now);
    return now.tv_sec * 1'000'000l + now.tv_nsec / 1000;
}

// Kernel harts never exit, so mimalloc's thread-exit key has nothing to do.
int k23_mimalloc_pthread_key_create(unsigned* key, void (*)(void*)) noexcept
{
    *key = 0;
    return 0;
}
int k23_mimalloc_pthread_key_delete(unsigned) noexcept { return 0; }
int k23_mimalloc_pthread_setspecific(unsigned, const void*) noexcept { return 0; }
void* k23_mimalloc_pthread_getspecific(unsigned) noexcept { return nullptr; }
int k23_mimalloc_pthread_mutex_lock(void*) noexcept { return 0; }
int k23_mimalloc_pthread_mutex_unlock(void*) noexcept { return 0; }

} // extern "C"
