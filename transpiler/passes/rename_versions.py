"""Straight-line redefinitions get new names (SSA outside loops); parameters are never
reassigned.

Requires: ANF.  Ensures: outside loops, every name is assigned once on each path; where
two paths meet after an ``if``, a name assigned differently on them is given one new
name by a copy at the end of each branch.  A loop keeps one name for each variable it
assigns (its *carried* name), so the loop body is left as it is.

Reverse mode reads the values a statement used when it runs that statement's adjoint; a
value whose name is never reassigned is still there, so straight-line code needs no tape:

    def f(x):                     def f(x):
        y = np.sin(x)                 y = np.sin(x)
        y = y * y          ->         y_2 = y * y
        if c:                         if c:
            y = y * 2.0                   y_3 = y_2 * 2.0
                                          y_4 = y_3
                                      else:
                                          y_4 = y_2
        return np.sum(y)              ...

A loop whose carried variable arrives under a name that was read before the loop gets a
copy (``s_2 = s``) so that those reads keep their value.
"""
import gast

from ..ir import build
from ..ir.walk import all_stored, loaded_names, subnodes
from ..pipeline import Pass


class RenameVersions(Pass):
    name = "rename_versions"
    ensures_core = True

    def run(self, unit):
        self.unit = unit
        fn = unit.fn
        self.params = set(build.param_names(fn))
        self.defined = set(self.params)          # names some version already uses
        self.reads = {}                          # version -> how often it was read so far
        current = {p: p for p in self.params}
        fn.body = self._block(fn.body, current, frozenset())

    # ------------------------------------------------------------ versions
    def _new_version(self, var):
        if var not in self.defined:
            self.defined.add(var)
            return var
        name = self.unit.fresh(var)
        self.defined.add(name)
        return name

    def _use(self, node, current):
        """Rename the names ``node`` reads to their current versions."""
        for n in subnodes(node):
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id in current:
                n.id = current[n.id]
                self.reads[n.id] = self.reads.get(n.id, 0) + 1

    # ------------------------------------------------------------ blocks
    def _block(self, stmts, current, after):
        """Rename ``stmts`` in place of ``current`` (updated); ``after``: names read after
        this block (a superset of what is live there)."""
        later = [set() for _ in stmts] + [set(after)]
        for k in range(len(stmts) - 1, -1, -1):
            later[k] = later[k + 1] | set(loaded_names(stmts[k]))
        out = []
        for k, stmt in enumerate(stmts):
            out.extend(self._stmt(stmt, current, later[k + 1]))
        return out

    def _stmt(self, stmt, current, after):
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            self._use(stmt.value, current)
            if isinstance(target, gast.Name):
                version = self._new_version(target.id)
                current[target.id] = version
                target.id = version
            else:
                self._use(target, current)
            return [stmt]
        if isinstance(stmt, gast.If):
            return self._if(stmt, current, after)
        if isinstance(stmt, (gast.For, gast.While)):
            return self._loop(stmt, current, after)
        self._use(stmt, current)
        return [stmt]

    def _if(self, stmt, current, after):
        self._use(stmt.test, current)
        body_versions, else_versions = dict(current), dict(current)
        stmt.body = self._block(stmt.body, body_versions, after)
        stmt.orelse = self._block(stmt.orelse, else_versions, after)
        for var in sorted(set(body_versions) | set(else_versions)):
            a, b = body_versions.get(var), else_versions.get(var)
            if a == b:
                continue
            if a is None or b is None or var not in after:
                current[var] = a or b        # defined on one path only, or not read after
                continue
            joined = self._new_version(var)
            stmt.body.append(build.assign(joined, build.name(a), at=stmt))
            stmt.orelse.append(build.assign(joined, build.name(b), at=stmt))
            current[var] = joined
        return [stmt]

    def _loop(self, stmt, current, after):
        carried = all_stored(stmt.body)
        if isinstance(stmt, gast.For):
            carried |= {n.id for n in subnodes(stmt.target) if isinstance(n, gast.Name)}
        exposed = _read_before_written(stmt)
        before, mapping = [], {}
        for var in sorted(carried):
            incoming = current.get(var)
            if incoming is None or var not in after and var not in exposed:
                # no value arrives (or none is read: each iteration makes its own)
                mapping[var] = self._new_version(var)
            elif incoming in self.params or self.reads.get(incoming, 0):
                # the value that arrives stays readable under its own name
                mapping[var] = self._new_version(var)
                before.append(build.assign(mapping[var], build.name(incoming), at=stmt))
            else:
                mapping[var] = incoming
        for var, version in current.items():
            mapping.setdefault(var, version)
        for node in subnodes(stmt):
            if isinstance(node, gast.Name) and node.id in mapping:
                node.id = mapping[node.id]
                if isinstance(node.ctx, gast.Load):
                    self.reads[node.id] = self.reads.get(node.id, 0) + 1
        for var in carried:
            current[var] = mapping[var]
        return before + [stmt]


def _read_before_written(loop):
    """Names the loop may read before an iteration assigns them (its test, or a read in
    the body not preceded by an assignment at the body's top level)."""
    exposed = set(loaded_names(loop.test)) if isinstance(loop, gast.While) else set()
    assigned = {n.id for n in subnodes(loop.target) if isinstance(n, gast.Name)} \
        if isinstance(loop, gast.For) else set()
    for stmt in loop.body:
        exposed |= set(loaded_names(stmt)) - assigned
        if isinstance(stmt, gast.Assign):
            assigned |= {n.id for t in stmt.targets for n in subnodes(t)
                         if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    return exposed
