#pragma once

// Control-flow analyses over the IR: reverse postorder, predecessors,
// dominators (Cooper, Harvey and Kennedy, "A Simple, Fast Dominance
// Algorithm", 2001: the iterative algorithm over reverse postorder) and
// natural loops (a back edge is an edge to a block that dominates its
// source). Recomputed by each pass that needs them; a pass that changes
// the CFG recomputes before relying on them again.

#include <jit/optimizing/IR.h>

namespace k23::jit::optimizing {

class Cfg {
public:
    Result<void> compute(const Function& function) noexcept;

    // Reachable blocks in reverse postorder (the entry first).
    [[nodiscard]] Span<const BlockId> rpo() const noexcept { return m_rpo.span(); }
    [[nodiscard]] bool is_reachable(BlockId b) const noexcept { return m_rpo_index[b] != no_id; }
    [[nodiscard]] u32 rpo_index(BlockId b) const noexcept { return m_rpo_index[b]; }
    // Predecessor blocks (one per incoming edge, so a block may repeat).
    [[nodiscard]] Span<const BlockId> predecessors(BlockId b) const noexcept
    {
        return m_pred_list.span().slice(m_pred_begin[b], m_pred_begin[b + 1] - m_pred_begin[b]);
    }
    // The immediate dominator (no_id for the entry and unreachable blocks).
    [[nodiscard]] BlockId idom(BlockId b) const noexcept { return m_idom[b]; }
    // Does a dominate b? (reflexive; O(1) through dominator-tree numbering)
    [[nodiscard]] bool dominates(BlockId a, BlockId b) const noexcept
    {
        return m_pre[a] <= m_pre[b] && m_post[b] <= m_post[a];
    }
    // Blocks in dominator-tree preorder (parents before children).
    [[nodiscard]] Span<const BlockId> dom_preorder() const noexcept { return m_dom_order.span(); }

    // Loop nesting: the innermost loop header containing b (b itself when
    // it is a header), or no_id. A loop's body is every block from which
    // a back edge's source is reachable without passing its header.
    [[nodiscard]] BlockId loop_header(BlockId b) const noexcept { return m_loop_header[b]; }
    [[nodiscard]] bool is_loop_header(BlockId b) const noexcept { return m_loop_header[b] == b && m_is_header[b]; }
    [[nodiscard]] BlockId parent_loop(BlockId header) const noexcept { return m_parent_loop[header]; }
    // Is b inside the loop headed by `header` (or one nested in it)?
    [[nodiscard]] bool in_loop(BlockId b, BlockId header) const noexcept
    {
        for (BlockId h = m_loop_header[b]; h != no_id; h = m_parent_loop[h]) {
            if (h == header)
                return true;
        }
        return false;
    }

private:
    Result<void> compute_loops(const Function& function) noexcept;

    Vector<BlockId> m_rpo;
    Vector<u32> m_rpo_index;
    Vector<u32> m_pred_begin;
    Vector<BlockId> m_pred_list;
    Vector<BlockId> m_idom;
    Vector<u32> m_pre;
    Vector<u32> m_post;
    Vector<BlockId> m_dom_order;
    Vector<BlockId> m_loop_header;
    Vector<BlockId> m_parent_loop;
    Vector<u8> m_is_header;
    // Scratch kept between computations (a pass pipeline reuses one Cfg).
    struct Visit {
        BlockId block;
        u32 next;
    };
    Vector<Visit> m_stack;
    Vector<u8> m_seen;
    Vector<BlockId> m_postorder;
    Vector<u32> m_fill;
    Vector<u32> m_child_begin;
    Vector<BlockId> m_children;
    Vector<BlockId> m_work;
};

} // namespace k23::jit::optimizing
