// Cut Cross-Entropy kernels (Wijmans et al., "Cut Your Losses in Large-Vocabulary Language Models",
// 2024, arXiv:2411.09009): cross-entropy of softcap(E·Cᵀ + b) without ever holding the N×V logits.
// Kernel-only file: compiled to PTX by nvcc, and for the CPU by g++ through emu/cuda_emu.h.
//
// Problem (as LinearCrossEntropyProblem): E (N, D), C (V, D), bias (V) or null, targets (N) int64,
// weights (N); z = s·tanh((E·Cᵀ + b)/s) with softcap s > 0, else z = E·Cᵀ + b;
// token loss ℓ_i = LSE_i − (1−ε) z_{i,y_i} − (ε/V) Σ_v z_iv + λ LSE_i².
//
// Tiles: a block owns BN tokens × BV vocabulary entries, one thread per logit; the hidden size D is
// streamed through shared memory in chunks of BK. Every array is row-major and contiguous. T is the
// storage and accumulation type (float or double: float16 inputs are widened to float32 before the
// kernel, so their accumulation is float32).

template <class T>
struct CceArgs {
    const T* __restrict__ embeddings;    // (N, D)
    const T* __restrict__ classifier;    // (V, D)
    const T* __restrict__ bias;          // (V) or null
    const long long* __restrict__ targets;  // (N)
    const T* __restrict__ weights;       // (N)
    const long long* __restrict__ order; // (V) visiting order of the vocabulary, or null for 0..V−1
    int n, v, d;
    T softcap, smoothing, zLossScale;
};

// The block's logit of thread (r, c) for tokens row0.. and vocabulary positions col0.. (positions map to
// classes through `order`): accumulates E_i · C_v over D through shared tiles. Every thread of the block
// must call it (it synchronises); out-of-range entries get 0.
template <class T, int BN, int BV, int BK>
__device__ T tileDot(const CceArgs<T>& a, int row0, int col0, int r, int c, const long long (&cls)[BV]) {
    __shared__ T es[BN][BK];
    __shared__ T cs[BV][BK + 1];  // padded: threads of a warp read different rows
    const int tid = threadIdx.x;
    T acc = 0;
    for (int k0 = 0; k0 < a.d; k0 += BK) {
        for (int idx = tid; idx < BN * BK; idx += BN * BV) {
            int rr = idx / BK, kk = idx % BK, i = row0 + rr, k = k0 + kk;
            es[rr][kk] = (i < a.n && k < a.d) ? a.embeddings[(long long)i * a.d + k] : T(0);
        }
        for (int idx = tid; idx < BV * BK; idx += BN * BV) {
            int cc = idx / BK, kk = idx % BK, k = k0 + kk;
            cs[cc][kk] = (cls[cc] >= 0 && k < a.d) ? a.classifier[cls[cc] * a.d + k] : T(0);
        }
        __syncthreads();
        for (int kk = 0; kk < BK; kk++) {
            acc += es[r][kk] * cs[c][kk];
        }
        __syncthreads();
    }
    return acc;
}

// The classes of vocabulary positions col0..col0+BV−1 (−1 past V), written by the first BV threads.
template <class T, int BV>
__device__ void tileClasses(const CceArgs<T>& a, int col0, long long (&cls)[BV]) {
    int c = threadIdx.x;
    if (c < BV) {
        int p = col0 + c;
        cls[c] = p < a.v ? (a.order != nullptr ? a.order[p] : (long long)p) : -1;
    }
}

template <class T>
__device__ T capped(T raw, T softcap, T* t) {
    if (softcap > T(0)) {
        *t = tanh(raw / softcap);
        return softcap * *t;
    }
    *t = T(0);
    return raw;
}

// Forward: one block per BN tokens walks every vocabulary tile, merging each tile's row maxima and
// exponential sums into a running (max, sum) per token (online log-sum-exp); the target logit comes from
// an indexed dot product e_i · c_{y_i}, never from the tiles. Writes tokenLoss and logSumExp (N); with
// classLogitSum non-null also adds Σ_{i: w_i ≠ 0} z_iv to it (V), the key of the sorted visiting order.
template <class T, int BN, int BV, int BK>
__device__ void cceForward(const CceArgs<T>& a, T* __restrict__ tokenLoss, T* __restrict__ logSumExp,
                           T* __restrict__ classLogitSum) {
    __shared__ long long cls[BV];
    __shared__ T z[BN][BV];
    __shared__ T runMax[BN], runSum[BN], logitSum[BN];
    const int tid = threadIdx.x, r = tid / BV, c = tid % BV;
    const int row0 = blockIdx.x * BN, i = row0 + r;
    if (tid < BN) {
        runMax[tid] = -INFINITY;
        runSum[tid] = 0;
        logitSum[tid] = 0;
    }
    for (int col0 = 0; col0 < a.v; col0 += BV) {
        tileClasses<T, BV>(a, col0, cls);
        __syncthreads();
        T raw = tileDot<T, BN, BV, BK>(a, row0, col0, r, c, cls);
        bool valid = i < a.n && cls[c] >= 0;
        T t;
        T zc = capped(raw + (a.bias != nullptr && valid ? a.bias[cls[c]] : T(0)), a.softcap, &t);
        z[r][c] = valid ? zc : -INFINITY;
        __syncthreads();
        if (c == 0 && i < a.n) {
            T m = runMax[r];
#pragma unroll 1
            for (int cc = 0; cc < BV; cc++) {
                m = fmax(m, z[r][cc]);
            }
            T s = runSum[r] * exp(runMax[r] - m), zs = 0;
#pragma unroll 1
            for (int cc = 0; cc < BV && cls[cc] >= 0; cc++) {
                s += exp(z[r][cc] - m);
                zs += z[r][cc];
            }
            runMax[r] = m;
            runSum[r] = s;
            logitSum[r] += zs;
        }
        if (classLogitSum != nullptr && r == 0 && cls[c] >= 0) {
            T s = 0;
            for (int rr = 0; rr < BN && row0 + rr < a.n; rr++) {
                s += a.weights[row0 + rr] != T(0) ? z[rr][c] : T(0);
            }
            atomicAdd(&classLogitSum[cls[c]], s);
        }
        __syncthreads();
    }
    // target logit: the BV threads of row r split D, then thread c = 0 adds the partial products
    T partial = 0;
    if (i < a.n) {
        const T* e = a.embeddings + (long long)i * a.d;
        const T* w = a.classifier + a.targets[i] * a.d;
        for (int k = c; k < a.d; k += BV) {
            partial += e[k] * w[k];
        }
    }
    z[r][c] = partial;
    __syncthreads();
    if (c == 0 && i < a.n) {
        T dot = 0;
        for (int cc = 0; cc < BV; cc++) {
            dot += z[r][cc];
        }
        T t;
        T target = capped(dot + (a.bias != nullptr ? a.bias[a.targets[i]] : T(0)), a.softcap, &t);
        T lse = runMax[r] + log(runSum[r]);
        logSumExp[i] = lse;
        tokenLoss[i] = lse - (T(1) - a.smoothing) * target - a.smoothing / T(a.v) * logitSum[r]
                + a.zLossScale * lse * lse;
    }
}

// Backward: one block per (BN tokens, BV vocabulary positions) tile recomputes its logits and forms
// G = w ⊙ (A − ε/V) with A = f ⊙ (P(1 + 2λ LSE) − (1−ε) onehot) + (ε/V) t², P = exp(z − LSE), f = 1 − t²
// (f = 1 and no t² term without softcap). Filtering (filterEps > 0) drops A, not the dense −ε/V term, from
// every token row of the tile whose |A| all lie below filterEps or whose weight is 0, exactly as the
// portable path does per (token, block); a tile left with nothing to add returns at once.
// Then dE_i += Σ_v G_iv c_v, dC_v += Σ_i G_iv e_i and db_v += Σ_i G_iv, by atomicAdd: other blocks add to
// the same rows (each dC row from N/BN token tiles, each dE row from V/BV vocabulary tiles); split-K
// partials would need (N/BN)·V·D extra memory instead. Null outputs are skipped.
template <class T, int BN, int BV, int BK>
__device__ void cceBackward(const CceArgs<T>& a, const T* __restrict__ logSumExp, T filterEps,
                            T* __restrict__ gradEmbeddings, T* __restrict__ gradClassifier,
                            T* __restrict__ gradBias) {
    __shared__ long long cls[BV];
    __shared__ T g[BN][BV];
    __shared__ bool keep[BN];
    __shared__ bool anything;
    const int tid = threadIdx.x, r = tid / BV, c = tid % BV;
    const int row0 = blockIdx.x * BN, col0 = blockIdx.y * BV, i = row0 + r;
    tileClasses<T, BV>(a, col0, cls);
    __syncthreads();
    T raw = tileDot<T, BN, BV, BK>(a, row0, col0, r, c, cls);
    bool valid = i < a.n && cls[c] >= 0;
    T grad = 0;
    T weight = i < a.n ? a.weights[i] : T(0);
    if (valid) {
        T t;
        T z = capped(raw + (a.bias != nullptr ? a.bias[cls[c]] : T(0)), a.softcap, &t);
        T lse = logSumExp[i];
        grad = exp(z - lse) * (T(1) + T(2) * a.zLossScale * lse);
        if (cls[c] == a.targets[i]) {
            grad -= T(1) - a.smoothing;
        }
        if (a.softcap > T(0)) {
            grad = grad * (T(1) - t * t) + a.smoothing / T(a.v) * t * t;
        }
    }
    g[r][c] = fabs(grad);
    __syncthreads();
    if (c == 0) {
        bool kept = i < a.n;
        if (filterEps > T(0)) {
            T biggest = 0;
            for (int cc = 0; cc < BV; cc++) {
                biggest = fmax(biggest, g[r][cc]);
            }
            kept = kept && weight != T(0) && biggest >= filterEps;
        }
        keep[r] = kept;
    }
    __syncthreads();
    if (tid == 0) {
        bool any = a.smoothing > T(0);
        for (int rr = 0; rr < BN; rr++) {
            any = any || keep[rr];
        }
        anything = any;
    }
    __syncthreads();
    if (!anything) {
        return;
    }
    g[r][c] = valid ? weight * ((keep[r] ? grad : T(0)) - a.smoothing / T(a.v)) : T(0);
    __syncthreads();
    const int threads = BN * BV;
    if (gradEmbeddings != nullptr) {
        for (int idx = tid; idx < BN * a.d; idx += threads) {
            int rr = idx / a.d, k = idx % a.d;
            if (row0 + rr < a.n) {
                T s = 0;
                for (int cc = 0; cc < BV && cls[cc] >= 0; cc++) {
                    s += g[rr][cc] * a.classifier[cls[cc] * a.d + k];
                }
                atomicAdd(&gradEmbeddings[(long long)(row0 + rr) * a.d + k], s);
            }
        }
    }
    if (gradClassifier != nullptr) {
        for (int idx = tid; idx < BV * a.d; idx += threads) {
            int cc = idx / a.d, k = idx % a.d;
            if (cls[cc] >= 0) {
                T s = 0;
                for (int rr = 0; rr < BN && row0 + rr < a.n; rr++) {
                    s += g[rr][cc] * a.embeddings[(long long)(row0 + rr) * a.d + k];
                }
                atomicAdd(&gradClassifier[cls[cc] * a.d + k], s);
            }
        }
    }
    if (gradBias != nullptr && tid < BV && cls[tid] >= 0) {
        T s = 0;
        for (int rr = 0; rr < BN && row0 + rr < a.n; rr++) {
            s += g[rr][tid];
        }
        atomicAdd(&gradBias[cls[tid]], s);
    }
}

// The exported instantiations: cce_forward_<type>_<BN>x<BV>x<BK> and cce_backward_<...>; the launcher
// starts BN·BV threads per block, grid (⌈N/BN⌉) forward and (⌈N/BN⌉, ⌈V/BV⌉) backward (tokens in x, whose limit
// is 2³¹−1, vocabulary tiles in y, up to 65535: V ≤ 2 097 120).
#define LF_CCE_ARGS(T)                                                                                   \
    const T *embeddings, const T *classifier, const T *bias, const long long *targets, const T *weights, \
            const long long *order, int n, int v, int d, T softcap, T smoothing, T zLossScale
#define LF_CCE_PACK {embeddings, classifier, bias, targets, weights, order, n, v, d, softcap, smoothing, zLossScale}
#define LF_CCE_KERNELS(T, NAME, BN, BV, BK)                                                              \
    extern "C" __global__ void __launch_bounds__(BN * BV)                                                \
            cce_forward_##NAME(LF_CCE_ARGS(T), T *tokenLoss, T *logSumExp, T *classLogitSum) {          \
        cceForward<T, BN, BV, BK>(CceArgs<T> LF_CCE_PACK, tokenLoss, logSumExp, classLogitSum);          \
    }                                                                                                    \
    extern "C" __global__ void __launch_bounds__(BN * BV) cce_backward_##NAME(                           \
            LF_CCE_ARGS(T), const T *logSumExp, T filterEps, T *gradEmbeddings, T *gradClassifier,       \
            T *gradBias) {                                                                               \
        cceBackward<T, BN, BV, BK>(CceArgs<T> LF_CCE_PACK, logSumExp, filterEps, gradEmbeddings,         \
                                   gradClassifier, gradBias);                                            \
    }

// GPU tiles (512 threads; 8.3 KiB of shared memory in float32) and small emulation tiles
LF_CCE_KERNELS(float, f32_16x32x32, 16, 32, 32)
LF_CCE_KERNELS(double, f64_16x32x16, 16, 32, 16)
LF_CCE_KERNELS(float, f32_4x8x8, 4, 8, 8)
LF_CCE_KERNELS(double, f64_4x8x8, 4, 8, 8)
