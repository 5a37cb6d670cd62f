"""``return``/``break``/``continue`` anywhere -> structured control flow with flags.

Requires: assignments desugared, loops lowered.  Ensures: the function ends with its
only ``return``; ``continue`` is gone; ``break`` appears only as ``if <flag>: break`` at
the top level of a loop body (reverse mode counts the iterations such a loop ran).

Where one branch of an ``if`` always jumps and the other never does, the rest of the
block moves into the other branch, so the common forms need no flag at all:

    for x in xs:                      broke = False
        if x < 0:                     for i in range(len(xs)):
            break             ->          x = xs[i]
        s = s + x                         if x < 0:
                                              broke = True
                                          else:
                                              s = s + x
                                          if broke:
                                              break

    if x > 0:                         if x > 0:
        return a              ->          result = a
    return b                          else:
                                          result = b
                                      return result

Flags nobody reads are removed later by dead-code elimination.
"""
from dataclasses import dataclass, field

import gast

from ..ir import build
from ..pipeline import Pass
from ..ir.walk import subnodes


def _jumps(stmt):
    """Jump kinds ``stmt`` may perform ('break'/'continue' of the innermost enclosing loop,
    'return'), and whether it jumps on every path."""
    if isinstance(stmt, gast.Return):
        return {"return"}, True
    if isinstance(stmt, gast.Break):
        return {"break"}, True
    if isinstance(stmt, gast.Continue):
        return {"continue"}, True
    if isinstance(stmt, gast.If):
        k1, a1 = _block_jumps(stmt.body)
        k2, a2 = _block_jumps(stmt.orelse)
        return k1 | k2, a1 and a2
    if isinstance(stmt, (gast.For, gast.While)):
        kinds, _ = _block_jumps(stmt.body)
        return kinds & {"return"}, False
    return set(), False


def _block_jumps(stmts):
    kinds, always = set(), False
    for stmt in stmts:
        k, a = _jumps(stmt)
        kinds |= k
        if a:
            always = True
            break
    return kinds, always


@dataclass
class _Loop:
    exit_flag: str
    skip_flag: str


@dataclass
class _Func:
    result: str
    returned: str
    loops: list = field(default_factory=list)


class StructureJumps(Pass):
    name = "structure_jumps"

    def run(self, unit):
        self.unit = unit
        self._function(unit, unit.fn)

    def _function(self, unit, fn):
        for stmt in fn.body:
            for node in subnodes(stmt):
                if isinstance(node, gast.FunctionDef):
                    self._function(unit, node)
        body = fn.body
        last = body[-1] if body else fn
        returns = [n for s in body for n in _walk_no_defs(s) if isinstance(n, gast.Return)]
        if not returns or (len(returns) == 1 and returns[0] is last):
            # no early return: only loops' break/continue need structuring
            tail = [last] if returns else [build.return_(build.const(None), at=last)]
            head = body[:-1] if returns else body
            fn.body = self._block(head, _Func(result=None, returned=None), False) + tail
            return
        ctx = _Func(result=unit.fresh("result"), returned=unit.fresh("returned"))
        new = [build.assign(ctx.returned, build.const(False), at=fn),
               build.assign(ctx.result, build.const(None), at=fn)]
        new += self._block(body, ctx, top_of_loop=False)
        new.append(build.return_(build.name(ctx.result, at=last), at=last))
        fn.body = new

    def _block(self, stmts, ctx, top_of_loop):
        out = []
        for index, stmt in enumerate(stmts):
            rest = stmts[index + 1:]
            if isinstance(stmt, (gast.Return, gast.Break, gast.Continue)):
                kinds, _ = _jumps(stmt)
                # a jump at the top of a loop body leaves the loop there and then
                return out + self._jump(stmt, ctx) + self._exit_check(
                    kinds, ctx, top_of_loop, stmt)
            kinds, always = _jumps(stmt)
            if not kinds:
                out.extend(self._inner(stmt, ctx))
                continue
            if isinstance(stmt, gast.If):
                k1, a1 = _block_jumps(stmt.body)
                k2, a2 = _block_jumps(stmt.orelse)
                moved = None
                if a1 and not k2:
                    moved = "orelse"
                elif a2 and not k1:
                    moved = "body"
                if moved is not None:
                    # one branch always jumps, the other never: the rest joins the other
                    setattr(stmt, moved, getattr(stmt, moved) + rest)
                    kinds = kinds | _block_jumps(rest)[0]
                    rest = []
                stmt.body = self._block(stmt.body, ctx, False) or [build.pass_(at=stmt)]
                stmt.orelse = self._block(stmt.orelse, ctx, False)
                out.append(stmt)
            else:
                out.extend(self._inner(stmt, ctx))
            out += self._exit_check(kinds, ctx, top_of_loop, stmt)
            if always or not rest:
                return out
            remainder = self._block(rest, ctx, top_of_loop)
            guard = self._guard(kinds, ctx, top_of_loop)
            if guard is None:
                out += remainder
            elif remainder:
                out.append(build.if_(build.unop("not", build.name(guard, at=stmt), at=stmt),
                                     remainder, at=stmt))
            return out
        return out

    def _jump(self, stmt, ctx):
        out = []
        if isinstance(stmt, gast.Return):
            value = stmt.value if stmt.value is not None else build.const(None)
            out.append(build.assign(ctx.result, value, at=stmt))
            out.append(build.assign(ctx.returned, build.const(True), at=stmt))
            loops = ctx.loops
        else:
            loops = ctx.loops[-1:]
        for loop in loops:
            if not isinstance(stmt, gast.Continue):
                out.append(build.assign(loop.exit_flag, build.const(True), at=stmt))
        if ctx.loops:
            out.append(build.assign(ctx.loops[-1].skip_flag, build.const(True), at=stmt))
        return out

    def _exit_check(self, kinds, ctx, top_of_loop, at):
        if top_of_loop and ctx.loops and kinds & {"break", "return"}:
            flag = ctx.loops[-1].exit_flag
            return [build.if_(build.name(flag, at=at), [build.break_(at=at)], at=at)]
        return []

    def _guard(self, kinds, ctx, top_of_loop):
        """The flag telling the rest of the block to be skipped (None: nothing to skip).

        Inside a loop every jump sets the loop's skip flag; at the top level of the body a
        break has already left the loop, so only `continue` needs the guard there.
        """
        if ctx.loops:
            if top_of_loop and "continue" not in kinds:
                return None
            return ctx.loops[-1].skip_flag
        return ctx.returned if "return" in kinds else None

    def _inner(self, stmt, ctx):
        """Transform a statement that is not itself a jump; returns a list."""
        if isinstance(stmt, (gast.For, gast.While)):
            kinds, _ = _block_jumps(stmt.body)
            loop = _Loop(exit_flag=self.unit.fresh("broke"), skip_flag=self.unit.fresh("skipped"))
            ctx.loops.append(loop)
            body = self._block(stmt.body, ctx, top_of_loop=True)
            ctx.loops.pop()
            if kinds:
                body.insert(0, build.assign(loop.skip_flag, build.const(False), at=stmt))
            stmt.body = body
            if kinds & {"break", "return"}:
                return [build.assign(loop.exit_flag, build.const(False), at=stmt), stmt]
            return [stmt]
        if isinstance(stmt, gast.If):
            stmt.body = self._block(stmt.body, ctx, False) or [build.pass_(at=stmt)]
            stmt.orelse = self._block(stmt.orelse, ctx, False)
        return [stmt]


def _walk_no_defs(node):
    yield node
    for child in gast.iter_child_nodes(node):
        if isinstance(child, gast.FunctionDef):
            continue
        yield from _walk_no_defs(child)
