// The mem* and str* functions of the freestanding loader and kernel. The compiler emits
// calls to memcpy/memset/memmove/memcmp for struct copies and
// __builtin_mem*; libfdt and base/ call the rest. The toolchain builds with
// -fno-builtin, so the loops below are never turned back into calls to
// themselves.

#include <base/Integers.h>

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
    const auto* in = static_cast<const u8*>(source);
    // Align the destination, then copy words. A source at another
    // alignment is read as aligned words and shifted together (RV64 may
    // trap on misaligned loads, and bytes cost eight times the loop).
    while (count > 0 && !is_word_aligned(out)) {
        *out++ = *in++;
        --count;
    }
    if (count >= 2 * word_size) {
        auto* words = reinterpret_cast<u64*>(out);
        usize offset = reinterpret_cast<uptr>(in) & (word_size - 1);
        if (offset == 0) {
            const auto* from = reinterpret_cast<const u64*>(in);
            for (; count >= 4 * word_size; count -= 4 * word_size, words += 4, from += 4) {
                u64 a = from[0], b = from[1], c = from[2], d = from[3];
                words[0] = a;
                words[1] = b;
                words[2] = c;
                words[3] = d;
            }
            for (; count >= word_size; count -= word_size)
                *words++ = *from++;
            in = reinterpret_cast<const u8*>(from);
        } else {
            // Little-endian: each output word is the high bytes of one
            // aligned source word and the low bytes of the next. The last
            // aligned word read never reaches past the source's end, since
            // at least one more byte of it is still to be copied.
            const auto* from = reinterpret_cast<const u64*>(in - offset);
            u32 right = u32(offset * 8), left = 64 - right;
            u64 current = *from++;
            for (; count >= 2 * word_size; count -= word_size) {
                u64 next = *from++;
                *words++ = (current >> right) | (next << left);
                current = next;
            }
            in = reinterpret_cast<const u8*>(from) - word_size + offset;
        }
        out = reinterpret_cast<u8*>(words);
    }
    while (count--)
        *out++ = *in++;
    return destination;
}

void* memmove(void* destination, const void* source, usize count)
{
    auto* out = static_cast<u8*>(destination);
    const auto* in = static_cast<const u8*>(source);
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
    // Eight words a turn: zeroing is most of what memset does here (the
    // heap's first 32 MiB segment at boot, guest pages on first touch),
    // and one store per loop turn would be four instructions a word.
    for (; count >= 8 * word_size; count -= 8 * word_size, out += 8 * word_size) {
        auto* words = reinterpret_cast<u64*>(out);
        words[0] = word;
        words[1] = word;
        words[2] = word;
        words[3] = word;
        words[4] = word;
        words[5] = word;
        words[6] = word;
        words[7] = word;
    }
    for (; count >= word_size; count -= word_size, out += word_size)
        *reinterpret_cast<u64*>(out) = word;
    while (count--)
        *out++ = byte;
    return destination;
}

int memcmp(const void* a, const void* b, usize count)
{
    const auto* left = static_cast<const u8*>(a);
    const auto* right = static_cast<const u8*>(b);
    for (usize i = 0; i < count; ++i) {
        if (left[i] != right[i])
            return left[i] < right[i] ? -1 : 1;
    }
    return 0;
}

void* memchr(const void* bytes, int value, usize count)
{
    const auto* in = static_cast<const u8*>(bytes);
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
    const auto* left = reinterpret_cast<const u8*>(a);
    const auto* right = reinterpret_cast<const u8*>(b);
    while (*left != '\0' && *left == *right) {
        ++left;
        ++right;
    }
    return *left == *right ? 0 : (*left < *right ? -1 : 1);
}

int strncmp(const char* a, const char* b, usize count)
{
    const auto* left = reinterpret_cast<const u8*>(a);
    const auto* right = reinterpret_cast<const u8*>(b);
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
