r"""``exp`` over a short array in one SIMD loop, for the per-weight step-size laws.

IDBD and Autostep take an ``exp`` of every weight's log step at every update. numba
lowers ``math.exp`` to a call into the C library, one element at a time, and a call
inside a loop stops LLVM from vectorising it: 16 calls were two thirds of an IDBD
update. :func:`exp_into` computes the same function with plain arithmetic that LLVM
vectorises (4 doubles per AVX2 instruction):

.. math::

    x = k \ln 2 + r,\quad k = \mathrm{round}(x / \ln 2),\quad |r| \le \tfrac{1}{2}\ln 2,
    \qquad e^x = 2^k \sum_{i=0}^{13} r^i / i!

- ``k`` is rounded by adding and subtracting :math:`1.5 \cdot 2^{52}`; the low bits of the
  sum are then ``k`` itself, and ``(k + 1023) << 52`` are the bits of :math:`2^k`.
- ``r`` is reduced in two parts (Cody and Waite): ``ln 2 = LN2_HI + LN2_LO`` with
  ``LN2_HI`` exact in 32 bits, so ``k * LN2_HI`` is exact for every ``|k| ≤ 1100``.
- The Taylor series to degree 13 truncates at ``r¹⁴/14! ≤ 4e-18`` relative, far below
  half an ulp; Horner's rule (with fused multiply-adds) keeps the rounding at most one ulp.
  The tests check ≤ 1 ulp against ``math.exp`` on 9·10⁵ points in three ranges.
- If an argument lies outside ``[-708, 709]`` (overflow, subnormal results, ``±inf``,
  NaN), the call goes element by element instead, with ``math.exp`` for those
  arguments, so the function is correct on every double.

References
----------
W. J. Cody and W. Waite, *Software Manual for the Elementary Functions*,
Prentice-Hall, 1980, ch. 6 (argument reduction for exp).
J.-M. Muller, *Elementary Functions: Algorithms and Implementation*, 3rd ed.,
Birkhäuser, 2016, ch. 11 (range reduction) and ch. 5 (polynomial evaluation).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

INV_LN2 = 1.4426950408889634
LN2_HI = 6.93147180369123816490e-01  # upper 32 bits of ln 2: k * LN2_HI is exact
LN2_LO = 1.90821492927058770002e-10  # ln 2 - LN2_HI
ROUND = 6755399441055744.0           # 1.5 * 2**52: x + ROUND rounds x to an integer
ROUND_BITS = 0x4338000000000000      # the bits of ROUND
EXP_BIAS = 1023
MANTISSA_BITS = 52
LOWEST, HIGHEST = -708.0, 709.0      # 2^k stays a normal double, e^x stays finite

C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13 = (1.0 / math.factorial(i)
                                                      for i in range(2, 14))


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def exp_in_range(x):  # pragma: no cover - compiled
    """``e^x`` for ``LOWEST <= x <= HIGHEST``; scalar in, scalar out, so LLVM inlines it
    into the caller's loop (and vectorises that loop) with this function's fused
    multiply-adds."""
    t = x * INV_LN2 + ROUND
    k = t - ROUND
    r = (x - k * LN2_HI) - k * LN2_LO
    p = C13
    p = p * r + C12
    p = p * r + C11
    p = p * r + C10
    p = p * r + C9
    p = p * r + C8
    p = p * r + C7
    p = p * r + C6
    p = p * r + C5
    p = p * r + C4
    p = p * r + C3
    p = p * r + C2
    p = p * r + 1.0
    p = p * r + 1.0
    # the low bits of t = k + ROUND are k; shifted into the exponent they make 2^k
    bits = (np.float64(t).view(np.int64) - ROUND_BITS + EXP_BIAS) << MANTISSA_BITS
    return p * np.int64(bits).view(np.float64)


@njit(cache=True, inline="always")
def exp_into(src, dst):  # pragma: no cover - compiled
    """``dst[j] = exp(src[j])`` to within one ulp, for 1-D float64 arrays of one size.

    Inlined into its caller (an array argument to a compiled call costs reference
    counting). ``dst`` may be ``src``, but two distinct arrays let LLVM vectorise: it
    cannot prove that overlapping arrays are safe.
    """
    n = src.size
    outside = 0
    for j in range(n):
        x = src[j]
        outside += not (x >= LOWEST and x <= HIGHEST)  # also counts NaN
    if outside:  # rare: element by element
        for j in range(n):
            x = src[j]
            dst[j] = exp_in_range(x) if x >= LOWEST and x <= HIGHEST else math.exp(x)
    else:
        for j in range(n):
            dst[j] = exp_in_range(src[j])
