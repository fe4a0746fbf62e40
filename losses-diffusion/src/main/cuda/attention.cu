// Attention-map losses of text-to-image guidance, value and gradient in one kernel each, as the CPU kernel
// (CpuAttentionKernel) computes them: A-STAR's segregation and retention (Agarwal et al., "A-STAR: Test-time
// Attention Segregation and Retention for Text-to-image Synthesis", 2023, arXiv:2306.14544) and BACON's
// boundary-constrained layout terms in LossForge's documented form (BoundaryConstrainedLayoutLoss).
// Kernel-only file: compiled to PTX by nvcc, and for the CPU by g++ through losses-core's emu/cuda_emu.h.
//
// Maps are row-major (N, K, P) with P = H·W pixels; T is float or double, sums are accumulated in double.
// One block per (pair or concept, image); blockDim.x is any multiple of 32 (warp shuffles reduce).
// Gradient ties of min(x, y) are split evenly, as PyTorch's minimum does.

// The sum of x over the block, returned to every thread. Every thread of the block must call it.
__device__ double blockSum(double x) {
    __shared__ double partial[32];
    __shared__ double total;
    const int lane = threadIdx.x % warpSize, warp = threadIdx.x / warpSize;
    for (int offset = warpSize / 2; offset > 0; offset /= 2) {
        x += __shfl_down_sync(0xffffffffu, x, offset);
    }
    if (lane == 0) {
        partial[warp] = x;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        double s = 0;
        for (int w = 0; w < int(blockDim.x) / warpSize; w++) {
            s += partial[w];
        }
        total = s;
    }
    __syncthreads();
    double out = total;
    __syncthreads();  // partial and total are reused by the next call
    return out;
}

// The gradient share of x in min(x, y): 1 when x is smaller, ½ at a tie, else 0.
__device__ double smallerShare(double x, double y) {
    return x < y ? 1.0 : (x == y ? 0.5 : 0.0);
}

// For two maps a and b of p pixels: returns w = 1/(Σ a + Σ b + ε) and sets overlap = Σ_p min(a_p, b_p), both
// reduced over the block (every thread of the block must call it).
template <class T>
__device__ double overlapWeight(const T* __restrict__ a, const T* __restrict__ b, int p, T eps, double* overlap) {
    double sa = 0, sb = 0, o = 0;
    for (int q = threadIdx.x; q < p; q += blockDim.x) {
        double x = a[q], y = b[q];
        sa += x;
        sb += y;
        o += x < y ? x : y;
    }
    sa = blockSum(sa);
    sb = blockSum(sb);
    *overlap = blockSum(o);
    return 1.0 / (sa + sb + double(eps));
}

// Segregation, block (pair, image): the pair (m, j), m < j, in the order (0,1), (0,2), …, (1,2), …
// value_n += O_mj·w_mj with O_mj = Σ_p min(A^m_p, A^j_p), w_mj = 1/(Σ A^m + Σ A^j + ε); the gradient of map m
// gets w_mj·share(m smaller at p) − O_mj·w_mj², added atomically (every pair of m adds to it).
template <class T>
__device__ void segregation(const T* __restrict__ maps, int k, int p, T eps, T* __restrict__ values,
                            T* __restrict__ grad) {
    const int img = blockIdx.y;
    int m = 0, rest = blockIdx.x;
    while (rest >= k - 1 - m) {
        rest -= k - 1 - m;
        m++;
    }
    const int j = m + 1 + rest;
    const long long offA = ((long long)img * k + m) * p, offB = ((long long)img * k + j) * p;
    double overlap;
    const double w = overlapWeight(maps + offA, maps + offB, p, eps, &overlap);
    if (threadIdx.x == 0) {
        atomicAdd(&values[img], T(overlap * w));
    }
    const double shift = -overlap * w * w;
    for (int q = threadIdx.x; q < p; q += blockDim.x) {
        double x = maps[offA + q], y = maps[offB + q];
        atomicAdd(&grad[offA + q], T(shift + w * smallerShare(x, y)));
        atomicAdd(&grad[offB + q], T(shift + w * smallerShare(y, x)));
    }
}

// Retention, block (concept, image): value_n += 1 − O·w with O = Σ_p min(A_p, B_p), w = 1/(Σ A + Σ B + ε);
// gradient O·w² − w·share(A smaller at p).
template <class T>
__device__ void retention(const T* __restrict__ maps, const T* __restrict__ masks, int k, int p, T eps,
                          T* __restrict__ values, T* __restrict__ grad) {
    const int img = blockIdx.y;
    const long long off = ((long long)img * k + blockIdx.x) * p;
    double overlap;
    const double w = overlapWeight(maps + off, masks + off, p, eps, &overlap);
    if (threadIdx.x == 0) {
        atomicAdd(&values[img], T(1.0 - overlap * w));
    }
    for (int q = threadIdx.x; q < p; q += blockDim.x) {
        grad[off + q] = T(overlap * w * w - w * smallerShare(maps[off + q], masks[off + q]));
    }
}

template <class T>
struct LayoutArgs {
    const T* __restrict__ aligned;  // (N, K, H, W) the (self-attention aligned) maps
    const T* __restrict__ masks;    // (N, K, H, W) 0/1
    int k, h, w;
    T inside, outside, marginal, eps;
};

// max_{j≠m} M_j·(1 − M_m): 1 where another concept's box covers a pixel outside this one's.
template <class T>
__device__ double foreign(const LayoutArgs<T>& a, long long imageOff, int p, double mask, int q) {
    double coverage = 0;
    for (int j = 0; j < a.k; j++) {
        coverage += a.masks[imageOff + (long long)j * p + q];
    }
    return coverage - mask > 0 ? 1.0 - mask : 0.0;
}

// One axis of the marginal term: for each of `count` lines (the line l starts at pixel l·lineStep and has
// `length` pixels `step` apart) the deviation Σ A/z − Σ M/ΣM, written to dev[l]; returns this thread's share
// of Σ_l dev_l².
template <class T>
__device__ double marginalDeviations(const T* __restrict__ aligned, const T* __restrict__ masks, int count,
                                     int lineStep, int length, int step, double z, double maskSum, T* __restrict__ dev) {
    double squares = 0;
    for (int l = threadIdx.x; l < count; l += blockDim.x) {
        double prob = 0, target = 0;
        for (int t = 0; t < length; t++) {
            prob += aligned[l * lineStep + t * step] / z;
            target += masks[l * lineStep + t * step];
        }
        double d = prob - target / maskSum;
        dev[l] = T(d);
        squares += d * d;
    }
    return squares;
}

// Layout, block (concept, image), with P = A/(Σ A + ε): value_n += w_in(1 − Σ M·P)² + w_out Σ P·foreign
// + w_marg (Σ_x (colP_x − colM_x/ΣM)² + Σ_y (rowP_y − rowM_y/ΣM)²), and the gradient with respect to A
// (g − Σ g·P)/(Σ A + ε) with g = ∂/∂P. colDev (N, K, W) and rowDev (N, K, H) are scratch for the marginal
// deviations.
template <class T>
__device__ void layout(const LayoutArgs<T>& a, T* __restrict__ values, T* __restrict__ grad, T* __restrict__ colDev,
                       T* __restrict__ rowDev) {
    const int img = blockIdx.y, m = blockIdx.x, p = a.h * a.w;
    const long long imageOff = (long long)img * a.k * p, off = imageOff + (long long)m * p;
    double total = 0, maskSum = 0;
    for (int q = threadIdx.x; q < p; q += blockDim.x) {
        total += a.aligned[off + q];
        maskSum += a.masks[off + q];
    }
    const double z = blockSum(total) + double(a.eps);
    maskSum = blockSum(maskSum);
    double inside = 0, outside = 0;
    for (int q = threadIdx.x; q < p; q += blockDim.x) {
        double pr = a.aligned[off + q] / z, mask = a.masks[off + q];
        inside += mask * pr;
        outside += pr * foreign(a, imageOff, p, mask, q);
    }
    inside = blockSum(inside);
    outside = blockSum(outside);
    double marginal = 0;
    T* cols = colDev + ((long long)img * a.k + m) * a.w;
    T* rows = rowDev + ((long long)img * a.k + m) * a.h;
    // columns: W lines of H pixels, W apart; rows: H lines of W adjacent pixels
    marginal += marginalDeviations(a.aligned + off, a.masks + off, a.w, 1, a.h, a.w, z, maskSum, cols);
    marginal += marginalDeviations(a.aligned + off, a.masks + off, a.h, a.w, a.w, 1, z, maskSum, rows);
    marginal = blockSum(marginal);  // also orders the cols/rows writes before the reads below
    const double missing = 1.0 - inside;
    if (threadIdx.x == 0) {
        atomicAdd(&values[img], T(double(a.inside) * missing * missing + double(a.outside) * outside
                                  + double(a.marginal) * marginal));
    }
    double mean = 0;
    for (int q = threadIdx.x; q < p; q += blockDim.x) {
        double mask = a.masks[off + q];
        double g = -2.0 * double(a.inside) * missing * mask + double(a.outside) * foreign(a, imageOff, p, mask, q)
                + 2.0 * double(a.marginal) * (double(cols[q % a.w]) + double(rows[q / a.w]));
        mean += g * a.aligned[off + q] / z;
    }
    mean = blockSum(mean);
    for (int q = threadIdx.x; q < p; q += blockDim.x) {
        double mask = a.masks[off + q];
        double g = -2.0 * double(a.inside) * missing * mask + double(a.outside) * foreign(a, imageOff, p, mask, q)
                + 2.0 * double(a.marginal) * (double(cols[q % a.w]) + double(rows[q / a.w]));
        grad[off + q] = T((g - mean) / z);
    }
}

// Exported kernels: attention_<loss>_<f32|f64>; grids (K(K−1)/2, N) for segregation, (K, N) for the others.
#define LF_ATTENTION_KERNELS(T, NAME)                                                                        \
    extern "C" __global__ void attention_segregation_##NAME(const T *maps, int k, int p, T eps, T *values,   \
                                                            T *grad) {                                       \
        segregation<T>(maps, k, p, eps, values, grad);                                                       \
    }                                                                                                        \
    extern "C" __global__ void attention_retention_##NAME(const T *maps, const T *masks, int k, int p, T eps,  \
                                                          T *values, T *grad) {                              \
        retention<T>(maps, masks, k, p, eps, values, grad);                                                  \
    }                                                                                                        \
    extern "C" __global__ void attention_layout_##NAME(const T *aligned, const T *masks, int k, int h, int w,  \
                                                       T inside, T outside, T marginal, T eps, T *values,     \
                                                       T *grad, T *colDev, T *rowDev) {                      \
        layout<T>(LayoutArgs<T>{aligned, masks, k, h, w, inside, outside, marginal, eps}, values, grad, colDev, \
                  rowDev);                                                                                   \
    }

LF_ATTENTION_KERNELS(float, f32)
LF_ATTENTION_KERNELS(double, f64)
