"""Shrunk fuzzer failures, kept as regression tests (``test_fuzz.test_regression``).

Each entry is a minimal program the fuzzer found, with the parameters and the seed of
the inputs that showed the failure, and a name saying what went wrong (F1... are the
findings reported with them).  Each must end checked or refused: never a wrong number,
never a crash.  ``Program.describe()`` prints a new failure in this form (``explore.py``
prints every failure it shrinks that way).
"""
from .program import Param, Program

X = Param("x", "array", (3,))
A = Param("A", "array", (2, 3))
S = Param("s", "float")
T = Param("t", "float")


def _program(name, source, params=(X,), argnums=(0,), seed=0):
    return Program(source, params, argnums, seed, name)


REGRESSIONS = [
    _program("F1 wrong value: c *= k on an alias of a local array leaves the array as it was", '''
        import numpy as np

        def f(s):
            a = np.full(6, s)
            c = a
            c *= 1.5
            return np.sum(a)
    ''', params=(S,), seed=21938),
    _program("F1 wrong value: a *= k after L.append(a) leaves the list element as it was", '''
        import numpy as np

        def f(x):
            a = x * 2.0
            L = []
            L.append(a)
            a *= 3.0
            return np.sum(np.array(L))
    '''),
    _program("F2 wrong gradient: b = b[1] (rebound to an element of itself) loses the adjoint", '''
        def f(x):
            b = x * 2.0
            b = b[1]
            return b * 1.0
    '''),
    _program("F2 wrong gradient: A = A[1] (a parameter rebound to a row of itself)", '''
        import numpy as np

        def f(A):
            A = A[1]
            return np.sum(A)
    ''', params=(A,), seed=38),
    _program("F2 crash: B = B[:, 0] then an early return: non-broadcastable output operand", '''
        import numpy as np

        def f(B, s):
            B = B[:, 0]
            if s > 0.0:
                return s
            return np.sum(B)
    ''', params=(Param("B", "array", (2, 1)), S), argnums=(0, 1), seed=3),
    _program("F3 wrong gradient: a list repeated with [x] * 2 counts x once", '''
        import numpy as np

        def f(x):
            L = [x] * 2
            return np.sum(sum(L))
    '''),
    _program("F4 wrong gradient: da += ... also changes a copy of the adjoint taken before", '''
        import numpy as np

        def f(x, s):
            a = x * 2.0
            a = a + a / s
            a[1] = 3.0
            return np.sum(a)
    ''', params=(X, S), argnums=(0, 1), seed=3419),
    _program("F5 wrong gradient: an unconditional return in a loop body does not end the loop", '''
        def f(x, s):
            for q in x:
                return s * q
            return s
    ''', params=(X, S), argnums=(0, 1)),
    _program("F6 wrong gradient: a = a - 0.5 has no adjoint code; the tape push precedes it", '''
        import numpy as np

        def f(x):
            a = np.array(x)
            a = a - 0.5
            a = a * x
            return np.sum(a)
    ''', seed=6),
    _program("F6 generic vs specialised: the generic code tapes a reassigned variable early", '''
        import numpy as np

        def f(x):
            a = x * np.ones(3)
            a = a - 1.5
            b = a
            a = a * b
            return np.sum(a)
    '''),
    _program("F6 crash: a variable taped before a = np.sum(a) is popped for a = a * a", '''
        import numpy as np

        def f(x):
            a = np.full(2, np.min(x))
            a = np.sum(a)
            a = a * a
            return a
    '''),
    _program("F7 crash: return inside a nested if emits an empty if block", '''
        import numpy as np

        def f(x, n):
            if n % 2 == 0:
                if np.sum(x) > 0.0:
                    return 2.0
            return np.sum(x)
    ''', params=(X, Param("n", "int", value=0))),
    _program("F7 crash: a conditional expression with a constant branch emits an empty else", '''
        def f(s, t):
            t = 1.5 if t > 0.0 else t
            return s * t
    ''', params=(S, T), argnums=(0, 1), seed=16930),
    _program("F8 crash: M.append(M[0]) on a repeated list: output array is read-only", '''
        import numpy as np

        def f(x):
            M = [x] * 2
            M.append(M[0])
            return np.sum(np.array(M))
    '''),
    _program("F8 crash: L + L of a repeated list: operands could not be broadcast", '''
        import numpy as np

        def f(x):
            L = [x] * 2
            M = L + L
            return np.sum(sum(M))
    '''),
    _program("F9 crash: the adjoint of a variable named el is named del", '''
        import numpy as np

        def f(x):
            el = x * 2.0
            el = el * el
            return np.sum(el)
    '''),
    _program("F10 wrong value: returning a reassigned variable gives its earlier value", '''
        def f(s):
            a = s * 2.0
            a = a * a
            return a
    ''', params=(S,)),
    _program("F11 crash: tp.vjp of a comprehension then append(constant): IndexError", '''
        import numpy as np

        def f(x):
            L = [x * 2.0 for r in range(2)]
            L.append(3.0)
            return np.sum(sum(L))
    '''),
    _program("F12 wrong gradient: two loops with an early return pop their flags swapped", '''
        def f(x, s):
            for q in x:
                if q > 5.0:
                    return q
            for q in x:
                if q > 0.0:
                    return s * q
            return s
    ''', params=(X, S), argnums=(0, 1), seed=1),
    _program("F13 wrong gradient: tp.vjp saves a view, then a[1:] *= x[0] changes it", '''
        import numpy as np

        def f(x):
            a = x * 1.0
            a[1:] *= x[0]
            return np.sum(a)
    '''),
    _program("F14 crash: a branch whose adjoint is only a comment came out as an empty block", '''
        import numpy as np

        def h0(p0, p1, p2):
            return (np.full(6, 0.5), p2)

        def f(y, t):
            a = np.zeros((2, 3))
            b, c = h0(1, 1, a.reshape(6) if t else y)
            a[-2] -= c @ b
            return np.sum(a) + np.sum(y ** 2)
    ''', params=(X, Param("t", "0d")), argnums=(0, 1), seed=11814),
    _program("F15 re-entry refused: the tape held a buffer a later write changes (and undoes)", '''
        import numpy as np

        def f(x):
            a = np.full((2, 1), 0.5)
            for r in x:
                a *= r
            a[-2] = np.linalg.norm(a)
            return np.sum(a)
    '''),
    _program("F16 wrong Hessian-vector product: a temporary named iadd hid operator.iadd", '''
        import numpy as np

        def f(z):
            z = (np.sum(z) + np.zeros(6))[::3]
            if not 0:
                return np.dot(z, z)
            return 0.0
    ''', params=(Param("z", "array", (2,)),)),
    _program("F17 vjp crash: a list pushed on two stacks, snapshot apart, no longer one", '''
        import numpy as np

        def f(z, s, n):
            M = []
            for i, r in enumerate(z):
                L = [n for row in z]
                L.append(z.max())
                M.append(L)
            return np.sum(M)
    ''', params=(Param("z", "array", (2,)), Param("s", "float64"), Param("n", "int", value=0)),
        argnums=(1,), seed=10215),
    _program("F17 (other shapes): one list pushed twice on a stack; two lists held by two lists", '''
        import numpy as np

        def f(z):
            K = []
            M = []
            for r in z:
                L = [r, r * r]
                K.append(L)
                M.append(L)
                M.append([2.0])
            s = 0.0
            for L in K:
                s = s + L[0] * L[1]
            return s + np.sum(np.array(M[0])) * z.max()
    ''', params=(Param("z", "array", (3,)),)),
]
