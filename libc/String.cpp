// The mem* and str* functions of the freestanding loader and kernel. The compiler emits
// calls to memcpy/memset/memmove/memcmp for struct copies and
// __builtin_mem*; libfdt and base/ call the rest. The toolchain builds with
// -fno-builtin, so the loops below are never turned back into calls to
// themselves.

#include <base/Types.h>

namespace {

constexpr usize word_size = sizeof(u64);

inline bool is_word_aligned(const void* pointer) noexcept
{
    return (reinterpret_cast<uptr>(pointer) & (word_size - 1)) == 0;
}

} // namespace

extern "C" {

void* memcpy(void* destination, const void* source, usize count)
{
    auto* out = static_cast<u8*>(destination);
    auto const* in = static_cast<const u8*>(source);
    // Word copies when both sides are aligned: the common case for structs.
    if (is_word_aligned(out) && is_word_aligned(in)) {
        for (; count >= word_size; count -= word_size, out += word_size, in += word_size)
            *reinterpret_cast<u64*>(out) = *reinterpret_cast<const u64*>(in);
    }
    while (count--)
        *out++ = *in++;
    return destination;
}

void* memmove(void* destination, const void* source, usize count)
{
    auto* out = static_cast<u8*>(destination);
    auto const* in = static_cast<const u8*>(source);
    if (out == in || count == 0)
        return destination;
    // Copy forwards unless the destination overlaps the source's tail.
    if (out < in || out >= in + count)
        return memcpy(destination, source, count);
    out += count;
    in += count;
    while (count--)
        *--out = *--in;
    return destination;
}

void* memset(void* destination, int value, usize count)
{
    auto* out = static_cast<u8*>(destination);
    auto byte = static_cast<u8>(value);
    while (count > 0 && !is_word_aligned(out)) {
        *out++ = byte;
        --count;
    }
    u64 word = byte * 0x0101010101010101ull;
    for (; count >= word_size; count -= word_size, out += word_size)
        *reinterpret_cast<u64*>(out) = word;
    while (count--)
        *out++ = byte;
    return destination;
}

int memcmp(const void* a, const void* b, usize count)
{
    auto const* left = static_cast<const u8*>(a);
    auto const* right = static_cast<const u8*>(b);
    for (usize i = 0; i < count; ++i) {
        if (left[i] != right[i])
            return left[i] < right[i] ? -1 : 1;
    }
    return 0;
}

void* memchr(const void* bytes, int value, usize count)
{
    auto const* in = static_cast<const u8*>(bytes);
    auto byte = static_cast<u8>(value);
    for (usize i = 0; i < count; ++i) {
        if (in[i] == byte)
            return const_cast<u8*>(in + i);
    }
    return nullptr;
}

usize strlen(const char* string)
{
    usize length = 0;
    while (string[length] != '\0')
        ++length;
    return length;
}

usize strnlen(const char* string, usize max_length)
{
    usize length = 0;
    while (length < max_length && string[length] != '\0')
        ++length;
    return length;
}

int strcmp(const char* a, const char* b)
{
    // Compare as unsigned char, like the C standard says.
    auto const* left = reinterpret_cast<const u8*>(a);
    auto const* right = reinterpret_cast<const u8*>(b);
    while (*left != '\0' && *left == *right) {
        ++left;
        ++right;
    }
    return *left == *right ? 0 : (*left < *right ? -1 : 1);
}

int strncmp(const char* a, const char* b, usize count)
{
    auto const* left = reinterpret_cast<const u8*>(a);
    auto const* right = reinterpret_cast<const u8*>(b);
    for (usize i = 0; i < count; ++i) {
        if (left[i] != right[i])
            return left[i] < right[i] ? -1 : 1;
        if (left[i] == '\0')
            return 0;
    }
    return 0;
}

char* strchr(const char* string, int ch)
{
    auto c = static_cast<char>(ch);
    for (;; ++string) {
        if (*string == c)
            return const_cast<char*>(string);
        if (*string == '\0')
            return nullptr;
    }
}

char* strrchr(const char* string, int ch)
{
    auto c = static_cast<char>(ch);
    const char* last = nullptr;
    for (;; ++string) {
        if (*string == c)
            last = string;
        if (*string == '\0')
            return const_cast<char*>(last);
    }
}

char* strcpy(char* destination, const char* source)
{
    char* out = destination;
    while ((*out++ = *source++) != '\0') { }
    return destination;
}

char* strncpy(char* destination, const char* source, usize count)
{
    usize i = 0;
    for (; i < count && source[i] != '\0'; ++i)
        destination[i] = source[i];
    for (; i < count; ++i)
        destination[i] = '\0';
    return destination;
}

} // extern "C"
