"""The LossForge losses written in PyTorch eager, one function per registry id, at the shapes of the
Java `EagerComparison` (benchmarks module). Each formula is the one in the loss's javadoc with its
default parameters; inputs are random with the same shapes and distributions as the Java side.

Usage: python3 losses.py [--warmup 3] [--iterations 10] ID...   (no ids: all)
Prints one line per id: "EAGER <id> <median ms of forward + backward>", on one thread.
"""
import argparse
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
DT = torch.float32


def gen(seed):
    g = torch.Generator().manual_seed(seed)
    return g


def normal(g, *shape, scale=1.0, grad=True):
    return (torch.randn(*shape, generator=g, dtype=DT) * scale).requires_grad_(grad)


def uniform(g, lo, hi, *shape, grad=True):
    return (lo + (hi - lo) * torch.rand(*shape, generator=g, dtype=DT)).requires_grad_(grad)


def classes(g, c, *shape):
    return torch.randint(0, c, shape, generator=g)


# ---- classification (N=256, C=1000) ------------------------------------------------------------

def comp_sum(g):
    x, y = normal(g, 256, 1000), classes(g, 1000, 256)
    return [x], lambda: F.cross_entropy(x, y)  # tau = 1: softmax cross-entropy


def ldr_kl(g):
    x, y = normal(g, 256, 1000), classes(g, 1000, 256)
    lam, margin = 1.0, 0.1

    def f():
        delta = torch.full_like(x, margin).scatter(1, y.view(-1, 1), 0.0)
        z = (delta + x - x.gather(1, y.view(-1, 1))) / lam
        return (lam * (torch.logsumexp(z, 1) - math.log(x.shape[1]))).mean()
    return [x], f


def z_loss_spherical(g):
    o, y = normal(g, 256, 1000), classes(g, 1000, 256)
    a, b, eps = 1.0, 0.0, 1e-6

    def f():
        mu = o.mean(1, keepdim=True)
        c = o - mu
        sigma = torch.sqrt((c * c).mean(1, keepdim=True) + eps * eps)
        z = (c / sigma).gather(1, y.view(-1, 1)).squeeze(1)
        return (F.softplus(a * (b - z)) / a).mean()
    return [o], f


def hl_gauss(g):
    n, m, lo, hi, ratio = 1024, 101, -10.0, 10.0, 0.75
    x = normal(g, n, m)
    y = uniform(g, lo, hi, n, grad=False)
    edges = torch.linspace(lo, hi, m + 1, dtype=torch.float64)
    sigma = ratio * (hi - lo) / m

    def f():
        cdf = torch.special.erf((edges.view(1, -1) - y.double().view(-1, 1)) / (math.sqrt(2) * sigma))
        p = (cdf[:, 1:] - cdf[:, :-1]) / (cdf[:, -1:] - cdf[:, :1])
        return (-(p.to(DT) * F.log_softmax(x, 1)).sum(1)).mean()
    return [x], f


def cce(g):
    n, d, v = 1024, 256, 8192
    e, c, y = normal(g, n, d, scale=0.1), normal(g, v, d, scale=0.1), classes(g, v, n)
    return [e, c], lambda: F.cross_entropy(e @ c.t(), y)


# ---- contrastive (N=512, D=128) ------------------------------------------------------------------

def nt_xent(g):
    n, t = 512, 0.1
    z1, z2 = normal(g, n, 128), normal(g, n, 128)

    def f():
        z = F.normalize(torch.cat([z1, z2]), dim=1)
        logits = z @ z.t() / t
        logits = logits.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
        target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
        return F.cross_entropy(logits, target)
    return [z1, z2], f


def info_nce(g):
    n, t = 512, 0.07
    q, k = normal(g, n, 128), normal(g, n, 128)

    def f():
        logits = F.normalize(q, dim=1) @ F.normalize(k, dim=1).t() / t
        return F.cross_entropy(logits, torch.arange(n))
    return [q, k], f


def cwcl(g):
    n, t = 512, 0.07
    u, v = normal(g, n, 128), normal(g, n, 128)

    def f():
        un, vn = F.normalize(u, dim=1), F.normalize(v, dim=1)
        w = (un @ un.t()).detach() / 2 + 0.5
        logits = un @ vn.t() / t
        rows = -(w * F.log_softmax(logits, 1)).sum(1) / w.sum(1)
        cols = -(w * F.log_softmax(logits.t(), 1)).sum(1) / w.sum(1)
        return (0.5 * (rows + cols)).mean()
    return [u, v], f


def multi_similarity(g):
    n, alpha, beta, base, eps = 512, 2.0, 50.0, 0.5, 0.1
    x, y = normal(g, n, 128), classes(g, 64, n)

    def f():
        xn = F.normalize(x, dim=1)
        s = xn @ xn.t()
        same = y.view(-1, 1) == y.view(1, -1)
        eye = torch.eye(n, dtype=torch.bool)
        pos, neg = same & ~eye, ~same
        sd = s.detach()
        min_pos = torch.where(pos, sd, torch.full_like(sd, float("inf"))).min(1, keepdim=True).values
        max_neg = torch.where(neg, sd, torch.full_like(sd, float("-inf"))).max(1, keepdim=True).values
        neg = neg & (sd + eps > min_pos)
        pos = pos & (sd - eps < max_neg)
        pos_term = torch.log1p((torch.exp(-alpha * (s - base)) * pos).sum(1)) / alpha
        neg_term = torch.log1p((torch.exp(beta * (s - base)) * neg).sum(1)) / beta
        return (pos_term + neg_term).mean()
    return [x], f


def barlow_twins(g):
    n, d, lam, eps = 256, 512, 0.0051, 1e-5
    z1, z2 = normal(g, n, d), normal(g, n, d)

    def f():
        a = (z1 - z1.mean(0)) / torch.sqrt(z1.var(0, unbiased=False) + eps)
        b = (z2 - z2.mean(0)) / torch.sqrt(z2.var(0, unbiased=False) + eps)
        c = a.t() @ b / n
        on = (1 - torch.diagonal(c)).pow(2).sum()
        off = c.pow(2).sum() - torch.diagonal(c).pow(2).sum()
        return on + lam * off
    return [z1, z2], f


def arcface(g):
    n, d, c, s, m = 256, 512, 10000, 64.0, 0.5
    x, w, y = normal(g, n, d), normal(g, c, d), classes(g, c, n)
    th, mm = math.cos(math.pi - m), math.sin(math.pi - m) * m

    def f():
        cos = F.normalize(x, dim=1) @ F.normalize(w, dim=1).t()
        t = cos.gather(1, y.view(-1, 1))
        sin = torch.sqrt(torch.clamp(1 - t * t, min=1e-12))
        phi = t * math.cos(m) - sin * math.sin(m)
        phi = torch.where(t > th, phi, t - m * math.sin(m))
        logits = cos.scatter(1, y.view(-1, 1), phi) * s
        return F.cross_entropy(logits, y)
    return [x, w], f


def soft_top_k(g):
    b, l, k, alpha, iters = 256, 1000, 5.0, 2.0, 32
    x = normal(g, b, l)
    positives = (torch.rand(b, l, generator=g) < 0.01).to(DT)

    def excess(xd, t):
        return torch.sigmoid(alpha * (xd + t)).sum(1, keepdim=True) - k

    def f():
        xd = x.detach()
        lo = -xd.max(1, keepdim=True).values - 10 / alpha
        hi = -xd.min(1, keepdim=True).values + 10 / alpha
        for _ in range(iters):
            mid = (lo + hi) / 2
            too_many = excess(xd, mid) > 0
            hi, lo = torch.where(too_many, mid, hi), torch.where(too_many, lo, mid)
        t = (lo + hi) / 2
        for _ in range(4):
            p = torch.sigmoid(alpha * (xd + t))
            slope = (alpha * p * (1 - p)).sum(1, keepdim=True)
            nxt = t - excess(xd, t) / slope
            t = torch.where((nxt >= lo) & (nxt <= hi) & (slope > 0), nxt, t)
        p = torch.sigmoid(alpha * (xd + t))
        v = alpha * p * (1 - p)
        t = t - ((v / v.sum(1, keepdim=True)) * (x - xd)).sum(1, keepdim=True)
        logp = F.logsigmoid(alpha * (x + t))
        count = positives.sum(1)
        rows = -(logp * positives).sum(1) / count.clamp(min=1)
        keep = (count > 0).to(DT)
        return (rows * keep).sum() / keep.sum()
    return [x], f


# ---- segmentation (N=8, C=4, 128x128) -------------------------------------------------------------

def dice(g):
    x, y = normal(g, 8, 4, 128, 128), classes(g, 4, 8, 128, 128)

    def f():
        p = torch.softmax(x, 1)
        t = F.one_hot(y, 4).permute(0, 3, 1, 2).to(DT)
        den = p + t
        per = ((den - 2 * p * t) / (den + 1.0)).sum(1)
        return per.mean()
    return [x], f


def tversky(g):
    x, y = normal(g, 8, 4, 128, 128), classes(g, 4, 8, 128, 128)

    def f():
        p = torch.softmax(x, 1)
        t = F.one_hot(y, 4).permute(0, 3, 1, 2).to(DT)
        tp = p * t
        fp = p - tp
        fn = t - tp
        num = 0.5 * fp + 0.5 * fn
        return (num / (tp + num + 1.0)).sum(1).mean()
    return [x], f


def gaussian_window(size=11, sigma=1.5):
    c = torch.arange(size, dtype=DT) - size // 2
    w = torch.exp(-(c * c) / (2 * sigma * sigma))
    return w / w.sum()


def blur(x, w):
    ch = x.shape[1]
    x = F.conv2d(x, w.view(1, 1, 1, -1).repeat(ch, 1, 1, 1), groups=ch)
    return F.conv2d(x, w.view(1, 1, -1, 1).repeat(ch, 1, 1, 1), groups=ch)


def ssim_parts(x, y, w, c1=0.01 ** 2, c2=0.03 ** 2):
    mx, my = blur(x, w), blur(y, w)
    sxx, syy, sxy = blur(x * x, w) - mx * mx, blur(y * y, w) - my * my, blur(x * y, w) - mx * my
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    s = (2 * mx * my + c1) / (mx * mx + my * my + c1) * cs
    return s.flatten(2).mean(2), cs.flatten(2).mean(2)


def ssim(g):
    x, y = uniform(g, 0, 1, 8, 3, 128, 128), uniform(g, 0, 1, 8, 3, 128, 128, grad=False)
    w = gaussian_window()
    return [x], lambda: (1 - ssim_parts(x, y, w)[0].mean(1)).mean()


def ms_ssim(g):
    x, y = uniform(g, 0, 1, 2, 3, 256, 256), uniform(g, 0, 1, 2, 3, 256, 256, grad=False)
    w = gaussian_window()
    weights = torch.tensor([0.0448, 0.2856, 0.3001, 0.2363, 0.1333], dtype=DT)

    def f():
        a, b, vals = x, y, []
        for j in range(5):
            s, cs = ssim_parts(a, b, w)
            if j < 4:
                vals.append(cs.clamp(min=1e-6))
                pad = (a.shape[2] % 2, a.shape[3] % 2)
                a = F.avg_pool2d(a, 2, padding=pad)
                b = F.avg_pool2d(b, 2, padding=pad)
        vals.append(s.clamp(min=1e-6))
        stack = torch.stack(vals, 0)
        ms = torch.prod(stack ** weights.view(-1, 1, 1), 0)
        return (1 - ms.mean(1)).mean()
    return [x], f


# ---- sequence ----------------------------------------------------------------------------------------

def dco(g):
    n, budget = 4096, 16
    logp = uniform(g, -20, -0.01, n)

    def f():
        s = -torch.log1p(-torch.exp(logp))  # -log(1 - p)
        return (-torch.log1p(-torch.exp(-budget * s))).mean()
    return [logp], f


# ---- diffusion (K=4 maps of 64x64; bacon 32x32 with self-attention) ------------------------------------

def segregation(a):
    k, total = a.shape[0], 0
    for m in range(k):
        for n in range(m + 1, k):
            total = total + torch.minimum(a[m], a[n]).sum() / ((a[m] + a[n]).sum() + 1e-8)
    return total


def astar_segregation(g):
    a = uniform(g, 0, 1, 4, 64, 64)
    return [a], lambda: segregation(a)


def astar(g):
    a = uniform(g, 0, 1, 4, 64, 64)
    b = (torch.rand(4, 64, 64, generator=g) > 0.5).to(DT)

    def f():
        ret = (1 - torch.minimum(a, b).sum((1, 2)) / ((a + b).sum((1, 2)) + 1e-8)).sum()
        return segregation(a) + ret
    return [a], f


def bacon(g):
    k, h = 4, 32
    a = uniform(g, 0, 1, k, h, h)
    s = torch.softmax(torch.randn(h * h, h * h, generator=g), 1).requires_grad_(True)
    masks = torch.zeros(k, h, h)
    for i in range(k):
        r, c = 2 + 6 * i, 4 + 5 * i
        masks[i, r:r + 10, c:c + 12] = 1

    def f():
        aligned = (s @ a.reshape(k, -1).t()).t()
        p = aligned / (aligned.sum(1, keepdim=True) + 1e-8)
        m = masks.reshape(k, -1)
        inside = ((1 - (m * p).sum(1)) ** 2).sum()
        others = torch.stack([torch.cat([m[:i], m[i + 1:]]).max(0).values for i in range(k)])
        outside = (p * others * (1 - m)).sum()
        pm = p.reshape(k, h, h)
        mx, my = pm.sum(1), pm.sum(2)
        ux = masks.sum(1) / masks.sum((1, 2)).view(-1, 1)
        uy = masks.sum(2) / masks.sum((1, 2)).view(-1, 1)
        marg = ((mx - ux) ** 2).sum() + ((my - uy) ** 2).sum()
        return inside + outside + marg
    return [a, s], f


LOSSES = {
    "ms-ssim": ms_ssim, "z-loss-spherical": z_loss_spherical, "nt-xent": nt_xent, "cce": cce,
    "ldr-kl": ldr_kl, "barlow-twins": barlow_twins, "dice": dice, "multi-similarity": multi_similarity,
    "info-nce": info_nce, "comp-sum": comp_sum, "arcface": arcface, "hl-gauss": hl_gauss,
    "astar-segregation": astar_segregation, "cwcl": cwcl, "soft-top-k": soft_top_k, "tversky": tversky,
    "ssim": ssim, "dco": dco, "astar": astar, "bacon": bacon,
}


def time_one(make, warmup, iterations):
    inputs, f = make(gen(42))
    times = []
    for i in range(warmup + iterations):
        for t in inputs:
            t.grad = None
        start = time.perf_counter()
        f().backward()
        elapsed = (time.perf_counter() - start) * 1000
        if i >= warmup:
            times.append(elapsed)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("ids", nargs="*")
    a = ap.parse_args()
    for loss_id in a.ids or list(LOSSES):
        print(f"EAGER {loss_id} {time_one(LOSSES[loss_id], a.warmup, a.iterations):.4f}", flush=True)


if __name__ == "__main__":
    main()
