# Reference values for QueueingTests.cs, computed with mpmath 1.3.0 at 60 significant digits, independently of the C# code:
# Erlang C from its textbook definition with factorials; Erlang A from the stationary distribution of the M/M/c+M
# birth-death chain (truncated where the terms are below 1e-60) and, for the service level, by numerical integration of
# the offered-wait distribution of Garnett, Mandelbaum & Reiman (2002), P(V > s | wait) = gamma(x, y e^{-theta s}) / gamma(x, y).
# Run: python3 queueing_reference.py
from mpmath import mp, mpf, exp, factorial, gammainc, quad, nsum, inf, log

mp.dps = 60

def erlang_c(lam_per_hour, h_min, c, t_min):
    lam = mpf(lam_per_hour) / 60
    a = lam * h_min
    top = a**c / factorial(c) * c / (c - a)
    bottom = sum(a**k / factorial(k) for k in range(c)) + top
    pw = top / bottom
    sl = 1 - pw * exp(-(c - a) * mpf(t_min) / h_min)
    w = pw * h_min / (c - a)
    return pw, sl, w

def erlang_a(lam_per_hour, h_min, c, t_min, p_min):
    lam = mpf(lam_per_hour) / 60
    mu = 1 / mpf(h_min)
    th = 1 / mpf(p_min)
    # birth-death chain, in logs relative to state c
    logpi = {}
    # states below c: pi_k / pi_c = c! / (k! a^(c-k))
    a = lam / mu
    below = sum(exp(log(factorial(c)) - log(factorial(k)) - (c - k) * log(a)) for k in range(c))
    terms = []
    t = mpf(1)
    j = 0
    while True:
        terms.append(t)
        j += 1
        t = t * lam / (c * mu + j * th)
        if t < mpf(10)**-60 * sum(terms[-50:]) and j > 10 and lam < c * mu + j * th:
            break
    above = sum(terms)
    pwait = above / (below + above)
    eq = sum(k * terms[k] for k in range(len(terms))) / (below + above)
    pab = th * eq / lam
    w = pab / th  # minutes
    # service level: answered within t, via the GMR offered-wait distribution
    x = c * mu / th
    y = lam / th
    g = lambda z: gammainc(x, 0, z)
    gy = g(y)
    dens = lambda s: th * (y * exp(-th * s))**x * exp(-y * exp(-th * s)) / gy  # -d/ds P(V>s|wait)
    answered = quad(lambda s: exp(-th * s) * dens(s), [0, mpf(t_min)])
    sl = (1 - pwait) + pwait * answered
    util = a * (1 - pab) / c
    # GMR closed forms for cross-checking the chain
    A = x * exp(y) * y**(-x) * gy
    rho = lam / (c * mu)
    B = (a**c / factorial(c)) / sum(a**k / factorial(k) for k in range(c + 1))
    pwait_gmr = A * B / (1 + (A - 1) * B)
    pab_gmr = pwait_gmr * (1 / (rho * A) + 1 - 1 / rho)
    return pwait, sl, w, pab, util, pwait_gmr, pab_gmr

def show(name, values):
    print(name, ", ".join(mp.nstr(v, 15) for v in values))

show("C 720/h 4min c55 t0.25 [pw, sl, w]", erlang_c(720, 4, 55, 0.25))
show("C 600/h 3min c11 t1/3 [pw, sl, w]", erlang_c(200, 3, 11, mpf(1) / 3))
show("C c5000 R4900 h5 t0.5", erlang_c(4900 * 12, 5, 5000, 0.5))
show("A 720/h 4min c55 t0.25 p2 [pw, sl, w, pab, util, pw_gmr, pab_gmr]", erlang_a(720, 4, 55, 0.25, 2))
show("A 720/h 4min c45 t0.25 p2", erlang_a(720, 4, 45, 0.25, 2))
show("A 720/h 4min c50 t1 p10", erlang_a(720, 4, 50, 1, 10))
