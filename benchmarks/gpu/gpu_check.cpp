// GPU check of LossForge's CUDA kernels without DJL: the committed PTX is loaded through the CUDA driver API
// (libcuda.so.1 opened at run time, so this builds with plain g++ and no CUDA headers), every kernel runs on
// the GPU and, with the very same arguments on host copies, in the CPU emulation libraries built from the same
// .cu files (lib<module>_emu.so), and the outputs are compared. A large Cut Cross-Entropy problem is then
// timed with CUDA events and its first token losses checked against double loops.
//
// Usage: gpu_check <cce.ptx> <attention.ptx> <emulation dir> [--small]   (exit status 0 = every check passed)
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using CUresult = int;
using CUdeviceptr = unsigned long long;

struct Driver {
    CUresult (*init)(unsigned);
    CUresult (*deviceGet)(int*, int);
    CUresult (*deviceGetName)(char*, int, int);
    CUresult (*driverGetVersion)(int*);
    CUresult (*primaryCtxRetain)(void**, int);
    CUresult (*ctxSetCurrent)(void*);
    CUresult (*ctxSynchronize)();
    CUresult (*moduleLoadData)(void**, const void*);
    CUresult (*moduleGetFunction)(void**, void*, const char*);
    CUresult (*launchKernel)(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*,
                             void**, void**);
    CUresult (*memAlloc)(CUdeviceptr*, size_t);
    CUresult (*memFree)(CUdeviceptr);
    CUresult (*memcpyHtoD)(CUdeviceptr, const void*, size_t);
    CUresult (*memcpyDtoH)(void*, CUdeviceptr, size_t);
    CUresult (*memsetD8)(CUdeviceptr, unsigned char, size_t);
    CUresult (*eventCreate)(void**, unsigned);
    CUresult (*eventRecord)(void*, void*);
    CUresult (*eventSynchronize)(void*);
    CUresult (*eventElapsedTime)(float*, void*, void*);
    CUresult (*getErrorString)(CUresult, const char**);
};

Driver cu;
int failures = 0;

template <class F>
void bind(void* lib, F& f, const char* name) {
    f = reinterpret_cast<F>(dlsym(lib, name));
    if (f == nullptr) {
        std::printf("libcuda lacks %s\n", name);
        std::exit(2);
    }
}

void check(CUresult r, const char* what) {
    if (r != 0) {
        const char* text = "?";
        cu.getErrorString(r, &text);
        std::printf("FAILED %s: CUresult %d: %s\n", what, r, text);
        std::exit(3);
    }
}

struct Emulated {
    int (*getFunction)(void**, const char*);
    int (*launch)(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**, void**);
    explicit Emulated(const std::string& path) {
        void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (lib == nullptr) {
            std::printf("cannot open %s: %s\n", path.c_str(), dlerror());
            std::exit(2);
        }
        getFunction = reinterpret_cast<decltype(getFunction)>(dlsym(lib, "lfEmuGetFunction"));
        launch = reinterpret_cast<decltype(launch)>(dlsym(lib, "lfEmuLaunchKernel"));
    }
};

// One kernel argument: a buffer (copied to the device, compared after the run when it is an output) or a
// scalar of 4 or 8 bytes.
struct Arg {
    std::vector<unsigned char> host;  // buffer contents or scalar bytes
    bool buffer = false, output = false, isNull = false, f32 = true;
    CUdeviceptr device = 0;
    void* hostPtr = nullptr;
};

template <class T>
Arg buffer(const std::vector<T>& v, bool output = false) {
    Arg a;
    a.buffer = true;
    a.output = output;
    a.f32 = sizeof(T) == 4;
    a.host.resize(v.size() * sizeof(T));
    std::memcpy(a.host.data(), v.data(), a.host.size());
    return a;
}

Arg null() {
    Arg a;
    a.buffer = true;
    a.isNull = true;
    return a;
}

template <class T>
Arg scalar(T x) {
    Arg a;
    a.host.resize(sizeof(T));
    std::memcpy(a.host.data(), &x, sizeof(T));
    return a;
}

struct Launch {
    std::string kernel;
    unsigned gx, gy, block;
};

void* gpuFunction(void* module, const std::string& name) {
    void* f;
    check(cu.moduleGetFunction(&f, module, name.c_str()), name.c_str());
    return f;
}

// Runs launches on the GPU and in the emulation with the same arguments; compares every output buffer on the
// scale of its largest entry.
void compare(const char* what, void* module, Emulated& emu, std::vector<Arg> args, const std::vector<Launch>& launches,
             double tolerance) {
    std::vector<Arg> emuArgs = args;
    std::vector<void*> gpuParams, emuParams;
    for (Arg& a : args) {
        if (a.buffer && !a.isNull) {
            check(cu.memAlloc(&a.device, a.host.size()), "cuMemAlloc");
            check(cu.memcpyHtoD(a.device, a.host.data(), a.host.size()), "cuMemcpyHtoD");
        }
    }
    for (size_t i = 0; i < args.size(); i++) {
        Arg& g = args[i];
        Arg& e = emuArgs[i];
        gpuParams.push_back(g.buffer ? static_cast<void*>(&g.device) : static_cast<void*>(g.host.data()));
        e.hostPtr = e.isNull ? nullptr : e.host.data();
        emuParams.push_back(e.buffer ? static_cast<void*>(&e.hostPtr) : static_cast<void*>(e.host.data()));
    }
    for (const Launch& l : launches) {
        check(cu.launchKernel(gpuFunction(module, l.kernel), l.gx, l.gy, 1, l.block, 1, 1, 0, nullptr,
                              gpuParams.data(), nullptr), l.kernel.c_str());
        void* f;
        if (emu.getFunction(&f, l.kernel.c_str()) != 0 || emu.launch(f, l.gx, l.gy, 1, l.block, 1, 1, 0, nullptr,
                                                                      emuParams.data(), nullptr) != 0) {
            std::printf("FAILED emulated %s\n", l.kernel.c_str());
            std::exit(3);
        }
    }
    check(cu.ctxSynchronize(), "kernels");
    double worst = 0;
    for (size_t i = 0; i < args.size(); i++) {
        Arg& g = args[i];
        if (!g.output || g.isNull) {
            continue;
        }
        std::vector<unsigned char> back(g.host.size());
        check(cu.memcpyDtoH(back.data(), g.device, back.size()), "cuMemcpyDtoH");
        size_t n = back.size() / (g.f32 ? 4 : 8);
        auto at = [&](const std::vector<unsigned char>& b, size_t j) {
            if (g.f32) {
                float x;
                std::memcpy(&x, b.data() + 4 * j, 4);
                return double(x);
            }
            double x;
            std::memcpy(&x, b.data() + 8 * j, 8);
            return x;
        };
        double scale = 0, diff = 0;
        for (size_t j = 0; j < n; j++) {
            scale = std::max(scale, std::abs(at(emuArgs[i].host, j)));
            double d = std::abs(at(back, j) - at(emuArgs[i].host, j));
            diff = std::max(diff, std::isfinite(d) ? d : INFINITY);
        }
        // an all-zero output would make the comparison vacuous
        worst = std::max(worst, scale > 0 ? diff / scale : INFINITY);
    }
    for (Arg& a : args) {
        if (a.device) cu.memFree(a.device);
    }
    bool ok = worst <= tolerance;
    failures += ok ? 0 : 1;
    std::printf("| %s | %.2e | %.0e | %s |\n", what, worst, tolerance, ok ? "ok" : "FAILED");
}

template <class T>
std::vector<T> gaussian(std::mt19937& g, size_t n, double scale) {
    std::normal_distribution<double> d;
    std::vector<T> v(n);
    for (auto& x : v) x = T(scale * d(g));
    return v;
}

template <class T>
void cceCase(const char* what, const char* suffix, void* module, Emulated& emu, int n, int v, int d, double filter,
             bool sorted, double tolerance) {
    std::mt19937 g(n * 131 + v);
    auto e = gaussian<T>(g, size_t(n) * d, 1.0), c = gaussian<T>(g, size_t(v) * d, 1.0), b = gaussian<T>(g, v, 0.5);
    std::vector<long long> y(n), order(v);
    std::vector<T> w(n);
    for (int i = 0; i < n; i++) {
        y[i] = (i * 7919) % v;
        w[i] = i % 5 == 2 ? T(0) : T(1);
    }
    for (int k = 0; k < v; k++) order[k] = v - 1 - k;
    std::vector<T> zn(n, T(0)), zv(v, T(0)), znd(size_t(n) * d, T(0)), zvd(size_t(v) * d, T(0));
    std::vector<Arg> common = {buffer(e), buffer(c), buffer(b), buffer(y), buffer(w)};
    std::string fwd = std::string("cce_forward_") + suffix, bwd = std::string("cce_backward_") + suffix;
    unsigned tokenTiles = (n + 15) / 16, vocabTiles = (v + 31) / 32;
    // forward: token losses, LSE, class logit sums
    std::vector<Arg> f = common;
    f.push_back(null());
    for (Arg a : {scalar(n), scalar(v), scalar(d)}) f.push_back(a);
    for (Arg a : {scalar(T(4)), scalar(T(0.1)), scalar(T(0.01))}) f.push_back(a);
    f.push_back(buffer(zn, true));
    f.push_back(buffer(zn, true));
    f.push_back(buffer(zv, true));
    compare((std::string(what) + " forward").c_str(), module, emu, f, {{fwd, tokenTiles, 1, 512}}, tolerance);
    // backward from the emulated LSE (forward's result, identical to the tolerance above)
    std::vector<T> lse(n);
    {
        Emulated& em = emu;
        std::vector<T> loss(n), sums(v);
        const T *pe = e.data(), *pc = c.data(), *pb = b.data(), *pw = w.data();
        const long long *py = y.data(), *none = nullptr;
        T *pl = loss.data(), *ps = lse.data(), *pcs = sums.data();
        T cap = T(4), eps = T(0.1), z = T(0.01);
        void* p[] = {&pe, &pc, &pb, &py, &pw, &none, &n, &v, &d, &cap, &eps, &z, &pl, &ps, &pcs};
        void* fn;
        em.getFunction(&fn, fwd.c_str());
        em.launch(fn, tokenTiles, 1, 1, 512, 1, 1, 0, nullptr, p, nullptr);
    }
    std::vector<Arg> bk = common;
    bk.push_back(sorted ? buffer(order) : null());
    for (Arg a : {scalar(n), scalar(v), scalar(d)}) bk.push_back(a);
    for (Arg a : {scalar(T(4)), scalar(T(0.1)), scalar(T(0.01))}) bk.push_back(a);
    bk.push_back(buffer(lse));
    bk.push_back(scalar(T(filter)));
    bk.push_back(buffer(znd, true));
    bk.push_back(buffer(zvd, true));
    bk.push_back(buffer(zv, true));
    compare((std::string(what) + " backward").c_str(), module, emu, bk, {{bwd, tokenTiles, vocabTiles, 512}},
            tolerance);
}

template <class T>
void attentionCase(const char* what, const char* suffix, void* module, Emulated& emu, int n, int k, int h, int w,
                   double tolerance) {
    int p = h * w;
    std::mt19937 g(k * 17 + p);
    std::uniform_real_distribution<double> u;
    std::vector<T> maps(size_t(n) * k * p), masks(maps.size()), zn(n, T(0)), zg(maps.size(), T(0)),
            zc(size_t(n) * k * w, T(0)), zr(size_t(n) * k * h, T(0));
    for (auto& x : maps) x = T(u(g) < 0.2 ? 0.0 : u(g));
    for (size_t i = 0; i < masks.size(); i++) masks[i] = T(u(g) < 0.4 ? 1 : 0);
    std::string s = suffix;
    if (k > 1) {  // K = 1 has no pair: the loss is 0 without a launch
        compare((std::string(what) + " segregation").c_str(), module, emu,
                {buffer(maps), scalar(k), scalar(p), scalar(T(1e-6)), buffer(zn, true), buffer(zg, true)},
                {{"attention_segregation_" + s, unsigned(k * (k - 1) / 2), unsigned(n), 256}}, tolerance);
    }
    compare((std::string(what) + " retention").c_str(), module, emu,
            {buffer(maps), buffer(masks), scalar(k), scalar(p), scalar(T(1e-6)), buffer(zn, true), buffer(zg, true)},
            {{"attention_retention_" + s, unsigned(k), unsigned(n), 256}}, tolerance);
    compare((std::string(what) + " layout").c_str(), module, emu,
            {buffer(maps), buffer(masks), scalar(k), scalar(h), scalar(w), scalar(T(1)), scalar(T(0.7)),
             scalar(T(2.5)), scalar(T(1e-6)), buffer(zn, true), buffer(zg, true), buffer(zc), buffer(zr)},
            {{"attention_layout_" + s, unsigned(k), unsigned(n), 256}}, tolerance);
}

// N = 8192, D = 2048, V = 131072 in float32: forward and backward timed with CUDA events (three runs, the
// last reported), the first token losses checked against double loops.
void cceLarge(void* module) {
    const int n = 8192, d = 2048, v = 131072;
    std::mt19937 g(5);
    auto e = gaussian<float>(g, size_t(n) * d, 0.05), c = gaussian<float>(g, size_t(v) * d, 0.05);
    std::vector<long long> y(n);
    std::vector<float> w(n, 1.0f), loss(n);
    for (int i = 0; i < n; i++) y[i] = (i * 7919LL) % v;
    CUdeviceptr de, dc, dy, dw, dl, ds, ddE, ddC;
    check(cu.memAlloc(&de, e.size() * 4), "alloc");
    check(cu.memAlloc(&dc, c.size() * 4), "alloc");
    check(cu.memAlloc(&dy, n * 8), "alloc");
    check(cu.memAlloc(&dw, n * 4), "alloc");
    check(cu.memAlloc(&dl, n * 4), "alloc");
    check(cu.memAlloc(&ds, n * 4), "alloc");
    check(cu.memAlloc(&ddE, e.size() * 4), "alloc");
    check(cu.memAlloc(&ddC, c.size() * 4), "alloc");
    check(cu.memcpyHtoD(de, e.data(), e.size() * 4), "copy");
    check(cu.memcpyHtoD(dc, c.data(), c.size() * 4), "copy");
    check(cu.memcpyHtoD(dy, y.data(), n * 8), "copy");
    check(cu.memcpyHtoD(dw, w.data(), n * 4), "copy");
    CUdeviceptr none = 0;
    float zero = 0;
    void* fp[] = {&de, &dc, &none, &dy, &dw, &none, (void*)&n, (void*)&v, (void*)&d, &zero, &zero, &zero, &dl, &ds, &none};
    void* bp[] = {&de, &dc, &none, &dy, &dw, &none, (void*)&n, (void*)&v, (void*)&d, &zero, &zero, &zero, &ds, &zero,
                  &ddE, &ddC, &none};
    void *fwd = gpuFunction(module, "cce_forward_f32_16x32x32"), *bwd = gpuFunction(module, "cce_backward_f32_16x32x32");
    void *t0, *t1, *t2;
    check(cu.eventCreate(&t0, 0), "event");
    check(cu.eventCreate(&t1, 0), "event");
    check(cu.eventCreate(&t2, 0), "event");
    float forwardMs = 0, backwardMs = 0;
    for (int run = 0; run < 3; run++) {
        check(cu.memsetD8(ddE, 0, e.size() * 4), "memset");
        check(cu.memsetD8(ddC, 0, c.size() * 4), "memset");
        check(cu.eventRecord(t0, nullptr), "record");
        check(cu.launchKernel(fwd, n / 16, 1, 1, 512, 1, 1, 0, nullptr, fp, nullptr), "large forward");
        check(cu.eventRecord(t1, nullptr), "record");
        check(cu.launchKernel(bwd, n / 16, v / 32, 1, 512, 1, 1, 0, nullptr, bp, nullptr), "large backward");
        check(cu.eventRecord(t2, nullptr), "record");
        check(cu.eventSynchronize(t2), "sync");
        check(cu.eventElapsedTime(&forwardMs, t0, t1), "elapsed");
        check(cu.eventElapsedTime(&backwardMs, t1, t2), "elapsed");
    }
    check(cu.memcpyDtoH(loss.data(), dl, n * 4), "copy back");
    double worst = 0;
    for (int i = 0; i < 3; i++) {
        double m = -INFINITY;
        std::vector<double> z(v);
        for (int k = 0; k < v; k++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += double(e[size_t(i) * d + j]) * c[size_t(k) * d + j];
            z[k] = s;
            m = std::max(m, s);
        }
        double sum = 0;
        for (double x : z) sum += std::exp(x - m);
        double expected = m + std::log(sum) - z[y[i]];
        worst = std::max(worst, std::abs(loss[i] - expected) / std::abs(expected));
    }
    bool ok = worst <= 1e-4;
    failures += ok ? 0 : 1;
    std::printf("| cce f32 N=8192 D=2048 V=131072: token losses 0-2 vs double loops | %.2e | 1e-04 | %s |\n", worst,
                ok ? "ok" : "FAILED");
    std::printf("\nLarge CCE, float32, GPU tiles 16x32x32, third run: forward %.1f ms, backward %.1f ms "
                "(kernel time alone; no baseline in this harness, see the DJL comparison)\n", forwardMs, backwardMs);
    for (CUdeviceptr p : {de, dc, dy, dw, dl, ds, ddE, ddC}) cu.memFree(p);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::printf("usage: %s <cce.ptx> <attention.ptx> <emulation dir> [--small]\n", argv[0]);
        return 2;
    }
    bool small = argc > 4 && std::string(argv[4]) == "--small";
    void* lib = dlopen("libcuda.so.1", RTLD_NOW);
    if (lib == nullptr) {
        std::printf("libcuda.so.1 cannot be loaded: %s\n", dlerror());
        return 2;
    }
    bind(lib, cu.init, "cuInit");
    bind(lib, cu.deviceGet, "cuDeviceGet");
    bind(lib, cu.deviceGetName, "cuDeviceGetName");
    bind(lib, cu.driverGetVersion, "cuDriverGetVersion");
    bind(lib, cu.primaryCtxRetain, "cuDevicePrimaryCtxRetain");
    bind(lib, cu.ctxSetCurrent, "cuCtxSetCurrent");
    bind(lib, cu.ctxSynchronize, "cuCtxSynchronize");
    bind(lib, cu.moduleLoadData, "cuModuleLoadData");
    bind(lib, cu.moduleGetFunction, "cuModuleGetFunction");
    bind(lib, cu.launchKernel, "cuLaunchKernel");
    bind(lib, cu.memAlloc, "cuMemAlloc_v2");
    bind(lib, cu.memFree, "cuMemFree_v2");
    bind(lib, cu.memcpyHtoD, "cuMemcpyHtoD_v2");
    bind(lib, cu.memcpyDtoH, "cuMemcpyDtoH_v2");
    bind(lib, cu.memsetD8, "cuMemsetD8_v2");
    bind(lib, cu.eventCreate, "cuEventCreate");
    bind(lib, cu.eventRecord, "cuEventRecord");
    bind(lib, cu.eventSynchronize, "cuEventSynchronize");
    cu.eventElapsedTime = reinterpret_cast<decltype(cu.eventElapsedTime)>(dlsym(lib, "cuEventElapsedTime_v2"));
    if (cu.eventElapsedTime == nullptr) {
        bind(lib, cu.eventElapsedTime, "cuEventElapsedTime");  // drivers before CUDA 12.8
    }
    bind(lib, cu.getErrorString, "cuGetErrorString");
    check(cu.init(0), "cuInit");
    int device, version;
    char name[256];
    check(cu.deviceGet(&device, 0), "cuDeviceGet");
    check(cu.deviceGetName(name, sizeof name, device), "cuDeviceGetName");
    check(cu.driverGetVersion(&version), "cuDriverGetVersion");
    void* ctx;
    check(cu.primaryCtxRetain(&ctx, device), "cuDevicePrimaryCtxRetain");
    check(cu.ctxSetCurrent(ctx), "cuCtxSetCurrent");
    std::printf("GPU: %s, driver CUDA %d.%d\n\n", name, version / 1000, version % 1000 / 10);
    auto load = [](const char* path) {
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        std::string ptx = text.str();
        void* module;
        check(cu.moduleLoadData(&module, ptx.c_str()), path);
        return module;
    };
    void* cce = load(argv[1]);
    void* attention = load(argv[2]);
    Emulated cceEmu(std::string(argv[3]) + "/libcce_emu.so"), attentionEmu(std::string(argv[3]) + "/libattention_emu.so");
    std::printf("| check (GPU vs the CPU emulation of the same kernel, same arguments) | worst error / scale | tolerance | |\n");
    std::printf("|---|---:|---:|---|\n");
    cceCase<float>("cce f32 N=37 V=300 D=70, softcap, smoothing, z-loss, bias, ignored", "f32_16x32x32", cce, cceEmu,
                   37, 300, 70, 0, false, 1e-5);
    cceCase<double>("cce f64 N=37 V=300 D=70, same options", "f64_16x32x16", cce, cceEmu, 37, 300, 70, 0, false,
                    1e-10);
    cceCase<double>("cce f64 filterEps 1e-3, sorted order", "f64_16x32x16", cce, cceEmu, 21, 200, 40, 1e-3, true,
                    1e-10);
    attentionCase<float>("attention f32 N=2 K=4 33x37", "f32", attention, attentionEmu, 2, 4, 33, 37, 1e-5);
    attentionCase<double>("attention f64 N=1 K=1 9x15", "f64", attention, attentionEmu, 1, 1, 9, 15, 1e-10);
    attentionCase<double>("attention f64 N=2 K=3 17x17", "f64", attention, attentionEmu, 2, 3, 17, 17, 1e-10);
    if (!small) {
        cceLarge(cce);
    }
    std::printf("\n%s\n", failures == 0 ? "all checks passed" : "SOME CHECKS FAILED");
    return failures == 0 ? 0 : 1;
}
