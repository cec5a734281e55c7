#include <wasm/Types.h>

namespace k23::wasm {

u32 TypeTable::hash_of(Span<const ValueType> params, Span<const ValueType> results) noexcept
{
    u32 h = 2166136261u;
    auto mix = [&](u32 v) { h = (h ^ v) * 16777619u; };
    mix(u32(params.size()));
    for (ValueType t : params)
        mix(u32(t));
    mix(0xffu);
    for (ValueType t : results)
        mix(u32(t));
    return h;
}

Result<void> TypeTable::grow_buckets() noexcept
{
    usize capacity = m_buckets.size() ? m_buckets.size() * 2 : 16;
    m_buckets.clear();
    TRY(m_buckets.try_resize(capacity, 0u));
    usize mask = capacity - 1;
    for (u32 i = 0; i < m_entries.size(); ++i) {
        usize slot = m_entries[i].hash & mask;
        while (m_buckets[slot] != 0)
            slot = (slot + 1) & mask;
        m_buckets[slot] = i + 1;
    }
    return {};
}

Result<u32> TypeTable::intern(Span<const ValueType> params, Span<const ValueType> results) noexcept
{
    u32 h = hash_of(params, results);
    if (!m_buckets.is_empty()) {
        usize mask = m_buckets.size() - 1;
        for (usize slot = h & mask; m_buckets[slot] != 0; slot = (slot + 1) & mask) {
            u32 index = m_buckets[slot] - 1;
            if (m_entries[index].hash == h && at(index) == FunctionType { params, results })
                return index;
        }
    }
    if ((m_entries.size() + 1) * 4 > m_buckets.size() * 3) {
        TRY(m_entries.try_ensure_capacity(m_entries.size() + 1));
        TRY(grow_buckets());
    }
    Entry entry { u32(m_storage.size()), u32(params.size()), u32(results.size()), h };
    TRY(m_storage.try_extend(params));
    TRY(m_storage.try_extend(results));
    u32 index = u32(m_entries.size());
    TRY(m_entries.try_append(entry));
    usize mask = m_buckets.size() - 1;
    usize slot = h & mask;
    while (m_buckets[slot] != 0)
        slot = (slot + 1) & mask;
    m_buckets[slot] = index + 1;
    return index;
}

} // namespace k23::wasm
