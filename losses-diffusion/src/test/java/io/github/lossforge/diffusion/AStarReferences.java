package io.github.lossforge.diffusion;

import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.Reference;

/** Independent float64 references of the A-STAR losses: explicit loops over images, pairs and pixels. */
final class AStarReferences {

    private AStarReferences() {}

    /** Images, concepts and pixels of a (K, H, W) or (N, K, H, W) tensor. */
    static int[] layout(HostTensor t) {
        long[] s = t.shape();
        boolean single = s.length == 3;
        int n = single ? 1 : (int) s[0];
        int k = (int) s[single ? 0 : 1];
        int p = (int) (s[s.length - 1] * s[s.length - 2]);
        return new int[] {n, k, p};
    }

    /** L_seg = Σ_{m<n} Σ_p min(A^m_p, A^n_p) / (Σ_p A^m_p + Σ_p A^n_p + eps), per image. */
    static Reference segregation(double eps) {
        return s -> {
            HostTensor a = s.prediction(0);
            int[] d = layout(a);
            double[] out = new double[d[0]];
            for (int img = 0; img < d[0]; img++) {
                for (int m = 0; m < d[1]; m++) {
                    for (int n = m + 1; n < d[1]; n++) {
                        double overlap = 0;
                        double union = 0;
                        for (int q = 0; q < d[2]; q++) {
                            double x = a.at((img * d[1] + m) * d[2] + q);
                            double y = a.at((img * d[1] + n) * d[2] + q);
                            overlap += Math.min(x, y);
                            union += x + y;
                        }
                        out[img] += overlap / (union + eps);
                    }
                }
            }
            return out;
        };
    }

    /** L_ret = Σ_k 1 − Σ_p min(A^k_p, B^k_p) / (Σ_p A^k_p + B^k_p + eps), per image. */
    static Reference retention(double eps) {
        return s -> {
            HostTensor a = s.prediction(0);
            HostTensor b = s.label(0);
            int[] d = layout(a);
            double[] out = new double[d[0]];
            for (int img = 0; img < d[0]; img++) {
                for (int k = 0; k < d[1]; k++) {
                    double overlap = 0;
                    double union = 0;
                    for (int q = 0; q < d[2]; q++) {
                        int i = (img * d[1] + k) * d[2] + q;
                        overlap += Math.min(a.at(i), b.at(i));
                        union += a.at(i) + b.at(i);
                    }
                    out[img] += 1 - overlap / (union + eps);
                }
            }
            return out;
        };
    }

    /** L = L_seg + L_ret, per image. */
    static Reference astar(double eps) {
        Reference seg = segregation(eps);
        Reference ret = retention(eps);
        return s -> {
            double[] a = seg.perSample(s);
            double[] b = ret.perSample(s);
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
            return a;
        };
    }
}
