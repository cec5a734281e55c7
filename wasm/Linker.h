#pragma once

// The linker: resolves a module's imports by module and export name among
// registered instances, checks them with the spec's extern-type matching
// (core spec 2.0 §4.5.2 "Import Matching"), and instantiates the module
// (§4.5.4 "Instantiation") without running code: globals from constant
// expressions (including extended-const), tables and memories, element and
// data segments with their bounds checks.
//
// Errors: ErrorCode::Unlinkable ("unknown import", "incompatible import
// type"), ErrorCode::Trap for a segment out of bounds ("out of bounds table
// access", "out of bounds memory access"), and ErrorCode::Unsupported
// "start function needs the baseline tier" when the module has a start
// function — the instance is then complete except for running it.

#include <base/HashMap.h>
#include <base/Result.h>
#include <base/StringView.h>
#include <wasm/Module.h>
#include <wasm/Runtime.h>

namespace k23::wasm {

class Linker {
public:
    explicit Linker(Store& store) noexcept
        : m_store(store)
    {
    }

    [[nodiscard]] Store& store() noexcept { return m_store; }

    // Makes `instance`'s exports importable as module `name`.
    Result<void> register_instance(StringView name, Instance* instance) noexcept;
    [[nodiscard]] Instance* find_registered(StringView name) const noexcept;

    // The spec test suite's host module "spectest" (print*, global_*,
    // table, memory), registered as "spectest".
    Result<Instance*> define_spectest() noexcept;

    // Links and instantiates. `*out` receives the instance even when only
    // the start function is left (ErrorCode::Unsupported).
    Result<Instance*> instantiate(const Module& module, Instance** out = nullptr) noexcept;

    // Evaluates a constant expression of `instance` (§4.4.10 / §3.3.10).
    Result<Value> evaluate(const Module& module, const Instance& instance, const ConstExpr& expr) noexcept;

private:
    Result<ExternValue> resolve_import(const Module& module, const Import& import) noexcept;

    Store& m_store;
    HashMap<StringView, Instance*> m_registered;
};

} // namespace k23::wasm
