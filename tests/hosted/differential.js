// The V8 side of the differential test (test_differential.py): for each
// module given, instantiate it with binaryen's `fuzzing-support` logging
// imports, call every exported function in export order with default
// arguments, and print what happened in the canonical form that
// `k23-run --invoke-all` prints:
//
//   module FILE
//   call NAME
//   log i32:7 f64:0x3ff0000000000000
//   result i64:18446744073709551615
//   trap memory
//
// Integers print as unsigned decimal, floats as their bits in hex (any NaN
// as "nan": engines may differ in NaN payloads), references as null or
// nonnull. Calling `hangLimitInitializer` before each export, as binaryen's
// own harness does, keeps every call finite.
'use strict';

const fs = require('fs');

function parseSignatures(bytes) {
    let at = 8;
    const types = [];
    const functionTypes = [];
    const exports = [];
    const imports = [];
    function u8() { return bytes[at++]; }
    function leb() {
        let result = 0, shift = 0, byte;
        do {
            byte = bytes[at++];
            result += (byte & 0x7f) * Math.pow(2, shift);
            shift += 7;
        } while (byte & 0x80);
        return result;
    }
    function name() {
        const length = leb();
        const text = Buffer.from(bytes.subarray(at, at + length)).toString('utf8');
        at += length;
        return text;
    }
    function limits() {
        const flags = u8();
        leb();
        if (flags & 1) leb();
    }
    while (at < bytes.length) {
        const id = u8();
        const size = leb();
        const end = at + size;
        if (id === 1) {
            for (let n = leb(); n > 0; --n) {
                u8(); // 0x60
                const params = [];
                for (let p = leb(); p > 0; --p) params.push(u8());
                const results = [];
                for (let r = leb(); r > 0; --r) results.push(u8());
                types.push({ params, results });
            }
        } else if (id === 2) {
            for (let n = leb(); n > 0; --n) {
                const module = name();
                const field = name();
                const kind = u8();
                if (kind === 0) {
                    const type = leb();
                    functionTypes.push(type);
                    imports.push({ module, field, type });
                } else if (kind === 1) { u8(); limits(); }
                else if (kind === 2) { limits(); }
                else if (kind === 3) { u8(); u8(); }
                else if (kind === 4) { u8(); leb(); }
            }
        } else if (id === 3) {
            for (let n = leb(); n > 0; --n) functionTypes.push(leb());
        } else if (id === 7) {
            for (let n = leb(); n > 0; --n) {
                const exportName = name();
                const kind = u8();
                const index = leb();
                exports.push({ name: exportName, kind, index });
            }
        }
        at = end;
    }
    return { types, functionTypes, exports, imports };
}

const scratch = new DataView(new ArrayBuffer(8));

function format(type, value) {
    switch (type) {
    case 0x7f: return 'i32:' + ((value | 0) >>> 0).toString();
    case 0x7e: return 'i64:' + BigInt.asUintN(64, BigInt(value)).toString();
    case 0x7d:
        if (Number.isNaN(value)) return 'f32:nan';
        scratch.setFloat32(0, value, true);
        return 'f32:0x' + scratch.getUint32(0, true).toString(16).padStart(8, '0');
    case 0x7c:
        if (Number.isNaN(value)) return 'f64:nan';
        scratch.setFloat64(0, value, true);
        return 'f64:0x' + scratch.getBigUint64(0, true).toString(16).padStart(16, '0');
    case 0x70:
    case 0x6f: return 'ref:' + (value === null ? 'null' : 'nonnull');
    default: return 'v128';
    }
}

function defaultOf(type) {
    switch (type) {
    case 0x7e: return 0n;
    case 0x70:
    case 0x6f: return null;
    default: return 0;
    }
}

// V8's trap messages, in the words k23-run --invoke-all prints ("?" when
// unknown: the comparison then accepts any kind).
function trapClass(e) {
    if (e instanceof RangeError) return 'stack';
    const m = e.message;
    if (m.includes('unreachable')) return 'unreachable';
    if (m.includes('by zero')) return 'divide-by-zero';
    if (m.includes('divide result unrepresentable')) return 'integer-overflow';
    if (m.includes('float unrepresentable')) return 'conversion';
    if (m.includes('memory access out of bounds')) return 'memory';
    if (m.includes('table index is out of bounds') || m.includes('element segment')) return 'table';
    if (m.includes('function signature mismatch') || m.includes('null function')) return 'indirect-call';
    if (m.includes('null')) return 'null';
    return '?';
}

const out = [];

function runModule(file) {
    out.push('module ' + file);
    const bytes = new Uint8Array(fs.readFileSync(file));
    const { types, functionTypes, exports, imports } = parseSignatures(bytes);
    const support = {};
    for (const imp of imports) {
        if (imp.module !== 'fuzzing-support') continue;
        const type = types[imp.type];
        support[imp.field] = (...args) => {
            out.push(['log'].concat(type.params.map((t, i) => format(t, args[i]))).join(' '));
            return type.results.length === 0 ? undefined : defaultOf(type.results[0]);
        };
    }
    let instance;
    try {
        instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { 'fuzzing-support': support });
    } catch (e) {
        out.push(e instanceof WebAssembly.RuntimeError ? 'instantiate trap' : 'error ' + e.message);
        return;
    }
    const hangLimit = instance.exports.hangLimitInitializer;
    for (const exp of exports) {
        if (exp.kind !== 0) continue;
        const type = types[functionTypes[exp.index]];
        if (hangLimit) {
            try { hangLimit(); } catch (e) { }
        }
        out.push('call ' + exp.name);
        if (type.params.includes(0x7b) || type.results.includes(0x7b)) {
            out.push('skipped');
            continue;
        }
        try {
            let result = instance.exports[exp.name](...type.params.map(defaultOf));
            const values = type.results.length === 1 ? [result] : (result === undefined ? [] : Array.from(result));
            out.push(['result'].concat(type.results.map((t, i) => format(t, values[i]))).join(' '));
        } catch (e) {
            if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError)
                out.push('trap ' + trapClass(e));
            else
                out.push('error ' + e.message);
        }
    }
}

for (const file of process.argv.slice(2))
    runModule(file);
fs.writeSync(1, out.join('\n') + '\n');
