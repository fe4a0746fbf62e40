// Runs the emulated attention kernels on odd map sizes for ThreadSanitizer and AddressSanitizer (losses-core's
// run-sanitizers.sh); segregation and retention values are also checked against plain double loops.
#include "attention_emu.cpp"

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>

namespace {

template <class T>
int run(const char* type, int n, int k, int h, int w, unsigned block) {
    int p = h * w;
    std::mt19937 gen(11);
    std::uniform_real_distribution<double> uniform;
    std::vector<T> maps(n * k * p), masks(n * k * p), values(n), grad(n * k * p), cols(n * k * w), rows(n * k * h);
    for (auto& x : maps) x = T(uniform(gen));
    for (int i = 0; i < n * k * p; i++) masks[i] = (i / w) % 2 == 0 || i % 5 == 0 ? T(1) : T(0);
    T eps = T(1e-6), wIn = T(1), wOut = T(0.7), wMarg = T(2.5);
    const T *pm = maps.data(), *pk = masks.data();
    T *pv = values.data(), *pg = grad.data(), *pc = cols.data(), *pr = rows.data();
    void *seg, *ret, *lay;
    std::string s = type;
    if (lfEmuGetFunction(&seg, ("attention_segregation_" + s).c_str())
        || lfEmuGetFunction(&ret, ("attention_retention_" + s).c_str())
        || lfEmuGetFunction(&lay, ("attention_layout_" + s).c_str())) {
        std::printf("missing kernels %s\n", type);
        return 1;
    }
    double worst = 0;
    void* segArgs[] = {&pm, &k, &p, &eps, &pv, &pg};
    lfEmuLaunchKernel(seg, k * (k - 1) / 2, n, 1, block, 1, 1, 0, nullptr, segArgs, nullptr);
    for (int img = 0; img < n; img++) {
        double expected = 0;
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                double sa = 0, sb = 0, o = 0;
                for (int q = 0; q < p; q++) {
                    double x = maps[(img * k + a) * p + q], y = maps[(img * k + b) * p + q];
                    sa += x;
                    sb += y;
                    o += std::min(x, y);
                }
                expected += o / (sa + sb + double(eps));
            }
        }
        worst = std::max(worst, std::abs(double(values[img]) - expected) / (1 + expected));
    }
    std::fill(values.begin(), values.end(), T(0));
    void* retArgs[] = {&pm, &pk, &k, &p, &eps, &pv, &pg};
    lfEmuLaunchKernel(ret, k, n, 1, block, 1, 1, 0, nullptr, retArgs, nullptr);
    for (int img = 0; img < n; img++) {
        double expected = 0;
        for (int a = 0; a < k; a++) {
            double sa = 0, sb = 0, o = 0;
            for (int q = 0; q < p; q++) {
                double x = maps[(img * k + a) * p + q], y = masks[(img * k + a) * p + q];
                sa += x;
                sb += y;
                o += std::min(x, y);
            }
            expected += 1 - o / (sa + sb + double(eps));
        }
        worst = std::max(worst, std::abs(double(values[img]) - expected) / (1 + expected));
    }
    void* layArgs[] = {&pm, &pk, &k, &h, &w, &wIn, &wOut, &wMarg, &eps, &pv, &pg, &pc, &pr};
    lfEmuLaunchKernel(lay, k, n, 1, block, 1, 1, 0, nullptr, layArgs, nullptr);
    double tolerance = sizeof(T) == 4 ? 1e-5 : 1e-12;
    std::printf("%s N=%d K=%d %dx%d block %u: worst relative value error %.2e\n", type, n, k, h, w, block, worst);
    return worst <= tolerance ? 0 : 1;
}

}  // namespace

int main() {
    int failed = 0;
    failed += run<float>("f32", 2, 3, 5, 7, 64);
    failed += run<double>("f64", 1, 1, 9, 3, 32);
    failed += run<double>("f64", 2, 4, 3, 11, 96);
    return failed;
}
