#include <base/Arena.h>
#include <base/Bits.h>

namespace k23 {

struct alignas(16) Arena::Chunk {
    Chunk* next;
    usize size; // total bytes including this header

    uptr payload_begin() const noexcept { return reinterpret_cast<uptr>(this) + sizeof(Chunk); }
    uptr payload_end() const noexcept { return reinterpret_cast<uptr>(this) + size; }
};

// Chunks start 16-aligned; larger alignments are reached by padding.
static constexpr usize chunk_alignment = 16;

Arena::Arena(usize chunk_size) noexcept
    : m_chunk_size(max(chunk_size, usize(256)))
{
}

Arena::Arena(Arena&& other) noexcept
    : m_head(exchange(other.m_head, nullptr))
    , m_cursor(exchange(other.m_cursor, uptr(0)))
    , m_limit(exchange(other.m_limit, uptr(0)))
    , m_chunk_size(other.m_chunk_size)
    , m_bytes_allocated(exchange(other.m_bytes_allocated, usize(0)))
    , m_bytes_reserved(exchange(other.m_bytes_reserved, usize(0)))
{
}

Arena& Arena::operator=(Arena&& other) noexcept
{
    if (this != &other) {
        free_chunks(nullptr);
        m_head = exchange(other.m_head, nullptr);
        m_cursor = exchange(other.m_cursor, uptr(0));
        m_limit = exchange(other.m_limit, uptr(0));
        m_chunk_size = other.m_chunk_size;
        m_bytes_allocated = exchange(other.m_bytes_allocated, usize(0));
        m_bytes_reserved = exchange(other.m_bytes_reserved, usize(0));
    }
    return *this;
}

Arena::~Arena() noexcept
{
    free_chunks(nullptr);
}

usize Arena::chunk_count() const noexcept
{
    usize count = 0;
    for (Chunk* chunk = m_head; chunk; chunk = chunk->next)
        ++count;
    return count;
}

Result<void*> Arena::try_allocate(usize size, usize alignment) noexcept
{
    VERIFY(is_power_of_two(alignment));
    // A zero-byte request still gets a distinct address.
    usize request = size ? size : 1;
    uptr start = align_up(m_cursor, u64(alignment));
    if (m_head && start >= m_cursor && start <= m_limit && request <= m_limit - start) {
        m_cursor = start + request;
        m_bytes_allocated += request;
        return reinterpret_cast<void*>(start);
    }
    // Room for the request plus worst-case alignment padding.
    usize payload = 0;
    if (add_overflow(request, alignment, &payload))
        return Error::formatted(ErrorCode::OutOfMemory, "arena allocation of {} bytes overflows", size);
    TRY(try_add_chunk(payload));
    start = align_up(m_cursor, u64(alignment));
    VERIFY(start <= m_limit && request <= m_limit - start);
    m_cursor = start + request;
    m_bytes_allocated += request;
    return reinterpret_cast<void*>(start);
}

Result<void> Arena::try_add_chunk(usize minimum_payload) noexcept
{
    usize total = 0;
    if (add_overflow(minimum_payload, sizeof(Chunk), &total))
        return Error::formatted(ErrorCode::OutOfMemory, "arena chunk of {} bytes overflows", minimum_payload);
    total = max(total, m_chunk_size);
    void* memory = platform_allocate(total, chunk_alignment);
    if (!memory)
        return Error::formatted(ErrorCode::OutOfMemory, "cannot allocate an arena chunk of {} bytes", total);
    auto* chunk = static_cast<Chunk*>(memory);
    chunk->next = m_head;
    chunk->size = total;
    m_head = chunk;
    m_cursor = chunk->payload_begin();
    m_limit = chunk->payload_end();
    m_bytes_reserved += total;
    return {};
}

void Arena::free_chunks(Chunk* keep) noexcept
{
    Chunk* chunk = m_head;
    while (chunk) {
        Chunk* next = chunk->next;
        if (chunk != keep) {
            m_bytes_reserved -= chunk->size;
            platform_deallocate(chunk, chunk->size, chunk_alignment);
        }
        chunk = next;
    }
    m_head = nullptr;
    m_cursor = 0;
    m_limit = 0;
}

void Arena::reset() noexcept
{
    Chunk* keep = nullptr;
    for (Chunk* chunk = m_head; chunk; chunk = chunk->next) {
        if (chunk->size == m_chunk_size) {
            keep = chunk;
            break;
        }
    }
    free_chunks(keep);
    if (keep) {
        keep->next = nullptr;
        m_head = keep;
        m_cursor = keep->payload_begin();
        m_limit = keep->payload_end();
    }
    m_bytes_allocated = 0;
}

} // namespace k23
