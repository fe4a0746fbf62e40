// CPU emulation of the CUDA C subset LossForge's kernels use, so that g++ (C++20) compiles the same
// kernel-only .cu files for the CPU and the tests can check their logic without a GPU.
//
// Model: the blocks of a launch run one after another; inside a block every CUDA thread is one
// std::thread. __syncthreads is a std::barrier over the block's threads, warp shuffles go through a
// per-warp exchange buffer guarded by a per-warp barrier, atomicAdd is std::atomic_ref. Because blocks
// never overlap, __shared__ variables can be function-local statics; launches are serialised by a
// mutex for the same reason. A thread that returns drops out of both barriers, so kernels may return
// early as they may on a GPU (a thread that returns and later needs a barrier is a bug on both).
//
// Compile: g++ -std=c++20 -pthread -x c++ -include cuda_emu.h kernel.cu; export the kernels with
// CUDA_EMU_MODULE (below), which defines the two entry points the Java launcher calls:
//   int lfEmuGetFunction(void** function, const char* name)          (like cuModuleGetFunction)
//   int lfEmuLaunchKernel(void* function, gx, gy, gz, bx, by, bz, sharedBytes, stream,
//                         void** kernelParams, void** extra)         (cuLaunchKernel's layout)
// Not emulated: dynamic (extern) shared memory, streams, bf16/half types, warp-level divergence
// (a shuffle must be reached by every live thread of the warp, as __shfl_*_sync with a full mask).
#pragma once

#include <atomic>
#include <barrier>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __restrict__ __restrict
// blocks run one at a time, so a block's shared memory can be one static per kernel instantiation
#define __shared__ static

using std::exp;
using std::fabs;
using std::fmax;
using std::log;
using std::tanh;

struct uint3 {
    unsigned x, y, z;
};

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

constexpr int warpSize = 32;

namespace cuda_emu {

// CUresult values the entry points return
constexpr int SUCCESS = 0;
constexpr int ERROR_INVALID_VALUE = 1;
constexpr int ERROR_LAUNCH_FAILED = 719;
constexpr int ERROR_NOT_FOUND = 500;

struct Warp {
    explicit Warp(std::ptrdiff_t threads) : sync(threads) {}
    std::barrier<> sync;
    unsigned long long lanes[warpSize] = {};
};

struct Block {
    explicit Block(unsigned threads) : all(threads) {
        for (unsigned first = 0; first < threads; first += warpSize) {
            unsigned size = threads - first < unsigned(warpSize) ? threads - first : unsigned(warpSize);
            warps.push_back(std::make_unique<Warp>(size));
        }
    }
    std::barrier<> all;
    std::vector<std::unique_ptr<Warp>> warps;
};

inline thread_local uint3 thread_index{0, 0, 0};
inline thread_local uint3 block_index{0, 0, 0};
inline thread_local unsigned linear_thread = 0;
inline thread_local Block* current_block = nullptr;
// written before a block's threads start (thread creation orders the write before their reads)
inline dim3 block_dim;
inline dim3 grid_dim;

inline Warp& my_warp() { return *current_block->warps[linear_thread / warpSize]; }

// one value through the warp's exchange buffer: every live lane writes, all meet, each reads its source
template <class T>
T exchange(T value, int (*source)(int lane, int delta), int delta) {
    static_assert(sizeof(T) <= sizeof(unsigned long long) && std::is_trivially_copyable_v<T>);
    Warp& w = my_warp();
    int lane = int(linear_thread % warpSize);
    std::memcpy(&w.lanes[lane], &value, sizeof(T));
    w.sync.arrive_and_wait();
    int from = source(lane, delta);
    int live = int(block_dim.x * block_dim.y * block_dim.z - (linear_thread / warpSize) * warpSize);
    if (from < 0 || from >= live || from >= warpSize) {
        from = lane;
    }
    T out;
    std::memcpy(&out, &w.lanes[from], sizeof(T));
    w.sync.arrive_and_wait();
    return out;
}

using Thunk = void (*)(void**);

struct KernelEntry {
    const char* name;
    Thunk thunk;
};

// calls a kernel with its arguments read from cuLaunchKernel's kernelParams (one pointer per argument)
template <class... A>
void invoke(void (*kernel)(A...), void** params) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        kernel(*static_cast<std::remove_cvref_t<A>*>(params[I])...);
    }(std::index_sequence_for<A...>{});
}

inline int get_function(const KernelEntry* table, std::size_t count, void** function, const char* name) {
    for (std::size_t i = 0; i < count; i++) {
        if (std::strcmp(table[i].name, name) == 0) {
            *function = reinterpret_cast<void*>(table[i].thunk);
            return SUCCESS;
        }
    }
    return ERROR_NOT_FOUND;
}

inline int launch(void* function, dim3 grid, dim3 block, void** params) {
    unsigned threads = block.x * block.y * block.z;
    if (function == nullptr || threads == 0 || threads > 1024 || grid.x * grid.y * grid.z == 0) {
        return ERROR_INVALID_VALUE;
    }
    static std::mutex one_launch_at_a_time;
    std::lock_guard<std::mutex> lock(one_launch_at_a_time);
    Thunk thunk = reinterpret_cast<Thunk>(function);
    grid_dim = grid;
    block_dim = block;
    try {
        for (unsigned bz = 0; bz < grid.z; bz++) {
            for (unsigned by = 0; by < grid.y; by++) {
                for (unsigned bx = 0; bx < grid.x; bx++) {
                    Block shared(threads);
                    std::vector<std::thread> team;
                    team.reserve(threads);
                    for (unsigned t = 0; t < threads; t++) {
                        team.emplace_back([&, t] {
                            thread_index = {t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
                            block_index = {bx, by, bz};
                            linear_thread = t;
                            current_block = &shared;
                            thunk(params);
                            Warp& w = my_warp();
                            shared.all.arrive_and_drop();
                            w.sync.arrive_and_drop();
                        });
                    }
                    for (std::thread& th : team) {
                        th.join();
                    }
                }
            }
        }
    } catch (const std::exception&) {
        return ERROR_LAUNCH_FAILED;
    }
    return SUCCESS;
}

}  // namespace cuda_emu

#define threadIdx (::cuda_emu::thread_index)
#define blockIdx (::cuda_emu::block_index)
#define blockDim (::cuda_emu::block_dim)
#define gridDim (::cuda_emu::grid_dim)

inline void __syncthreads() { ::cuda_emu::current_block->all.arrive_and_wait(); }

template <class T>
T __shfl_sync(unsigned, T value, int src_lane) {
    return ::cuda_emu::exchange(value, [](int, int src) { return src; }, src_lane);
}

template <class T>
T __shfl_down_sync(unsigned, T value, unsigned delta) {
    return ::cuda_emu::exchange(value, [](int lane, int d) { return lane + d; }, int(delta));
}

template <class T>
T __shfl_xor_sync(unsigned, T value, int mask) {
    return ::cuda_emu::exchange(value, [](int lane, int m) { return lane ^ m; }, mask);
}

template <class T>
T atomicAdd(T* address, T value) {
    return std::atomic_ref<T>(*address).fetch_add(value);
}

// Exports a module's kernels: CUDA_EMU_MODULE(CUDA_EMU_KERNEL(a), CUDA_EMU_KERNEL(b), ...)
#define CUDA_EMU_KERNEL(name) ::cuda_emu::KernelEntry{#name, [](void** p) { ::cuda_emu::invoke(&name, p); }}
#define CUDA_EMU_MODULE(...)                                                                             \
    static const ::cuda_emu::KernelEntry cuda_emu_kernels[] = {__VA_ARGS__};                             \
    extern "C" int lfEmuGetFunction(void** function, const char* name) {                                 \
        return ::cuda_emu::get_function(cuda_emu_kernels, sizeof(cuda_emu_kernels) / sizeof(cuda_emu_kernels[0]), \
                                        function, name);                                                 \
    }                                                                                                    \
    extern "C" int lfEmuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx,   \
                                     unsigned by, unsigned bz, unsigned, void*, void** params, void**) { \
        return ::cuda_emu::launch(function, dim3(gx, gy, gz), dim3(bx, by, bz), params);                   \
    }
