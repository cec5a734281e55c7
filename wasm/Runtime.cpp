#include <base/Memory.h>
#include <wasm/Runtime.h>

namespace k23::wasm {

StringView trap_message(TrapCode code) noexcept
{
    // The spec interpreter's wording (§4.4 "Instructions", "trap").
    switch (code) {
    case TrapCode::Unreachable: return "unreachable"_sv;
    case TrapCode::IntegerDivideByZero: return "integer divide by zero"_sv;
    case TrapCode::IntegerOverflow: return "integer overflow"_sv;
    case TrapCode::InvalidConversion: return "invalid conversion to integer"_sv;
    case TrapCode::OutOfBoundsMemory: return "out of bounds memory access"_sv;
    case TrapCode::OutOfBoundsTable: return "out of bounds table access"_sv;
    case TrapCode::IndirectCallTypeMismatch: return "indirect call type mismatch"_sv;
    case TrapCode::UninitializedElement: return "uninitialized element"_sv;
    case TrapCode::NullReference: return "null reference"_sv;
    case TrapCode::CallStackExhausted: return "call stack exhausted"_sv;
    case TrapCode::UndefinedElement: return "undefined element"_sv;
    case TrapCode::Interrupted: return "interrupted"_sv;
    }
    return "trap"_sv;
}

TableInstance::~TableInstance() noexcept
{
    if (m_elements)
        platform_deallocate_exposed(m_elements, usize(m_capacity) * sizeof(Reference), alignof(Reference), Exposure::ReadWrite);
    if (m_view)
        platform_deallocate_exposed(m_view, sizeof(TableView), alignof(TableView), Exposure::ReadOnly);
}

Result<void> TableInstance::initialize(Reference init) noexcept
{
    if (m_type.limits.min > max_elements)
        return limits::exceeded("table size", m_type.limits.min, max_elements);
    void* view = platform_allocate_exposed(sizeof(TableView), alignof(TableView), Exposure::ReadOnly);
    if (!view)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate a table");
    m_view = construct_at(static_cast<TableView*>(view));
    return resize(m_type.limits.min, init);
}

// Grows the element storage geometrically (a loop of table.grow by 1 stays
// linear) and keeps the view current.
Result<void> TableInstance::resize(u64 new_size, Reference init) noexcept
{
    if (new_size > m_capacity) {
        u64 capacity = m_capacity * 2 > new_size ? m_capacity * 2 : new_size;
        if (capacity > max_elements)
            capacity = max_elements;
        if (capacity == 0)
            capacity = 1;
        auto* elements = static_cast<Reference*>(platform_allocate_exposed(usize(capacity) * sizeof(Reference), alignof(Reference), Exposure::ReadWrite));
        if (!elements)
            return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate table elements");
        if (m_size)
            copy_bytes(elements, m_elements, usize(m_size) * sizeof(Reference));
        if (m_elements)
            platform_deallocate_exposed(m_elements, usize(m_capacity) * sizeof(Reference), alignof(Reference), Exposure::ReadWrite);
        m_elements = elements;
        m_capacity = capacity;
    }
    for (u64 i = m_size; i < new_size; ++i)
        m_elements[i] = init;
    m_size = new_size;
    *m_view = { m_elements, m_size };
    return {};
}

i64 TableInstance::grow(u32 delta, Reference init) noexcept
{
    u64 old_size = m_size;
    u64 new_size = old_size + delta;
    u64 max = m_type.limits.has_max ? m_type.limits.max : 0xffffffffull;
    if (new_size > max || new_size > max_elements)
        return -1;
    if (resize(new_size, init).is_error())
        return -1;
    m_type.limits.min = new_size;
    return i64(old_size);
}

Result<void> MemoryInstance::initialize() noexcept
{
    u64 max_pages = m_type.limits.has_max ? m_type.limits.max : limits::max_memory32_pages;
    m_reservation = TRY(platform_memory_reserve(usize(m_type.limits.min * page_size), usize(max_pages * page_size)));
    return {};
}

i64 MemoryInstance::grow(u64 delta_pages) noexcept
{
    u64 old_pages = m_type.limits.min;
    u64 new_pages = old_pages + delta_pages;
    u64 max = m_type.limits.has_max ? m_type.limits.max : limits::max_memory32_pages;
    if (new_pages > max || new_pages > limits::max_memory32_pages)
        return -1;
    if (platform_memory_grow(m_reservation, usize(new_pages * page_size)).is_error())
        return -1;
    m_type.limits.min = new_pages;
    return i64(old_pages);
}

const ExportEntry* Instance::find_export(StringView name) const noexcept
{
    for (const ExportEntry& e : m_exports) {
        if (e.name == name)
            return &e;
    }
    return nullptr;
}

// FunctionInstances and GlobalInstances are exposed (base/Platform.h):
// generated code reads the one and reads and writes the other.
template<typename T>
static constexpr bool is_exposed = IsSame<T, FunctionInstance> || IsSame<T, GlobalInstance>;
template<typename T>
static constexpr Exposure exposure_of = IsSame<T, GlobalInstance> ? Exposure::ReadWrite : Exposure::ReadOnly;

template<typename T, typename... Args>
Result<T*> Store::create(Vector<T*>& list, Args&&... args) noexcept
{
    TRY(list.try_ensure_capacity(list.size() + 1));
    void* memory = is_exposed<T> ? platform_allocate_exposed(sizeof(T), alignof(T), exposure_of<T>) : platform_allocate(sizeof(T), alignof(T));
    if (!memory)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate a runtime object");
    T* object = construct_at(static_cast<T*>(memory), k23::forward<Args>(args)...);
    MUST(list.try_append(object));
    return object;
}

template<typename T>
void Store::destroy_all(Vector<T*>& list) noexcept
{
    for (T* object : list) {
        destroy_at(object);
        if constexpr (is_exposed<T>)
            platform_deallocate_exposed(object, sizeof(T), alignof(T), exposure_of<T>);
        else
            platform_deallocate(object, sizeof(T), alignof(T));
    }
    list.clear();
}

Store::~Store() noexcept
{
    destroy_all(m_instances);
    destroy_all(m_functions);
    destroy_all(m_tables);
    destroy_all(m_memories);
    destroy_all(m_globals);
    destroy_all(m_host_functions);
    for (usize i = 0; i < m_strings.size(); ++i)
        platform_deallocate(m_strings[i], m_string_sizes[i], 1);
}

bool fits_typed_host(const FunctionType& type) noexcept
{
    auto integer = [](ValueType t) { return t == ValueType::I32 || t == ValueType::I64; };
    if (type.params.size() > typed_host_max_params || type.results.size() > 1)
        return false;
    for (ValueType t : type.params) {
        if (!integer(t))
            return false;
    }
    return type.results.is_empty() || integer(type.results[0]);
}

Result<FunctionInstance*> Store::create_host_function(const FunctionType& type, HostCallback callback, void* data) noexcept
{
    return create_host_function(type, callback, nullptr, data);
}

Result<FunctionInstance*> Store::create_host_function(const FunctionType& type, HostCallback callback, TypedHostCallback typed, void* data) noexcept
{
    if (typed && !fits_typed_host(type))
        return Error::from_code(ErrorCode::InvalidArgument, "a typed host function takes at most six integers and returns at most one");
    u32 canonical = TRY(intern_type(type));
    HostFunction* host = TRY(create(m_host_functions));
    host->callback = callback;
    host->typed = typed;
    host->data = data;
    FunctionInstance* f = TRY(create(m_functions));
    f->type = canonical;
    f->host = host;
    return f;
}

Result<FunctionInstance*> Store::create_function(u32 type, Instance* instance, u32 index) noexcept
{
    FunctionInstance* f = TRY(create(m_functions));
    f->type = type;
    f->instance = instance;
    f->index = index;
    return f;
}

Result<TableInstance*> Store::create_table(TableType type, Reference init) noexcept
{
    TableInstance* t = TRY(create(m_tables, type));
    TRY(t->initialize(init));
    return t;
}

Result<MemoryInstance*> Store::create_memory(MemoryType type) noexcept
{
    MemoryInstance* m = TRY(create(m_memories, type));
    TRY(m->initialize());
    return m;
}

Result<GlobalInstance*> Store::create_global(GlobalType type, Value value) noexcept
{
    GlobalInstance* g = TRY(create(m_globals));
    g->type = type;
    g->value = value;
    return g;
}

Result<Instance*> Store::create_instance() noexcept { return create(m_instances); }

Result<StringView> Store::intern_string(StringView text) noexcept
{
    usize size = text.length() ? text.length() : 1;
    TRY(m_strings.try_ensure_capacity(m_strings.size() + 1));
    TRY(m_string_sizes.try_ensure_capacity(m_string_sizes.size() + 1));
    char* copy = static_cast<char*>(platform_allocate(size, 1));
    if (!copy)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot copy a name");
    copy_bytes(copy, text.data(), text.length());
    MUST(m_strings.try_append(copy));
    MUST(m_string_sizes.try_append(size));
    return StringView(copy, text.length());
}

} // namespace k23::wasm
