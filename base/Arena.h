#pragma once

// Bump allocator: hands out memory from chunks obtained with
// platform_allocate and frees everything at once (reset() or destruction).
// It never runs destructors, so try_create only accepts trivially
// destructible types.

#include <base/Assertions.h>
#include <base/Error.h>
#include <base/Memory.h>
#include <base/Result.h>
#include <base/StdLibExtras.h>
#include <base/Integers.h>

namespace k23 {

class Arena {
public:
    static constexpr usize default_chunk_size = 64 * 1024;
    static constexpr usize default_alignment = 16;

    explicit Arena(usize chunk_size = default_chunk_size) noexcept;
    Arena(Arena&& other) noexcept;
    Arena& operator=(Arena&& other) noexcept;
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;
    ~Arena() noexcept;

    // `alignment` must be a power of two. size 0 gives a valid unique pointer.
    [[nodiscard]] Result<void*> try_allocate(usize size, usize alignment = default_alignment) noexcept;

    template<typename T, typename... Args>
    [[nodiscard]] Result<T*> try_create(Args&&... args) noexcept
    {
        static_assert(IsTriviallyDestructible<T>, "the arena never runs destructors");
        void* memory = TRY(try_allocate(sizeof(T), alignof(T)));
        return construct_at(static_cast<T*>(memory), k23::forward<Args>(args)...);
    }

    template<typename T>
    [[nodiscard]] Result<T*> try_allocate_array(usize count) noexcept
    {
        static_assert(IsTriviallyDestructible<T>, "the arena never runs destructors");
        usize bytes = 0;
        if (mul_overflow(count, sizeof(T), &bytes))
            return Error::from_code(ErrorCode::OutOfMemory, "arena array size overflows");
        void* memory = TRY(try_allocate(bytes, alignof(T)));
        return static_cast<T*>(memory);
    }

    // Releases every allocation. Keeps one standard-size chunk for reuse so a
    // reset-per-iteration pattern does not hit the platform allocator.
    void reset() noexcept;

    // Bytes handed out since construction or the last reset().
    [[nodiscard]] usize bytes_allocated() const noexcept { return m_bytes_allocated; }
    // Bytes currently held from the platform, including chunk headers.
    [[nodiscard]] usize bytes_reserved() const noexcept { return m_bytes_reserved; }
    [[nodiscard]] usize chunk_count() const noexcept;

private:
    struct Chunk;

    Result<void> try_add_chunk(usize minimum_payload) noexcept;
    void free_chunks(Chunk* keep) noexcept;

    Chunk* m_head { nullptr }; // current chunk; older chunks follow via next
    uptr m_cursor { 0 };
    uptr m_limit { 0 };
    usize m_chunk_size { default_chunk_size };
    usize m_bytes_allocated { 0 };
    usize m_bytes_reserved { 0 };
};

} // namespace k23
