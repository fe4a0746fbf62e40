// Runs the emulated CCE kernels once per tile shape and type on ragged shapes, for ThreadSanitizer and
// AddressSanitizer (run-sanitizers.sh): a missing __syncthreads or an out-of-bounds index is reported by the
// sanitizer; the token losses are also checked against plain double loops so the run is not vacuous.
#include "cce_emu.cpp"

#include <cstdio>
#include <random>
#include <string>

namespace {

template <class T>
int run(const char* suffix, int n, int v, int d, int bn, int bv, bool softcap) {
    std::mt19937 gen(7);
    std::normal_distribution<double> normal;
    std::vector<T> e(n * d), c(v * d), bias(v), w(n), loss(n), lse(n), classSum(v), dE(n * d), dC(v * d), dB(v);
    std::vector<long long> y(n), order(v);
    for (auto& x : e) x = T(normal(gen));
    for (auto& x : c) x = T(normal(gen));
    for (auto& x : bias) x = T(0.5 * normal(gen));
    for (int i = 0; i < n; i++) {
        y[i] = (i * 7) % v;
        w[i] = i % 3 == 1 ? T(0) : T(1);
    }
    for (int k = 0; k < v; k++) order[k] = v - 1 - k;
    T cap = softcap ? T(4) : T(0), smoothing = T(0.1), zscale = T(0.01), filter = T(1e-3);
    const T *pe = e.data(), *pc = c.data(), *pb = bias.data(), *pw = w.data(), *plse = lse.data();
    const long long *py = y.data(), *none = nullptr, *po = order.data();
    T *pl = loss.data(), *ps = lse.data(), *pcs = classSum.data(), *pdE = dE.data(), *pdC = dC.data(), *pdB = dB.data();
    void* forwardArgs[] = {&pe, &pc, &pb, &py, &pw, &none, &n, &v, &d, &cap, &smoothing, &zscale, &pl, &ps, &pcs};
    void* backwardArgs[] = {&pe, &pc, &pb, &py, &pw, &po, &n, &v, &d, &cap, &smoothing, &zscale, &plse, &filter,
                            &pdE, &pdC, &pdB};
    void *forward, *backward;
    std::string fname = std::string("cce_forward_") + suffix, bname = std::string("cce_backward_") + suffix;
    if (lfEmuGetFunction(&forward, fname.c_str()) || lfEmuGetFunction(&backward, bname.c_str())) {
        std::printf("missing kernel %s\n", suffix);
        return 1;
    }
    unsigned tokenTiles = (n + bn - 1) / bn, vocabTiles = (v + bv - 1) / bv;
    if (lfEmuLaunchKernel(forward, tokenTiles, 1, 1, bn * bv, 1, 1, 0, nullptr, forwardArgs, nullptr) ||
        lfEmuLaunchKernel(backward, tokenTiles, vocabTiles, 1, bn * bv, 1, 1, 0, nullptr, backwardArgs, nullptr)) {
        std::printf("launch failed %s\n", suffix);
        return 1;
    }
    double worst = 0;
    for (int i = 0; i < n; i++) {
        std::vector<double> z(v);
        double m = -INFINITY, s = 0, zs = 0;
        for (int k = 0; k < v; k++) {
            double raw = bias[k];
            for (int j = 0; j < d; j++) raw += double(e[i * d + j]) * double(c[k * d + j]);
            z[k] = softcap ? 4 * std::tanh(raw / 4) : raw;
            m = std::max(m, z[k]);
        }
        for (double zk : z) {
            s += std::exp(zk - m);
            zs += zk;
        }
        double l = m + std::log(s);
        double expected = l - 0.9 * z[y[i]] - 0.1 / v * zs + 0.01 * l * l;
        worst = std::max(worst, std::abs(double(loss[i]) - expected) / (1 + std::abs(expected)));
    }
    double tolerance = sizeof(T) == 4 ? 1e-5 : 1e-10;
    std::printf("%s N=%d V=%d D=%d softcap=%d: worst relative token-loss error %.2e\n", suffix, n, v, d, softcap, worst);
    return worst <= tolerance ? 0 : 1;
}

}  // namespace

int main() {
    int failed = 0;
    failed += run<float>("f32_4x8x8", 13, 37, 11, 4, 8, true);
    failed += run<double>("f64_4x8x8", 9, 21, 5, 4, 8, false);
    failed += run<float>("f32_16x32x32", 18, 40, 35, 16, 32, true);
    return failed;
}
