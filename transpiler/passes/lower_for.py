"""``for`` over anything -> ``for <name> in range(...)`` plus element reads.

Requires: comprehensions lowered.  Ensures: every ``for`` iterates over ``range(...)``
with a plain name as target that its body does not reassign.  Runs before
``desugar_assign``, which unpacks the tuple targets this pass leaves as assignments.

    for x in xs:                  xs_seq = rt.as_sequence(xs)     (a dict: its keys)
        ...                       for i in range(len(xs_seq)):
                                      x = xs_seq[i]
                                      ...
    for i, (a, b) in enumerate(zip(p, q)):
        ...                 ->    for i in range(min(len(p), len(q))):
                                      a, b = p[i], q[i]
                                      ...
    for k, v in d.items():        d_keys = rt.dict_keys(d)
                                  for i in range(len(d_keys)):
                                      k = d_keys[i]
                                      v = d[k]
"""
import gast

from ..ir import build
from ..ir.walk import all_stored, map_statements
from ..pipeline import Pass


def _call_name(node, unit):
    if isinstance(node, gast.Call):
        target = unit.env.lookup(node.func)
        if target is range:
            return "range"
        if target is zip:
            return "zip"
        if target is enumerate:
            return "enumerate"
        from runtime import dict_items, dict_keys, dict_values
        if target is dict_items:
            return "items"
        if target is dict_keys:
            return "keys"
        if target is dict_values:
            return "values"
    return None


class LowerFor(Pass):
    name = "lower_for"

    def run(self, unit):
        unit.fn.body = self._block(unit, unit.fn.body)

    def _block(self, unit, stmts):
        def visit(stmt):
            if isinstance(stmt, gast.FunctionDef):
                stmt.body = self._block(unit, stmt.body)
                return [stmt]
            if isinstance(stmt, gast.For):
                return self._lower(unit, stmt)
            return [stmt]
        return map_statements(stmts, visit)

    def _lower(self, unit, loop):
        kind = _call_name(loop.iter, unit)
        written = all_stored(loop.body)
        if kind == "range":
            if not isinstance(loop.target, gast.Name):
                raise unit.error(loop, "a `range` loop needs a single loop variable")
            return self._range_loop(unit, loop, written)
        pre, head, start = [], None, None
        target = loop.target
        if kind == "enumerate":
            args = loop.iter.args
            if not (isinstance(target, (gast.Tuple, gast.List)) and len(target.elts) == 2):
                raise unit.error(loop, "unpack `enumerate` as `for i, x in enumerate(...)`")
            head, target = target.elts
            start = args[1] if len(args) > 1 else None
            for kw in loop.iter.keywords:
                if kw.arg == "start":
                    start = kw.value
            inner = args[0]
            if _call_name(inner, unit) == "zip":
                sources = list(inner.args)
                targets = self._elements(unit, target, len(sources), loop)
            else:
                sources, targets = [inner], [target]
        elif kind == "zip":
            sources = list(loop.iter.args)
            targets = self._elements(unit, target, len(sources), loop)
        elif kind in ("items", "keys", "values"):
            mapping = loop.iter.args[0]
            mapping, setup = self._stable(unit, mapping, written, loop, "dict")
            pre.extend(setup)
            keys = unit.fresh("%s_keys" % (mapping.id if isinstance(mapping, gast.Name) else "dict"))
            pre.append(build.assign(keys, build.call("rt.dict_keys", [mapping], at=loop), at=loop))
            index = self._index_name(unit, head, written)
            key = build.subscript(build.name(keys), build.name(index), at=loop)
            body = []
            if kind == "keys":
                body.append(build.assign(target, key, at=loop))
            elif kind == "values":
                body.append(build.assign(target, build.subscript(build.clone(mapping), key, at=loop),
                                         at=loop))
            else:
                if not (isinstance(target, (gast.Tuple, gast.List)) and len(target.elts) == 2):
                    raise unit.error(loop, "unpack `.items()` as `for key, value in d.items()`")
                key_target, value_target = target.elts
                body.append(build.assign(key_target, key, at=loop))
                key_read = build.clone(key_target)
                key_read.ctx = gast.Load()
                body.append(build.assign(value_target,
                                         build.subscript(build.clone(mapping), key_read, at=loop),
                                         at=loop))
            count = build.call(build.name("len"), [build.name(keys)], at=loop)
            new = build.for_(index, build.call(build.name("range"), [count], at=loop),
                             body + loop.body, at=loop)
            return pre + [new]
        else:
            sources, targets = [loop.iter], [target]
        stable = []
        for source in sources:
            source, setup = self._sequence(unit, source, loop)
            pre.extend(setup)
            stable.append(source)
        index = self._index_name(unit, head if start is None else None, written)
        body = []
        if head is not None and not (isinstance(head, gast.Name) and head.id == index):
            value = build.name(index, at=loop)
            if start is not None:
                value = build.binop(value, "+", start, at=loop)
            body.append(build.assign(head, value, at=loop))
        for t, source in zip(targets, stable):
            read = build.subscript(build.clone(source), build.name(index), at=loop)
            body.append(build.assign(t, read, at=loop))
        lengths = [build.call(build.name("len"), [build.clone(s)], at=loop) for s in stable]
        count = lengths[0] if len(lengths) == 1 else build.call(build.name("min"), lengths, at=loop)
        new = build.for_(index, build.call(build.name("range"), [count], at=loop),
                         body + loop.body, at=loop)
        return pre + [new]

    def _elements(self, unit, target, n, loop):
        if isinstance(target, (gast.Tuple, gast.List)) and len(target.elts) == n:
            return list(target.elts)
        raise unit.error(loop, "unpack `zip` into one variable per sequence: "
                         "`for a, b in zip(xs, ys)`")

    def _index_name(self, unit, head, written):
        if isinstance(head, gast.Name) and head.id not in written:
            return head.id
        return unit.fresh("i")

    def _sequence(self, unit, source, loop):
        """A name holding the iterable as something indexable, made before the loop.

        ``rt.as_sequence`` is the identity for arrays, lists and tuples (specialised code
        drops it) and gives a dict's keys, which is what iterating a dict yields.
        """
        if isinstance(source, (gast.Tuple, gast.List)):
            temp = unit.fresh("items")
            return build.name(temp, at=loop), [build.assign(temp, source, at=loop)]
        base = source.id if isinstance(source, gast.Name) else "items"
        temp = unit.fresh(base + "_seq" if isinstance(source, gast.Name) else base)
        call = build.call("rt.as_sequence", [source], at=loop)
        return build.name(temp, at=loop), [build.assign(temp, call, at=loop)]

    def _stable(self, unit, source, written, loop, base):
        """A name holding the iterable that the loop body does not rebind."""
        if isinstance(source, gast.Name) and source.id not in written:
            return source, []
        if isinstance(source, gast.Name):
            base = source.id
        temp = unit.fresh(base)
        return build.name(temp, at=loop), [build.assign(temp, source, at=loop)]

    def _range_loop(self, unit, loop, written):
        var = loop.target.id
        if var not in written:
            return [loop]
        fresh = unit.fresh(var)
        loop.target = build.name(fresh, store=True, at=loop)
        loop.body.insert(0, build.assign(var, build.name(fresh, at=loop), at=loop))
        return [loop]
