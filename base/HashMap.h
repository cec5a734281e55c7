#pragma once

// Open-addressing hash map with linear probing and backward-shift deletion
// (no tombstones, so lookups never slow down after many removals). Entries
// move when the table grows or on removal: do not keep pointers from get()
// across try_set()/remove().

#include <base/Assertions.h>
#include <base/Error.h>
#include <base/Memory.h>
#include <base/Result.h>
#include <base/StdLibExtras.h>
#include <base/StringView.h>
#include <base/Integers.h>

namespace k23 {

// Fibonacci-style mixing: multiply by 2^64/phi and fold the high half down,
// because the table indexes with the low bits.
[[nodiscard]] constexpr u32 hash_u64(u64 value) noexcept
{
    value ^= value >> 29;
    value *= 0x9e3779b97f4a7c15ull;
    return u32(value >> 32) ^ u32(value);
}

template<typename T>
struct Traits;

template<Integral T>
struct Traits<T> {
    static constexpr u32 hash(T value) noexcept { return hash_u64(u64(value)); }
    static constexpr bool equals(T a, T b) noexcept { return a == b; }
};

template<typename T>
    requires IsEnum<T>
struct Traits<T> {
    static constexpr u32 hash(T value) noexcept { return hash_u64(u64(UnderlyingType<T>(value))); }
    static constexpr bool equals(T a, T b) noexcept { return a == b; }
};

template<typename T>
struct Traits<T*> {
    static u32 hash(const T* value) noexcept { return hash_u64(u64(reinterpret_cast<uptr>(value))); }
    static constexpr bool equals(const T* a, const T* b) noexcept { return a == b; }
};

template<>
struct Traits<StringView> {
    static constexpr u32 hash(StringView value) noexcept { return value.hash(); }
    static constexpr bool equals(StringView a, StringView b) noexcept { return a == b; }
};

enum class HashSetResult : u8 {
    InsertedNewEntry,
    ReplacedExistingEntry,
};

template<typename K, typename V, typename KeyTraits = Traits<K>>
class HashMap {
public:
    struct Entry {
        K key;
        V value;
    };

private:
    struct Bucket {
        bool used;
        u32 hash;
        alignas(Entry) u8 storage[sizeof(Entry)];

        Entry* entry() noexcept { return reinterpret_cast<Entry*>(storage); }
        const Entry* entry() const noexcept { return reinterpret_cast<const Entry*>(storage); }
    };

public:
    template<typename MapType, typename EntryType>
    class IteratorBase {
    public:
        EntryType& operator*() const noexcept { return *m_map->m_buckets[m_index].entry(); }
        EntryType* operator->() const noexcept { return m_map->m_buckets[m_index].entry(); }
        IteratorBase& operator++() noexcept
        {
            ++m_index;
            skip_unused();
            return *this;
        }
        bool operator==(const IteratorBase& other) const noexcept { return m_index == other.m_index; }
        bool operator!=(const IteratorBase& other) const noexcept { return m_index != other.m_index; }

    private:
        friend class HashMap;
        IteratorBase(MapType* map, usize index) noexcept
            : m_map(map)
            , m_index(index)
        {
            skip_unused();
        }
        void skip_unused() noexcept
        {
            while (m_index < m_map->m_capacity && !m_map->m_buckets[m_index].used)
                ++m_index;
        }
        MapType* m_map;
        usize m_index;
    };
    using Iterator = IteratorBase<HashMap, Entry>;
    using ConstIterator = IteratorBase<const HashMap, const Entry>;

    HashMap() noexcept = default;
    HashMap(HashMap&& other) noexcept
        : m_buckets(k23::exchange(other.m_buckets, nullptr))
        , m_capacity(k23::exchange(other.m_capacity, usize(0)))
        , m_size(k23::exchange(other.m_size, usize(0)))
    {
    }
    HashMap& operator=(HashMap&& other) noexcept
    {
        if (this != &other) {
            clear_with_capacity();
            m_buckets = k23::exchange(other.m_buckets, nullptr);
            m_capacity = k23::exchange(other.m_capacity, usize(0));
            m_size = k23::exchange(other.m_size, usize(0));
        }
        return *this;
    }
    HashMap(const HashMap&) = delete;
    HashMap& operator=(const HashMap&) = delete;
    ~HashMap() noexcept { clear_with_capacity(); }

    [[nodiscard]] usize size() const noexcept { return m_size; }
    [[nodiscard]] usize capacity() const noexcept { return m_capacity; }
    [[nodiscard]] bool is_empty() const noexcept { return m_size == 0; }

    Iterator begin() noexcept { return Iterator(this, 0); }
    Iterator end() noexcept { return Iterator(this, m_capacity); }
    ConstIterator begin() const noexcept { return ConstIterator(this, 0); }
    ConstIterator end() const noexcept { return ConstIterator(this, m_capacity); }

    // Makes room for `count` entries without further allocation.
    Result<void> try_ensure_capacity(usize count) noexcept
    {
        usize needed = minimum_capacity;
        while (!fits(count, needed)) {
            if (needed > (~usize(0) >> 2))
                return Error::from_code(ErrorCode::OutOfMemory, "hash map too large");
            needed *= 2;
        }
        if (needed <= m_capacity)
            return {};
        return rehash(needed);
    }

    Result<HashSetResult> try_set(K key, V value) noexcept
    {
        u32 h = KeyTraits::hash(key);
        if (Bucket* bucket = find_bucket(key, h)) {
            bucket->entry()->value = k23::move(value);
            return HashSetResult::ReplacedExistingEntry;
        }
        if (!fits(m_size + 1, m_capacity))
            TRY(try_ensure_capacity(m_size + 1));
        insert_new(h, k23::move(key), k23::move(value));
        return HashSetResult::InsertedNewEntry;
    }

    HashSetResult set(K key, V value) noexcept { return MUST(try_set(k23::move(key), k23::move(value))); }

    [[nodiscard]] V* get(const K& key) noexcept
    {
        Bucket* bucket = find_bucket(key, KeyTraits::hash(key));
        return bucket ? &bucket->entry()->value : nullptr;
    }
    [[nodiscard]] const V* get(const K& key) const noexcept
    {
        return const_cast<HashMap*>(this)->get(key);
    }
    [[nodiscard]] bool contains(const K& key) const noexcept { return get(key) != nullptr; }

    // Returns whether the key was present.
    bool remove(const K& key) noexcept
    {
        Bucket* bucket = find_bucket(key, KeyTraits::hash(key));
        if (!bucket)
            return false;
        remove_at(usize(bucket - m_buckets));
        return true;
    }

    void clear() noexcept
    {
        for (usize i = 0; i < m_capacity; ++i) {
            if (m_buckets[i].used) {
                destroy_at(m_buckets[i].entry());
                m_buckets[i].used = false;
            }
        }
        m_size = 0;
    }

    void clear_with_capacity() noexcept
    {
        clear();
        if (m_buckets)
            platform_deallocate(m_buckets, m_capacity * sizeof(Bucket), alignof(Bucket));
        m_buckets = nullptr;
        m_capacity = 0;
    }

private:
    static constexpr usize minimum_capacity = 8;

    // Keep the load factor at or below 3/4 so probe sequences stay short.
    static constexpr bool fits(usize count, usize capacity) noexcept { return count <= capacity - capacity / 4 && capacity != 0; }

    Bucket* find_bucket(const K& key, u32 h) noexcept
    {
        if (m_capacity == 0)
            return nullptr;
        usize mask = m_capacity - 1;
        for (usize i = h & mask;; i = (i + 1) & mask) {
            Bucket& bucket = m_buckets[i];
            if (!bucket.used)
                return nullptr;
            if (bucket.hash == h && KeyTraits::equals(bucket.entry()->key, key))
                return &bucket;
        }
    }

    void insert_new(u32 h, K&& key, V&& value) noexcept
    {
        usize mask = m_capacity - 1;
        usize i = h & mask;
        while (m_buckets[i].used)
            i = (i + 1) & mask;
        Bucket& bucket = m_buckets[i];
        construct_at(bucket.entry(), Entry { k23::move(key), k23::move(value) });
        bucket.hash = h;
        bucket.used = true;
        ++m_size;
    }

    // Backward-shift deletion: pull later members of the probe chain into
    // the hole unless that would move them before their home bucket.
    void remove_at(usize hole) noexcept
    {
        usize mask = m_capacity - 1;
        destroy_at(m_buckets[hole].entry());
        m_buckets[hole].used = false;
        --m_size;
        for (usize j = (hole + 1) & mask; m_buckets[j].used; j = (j + 1) & mask) {
            usize home = m_buckets[j].hash & mask;
            bool home_in_hole_to_j = hole < j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (home_in_hole_to_j)
                continue;
            construct_at(m_buckets[hole].entry(), k23::move(*m_buckets[j].entry()));
            m_buckets[hole].hash = m_buckets[j].hash;
            m_buckets[hole].used = true;
            destroy_at(m_buckets[j].entry());
            m_buckets[j].used = false;
            hole = j;
        }
    }

    Result<void> rehash(usize new_capacity) noexcept
    {
        usize bytes = 0;
        if (mul_overflow(new_capacity, sizeof(Bucket), &bytes))
            return Error::from_code(ErrorCode::OutOfMemory, "hash map too large");
        auto* new_buckets = static_cast<Bucket*>(platform_allocate(bytes, alignof(Bucket)));
        if (!new_buckets)
            return Error::formatted(ErrorCode::OutOfMemory, "cannot allocate {} bytes for a hash map", bytes);
        for (usize i = 0; i < new_capacity; ++i)
            new_buckets[i].used = false;

        Bucket* old_buckets = m_buckets;
        usize old_capacity = m_capacity;
        m_buckets = new_buckets;
        m_capacity = new_capacity;
        m_size = 0;
        for (usize i = 0; i < old_capacity; ++i) {
            Bucket& old = old_buckets[i];
            if (!old.used)
                continue;
            insert_new(old.hash, k23::move(old.entry()->key), k23::move(old.entry()->value));
            destroy_at(old.entry());
        }
        if (old_buckets)
            platform_deallocate(old_buckets, old_capacity * sizeof(Bucket), alignof(Bucket));
        return {};
    }

    Bucket* m_buckets { nullptr };
    usize m_capacity { 0 };
    usize m_size { 0 };
};

} // namespace k23
