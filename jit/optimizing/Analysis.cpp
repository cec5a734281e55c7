// Cfg (Analysis.h): RPO, predecessors, dominators, loops.

#include <jit/optimizing/Analysis.h>

namespace k23::jit::optimizing {

Result<void> Cfg::compute(const Function& f) noexcept
{
    usize n = f.blocks.size();
    m_rpo.clear();
    m_rpo_index.clear();
    TRY(m_rpo_index.try_resize(n, no_id));

    // Postorder by an explicit DFS stack of (block, next successor).
    auto& stack = m_stack;
    auto& seen = m_seen;
    auto& post = m_postorder;
    stack.clear();
    seen.clear();
    post.clear();
    TRY(seen.try_resize(n, 0));
    TRY(stack.try_append({ f.entry, 0 }));
    seen[f.entry] = 1;
    while (!stack.is_empty()) {
        Visit& top = stack.last();
        const Block& b = f.blocks[top.block];
        const Inst* term = b.last != no_id ? &f.insts[b.last] : nullptr;
        if (term && top.next < term->edge_count) {
            BlockId s = f.edges[term->first_edge + top.next].target;
            ++top.next;
            if (!seen[s] && !f.blocks[s].removed) {
                seen[s] = 1;
                TRY(stack.try_append({ s, 0 }));
            }
            continue;
        }
        TRY(post.try_append(top.block));
        stack.take_last();
    }
    TRY(m_rpo.try_ensure_capacity(post.size()));
    for (usize i = post.size(); i > 0; --i) {
        m_rpo_index[post[i - 1]] = u32(m_rpo.size());
        TRY(m_rpo.try_append(post[i - 1]));
    }

    // Predecessors of reachable blocks, from reachable blocks (CSR form).
    m_pred_begin.clear();
    m_pred_list.clear();
    TRY(m_pred_begin.try_resize(n + 1, 0));
    for (BlockId b : m_rpo) {
        if (f.blocks[b].last == no_id)
            continue;
        const Inst& term = f.insts[f.blocks[b].last];
        for (u32 k = 0; k < term.edge_count; ++k)
            ++m_pred_begin[f.edges[term.first_edge + k].target + 1];
    }
    for (usize i = 0; i < n; ++i)
        m_pred_begin[i + 1] += m_pred_begin[i];
    TRY(m_pred_list.try_resize(m_pred_begin[n]));
    auto& fill = m_fill;
    fill.clear();
    TRY(fill.try_resize(n, 0));
    for (BlockId b : m_rpo) {
        if (f.blocks[b].last == no_id)
            continue;
        const Inst& term = f.insts[f.blocks[b].last];
        for (u32 k = 0; k < term.edge_count; ++k) {
            BlockId t = f.edges[term.first_edge + k].target;
            m_pred_list[m_pred_begin[t] + fill[t]++] = b;
        }
    }

    // Dominators: iterate idom(b) = intersect of processed predecessors.
    m_idom.clear();
    TRY(m_idom.try_resize(n, no_id));
    m_idom[f.entry] = f.entry;
    auto intersect = [&](BlockId a, BlockId b) {
        while (a != b) {
            while (m_rpo_index[a] > m_rpo_index[b])
                a = m_idom[a];
            while (m_rpo_index[b] > m_rpo_index[a])
                b = m_idom[b];
        }
        return a;
    };
    for (bool changed = true; changed;) {
        changed = false;
        for (usize i = 1; i < m_rpo.size(); ++i) {
            BlockId b = m_rpo[i];
            BlockId new_idom = no_id;
            for (BlockId p : predecessors(b)) {
                if (m_idom[p] == no_id)
                    continue;
                new_idom = new_idom == no_id ? p : intersect(p, new_idom);
            }
            if (new_idom != m_idom[b]) {
                m_idom[b] = new_idom;
                changed = true;
            }
        }
    }
    m_idom[f.entry] = no_id;

    // Dominator tree numbering (pre/post) for O(1) dominance queries:
    // children lists in CSR form, then an explicit-stack walk.
    auto& child_begin = m_child_begin;
    child_begin.clear();
    TRY(child_begin.try_resize(n + 1, 0));
    for (BlockId b : m_rpo) {
        if (m_idom[b] != no_id)
            ++child_begin[m_idom[b] + 1];
    }
    for (usize i = 0; i < n; ++i)
        child_begin[i + 1] += child_begin[i];
    auto& children = m_children;
    children.clear();
    TRY(children.try_resize(child_begin[n]));
    for (auto& x : fill)
        x = 0;
    for (BlockId b : m_rpo) {
        BlockId p = m_idom[b];
        if (p != no_id)
            children[child_begin[p] + fill[p]++] = b;
    }
    m_pre.clear();
    m_post.clear();
    m_dom_order.clear();
    TRY(m_pre.try_resize(n, 0xffffffffu));
    TRY(m_post.try_resize(n, 0));
    u32 pre = 0, postn = 0;
    stack.clear();
    TRY(stack.try_append({ f.entry, 0 }));
    m_pre[f.entry] = pre++;
    TRY(m_dom_order.try_append(f.entry));
    while (!stack.is_empty()) {
        Visit& top = stack.last();
        u32 count = child_begin[top.block + 1] - child_begin[top.block];
        if (top.next < count) {
            BlockId c = children[child_begin[top.block] + top.next++];
            m_pre[c] = pre++;
            TRY(m_dom_order.try_append(c));
            TRY(stack.try_append({ c, 0 }));
            continue;
        }
        m_post[top.block] = postn++;
        stack.take_last();
    }
    return compute_loops(f);
}

Result<void> Cfg::compute_loops(const Function& f) noexcept
{
    usize n = f.blocks.size();
    m_loop_header.clear();
    m_parent_loop.clear();
    m_is_header.clear();
    TRY(m_loop_header.try_resize(n, no_id));
    TRY(m_parent_loop.try_resize(n, no_id));
    TRY(m_is_header.try_resize(n, 0));
    // Headers in reverse RPO: inner loops (later headers) are found first,
    // so an outer loop's walk sees inner bodies already claimed and jumps
    // over them through their header.
    auto& work = m_work;
    for (usize i = m_rpo.size(); i > 0; --i) {
        BlockId h = m_rpo[i - 1];
        work.clear();
        for (BlockId p : predecessors(h)) {
            if (dominates(h, p))
                TRY(work.try_append(p));
        }
        if (work.is_empty())
            continue;
        m_is_header[h] = 1;
        m_loop_header[h] = h;
        while (!work.is_empty()) {
            BlockId b = work.take_last();
            // The outermost loop found so far that contains b, or b itself.
            BlockId r = b;
            if (m_loop_header[b] != no_id) {
                r = m_loop_header[b];
                while (m_parent_loop[r] != no_id)
                    r = m_parent_loop[r];
            }
            if (r == h)
                continue;
            if (m_loop_header[r] == no_id)
                m_loop_header[r] = h; // an unclaimed block joins h's body
            else
                m_parent_loop[r] = h; // an inner loop nests in h
            // Walk on from r: an inner loop is entered only through its header.
            for (BlockId p : predecessors(r))
                TRY(work.try_append(p));
        }
    }
    return {};
}

} // namespace k23::jit::optimizing
