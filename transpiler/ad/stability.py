"""Which values may change between a statement and its reverse (and so must be taped).

Statements are numbered in program order.  A value a statement's adjoint reads is
*stable* if nothing can redefine the variable between the statement running in the
forward sweep and its adjoint running in the reverse sweep: no definition later in the
program, and none inside a loop that encloses the statement (the next iteration would
overwrite it).  Only unstable values are pushed on the tape.

    s = 0.0                   # x: stable everywhere (a parameter, never assigned)
    for i in range(n):
        u = x * i             # u: unstable (redefined by the next iteration)
        s = s + np.sin(u)     # the adjoint reads u  -> pushed
"""
import gast


class Stability:

    def __init__(self, fn):
        self.position = {}            # stmt -> (first, last) positions it spans
        self.defs = {}                # var -> positions of statements defining it
        self.loops = {}               # stmt -> [(first, last) of enclosing loops]
        self.paths = {}               # position -> branches it sits in: ((if statement, side), ...)
        self._counter = 0
        self._number(fn.body, [], ())

    def _number(self, stmts, loops, path):
        for stmt in stmts:
            first = self._counter
            self._counter += 1
            self.loops[stmt] = list(loops)
            self.paths[first] = path
            for name in _defined(stmt):
                self.defs.setdefault(name, []).append(first)
            if isinstance(stmt, (gast.For, gast.While)):
                span = [first, None]
                inner = loops + [span]
                self._number(stmt.body, inner, path)
                span[1] = self._counter - 1
            elif isinstance(stmt, gast.If):
                self._number(stmt.body, loops, path + ((stmt, "body"),))
                self._number(stmt.orelse, loops, path + ((stmt, "orelse"),))
            self.position[stmt] = (first, self._counter - 1)

    def _exclusive(self, a, b):
        """Positions in different branches of one ``if``: one run never sees the other."""
        sides = dict(self.paths.get(a, ()))
        return any(sides.get(if_id, side) != side for if_id, side in self.paths.get(b, ()))

    def add_def(self, var, stmt):
        """Record that ``stmt`` (already numbered) also defines ``var`` (a name reverse
        mode introduced, such as a loop counter or a callee's saved values)."""
        self.defs.setdefault(var, []).append(self.position[stmt][0])
        # (its branch path is the statement's own, already recorded)

    def in_loop(self, stmt):
        return bool(self.loops[stmt])

    def stable(self, stmt, var, role):
        """Is ``var`` (read before ``stmt`` for role 'in', after it for 'out') stable?"""
        first, last = self.position[stmt]
        defs = self.defs.get(var, ())
        later = [d for d in defs if (d >= first if role == "in" else d > last)]
        if any(not self._exclusive(first, d) for d in later):
            return False
        for lo, hi in self.loops[stmt]:
            if any(lo <= d <= hi for d in defs):
                return False
        return True


def _defined(stmt):
    if isinstance(stmt, gast.Assign):
        target = stmt.targets[0]
        if isinstance(target, gast.Name):
            return [target.id]
        if isinstance(target, gast.Tuple):
            return [e.id for e in target.elts if isinstance(e, gast.Name)]
        return []
    if isinstance(stmt, gast.For):
        return [stmt.target.id]
    return []
