package io.github.lossforge.diffusion.kernel;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Scalar;

import org.jspecify.annotations.Nullable;

/**
 * The CPU {@link AttentionKernel}: the maps are read once into double precision and one loop per
 * image computes value and gradient together; BACON's self-attention products are engine GEMMs on
 * detached arrays around that loop.
 *
 * <p>Costs for K maps of P pixels. Segregation: O(P·K²) scalar operations in one pass over the
 * pixels with O(K²) accumulators (the pair-specific denominators \( \sum A^m + \sum A^n \) make the
 * per-pixel gradient pair-weighted, so sorting the K values per pixel, as the module note suggests
 * for an unweighted sum of minima, does not lower the cost); the composition materialises K(K−1)/2
 * pairwise minimum maps of P pixels and keeps them for backward. Retention and the layout terms:
 * O(P·K). Gradient ties of {@code min} are split evenly between the two arguments, as PyTorch's
 * {@code minimum} does.
 */
public final class CpuAttentionKernel implements AttentionKernel {

    /** {@inheritDoc} */
    @Override
    public boolean supports(Device device) {
        return Device.Type.CPU.equals(device.getDeviceType());
    }

    /** {@inheritDoc} */
    @Override
    public FusedValue segregation(NDArray maps, double eps) {
        Shape s = maps.getShape();
        int n = (int) s.get(0);
        int k = (int) s.get(1);
        int p = (int) s.get(2);
        double[] a = read(maps);
        double[] values = new double[n];
        double[] grad = new double[a.length];
        double[] sums = new double[k];
        double[] weight = new double[k * k];
        double[] overlap = new double[k * k];
        double[] pixel = new double[k];
        double[] local = new double[k];
        for (int img = 0; img < n; img++) {
            int base = img * k * p;
            for (int m = 0; m < k; m++) {
                double total = 0;
                for (int q = 0; q < p; q++) {
                    total += a[base + m * p + q];
                }
                sums[m] = total;
            }
            for (int m = 0; m < k; m++) {
                for (int j = m + 1; j < k; j++) {
                    weight[m * k + j] = 1 / (sums[m] + sums[j] + eps);
                    overlap[m * k + j] = 0;
                }
            }
            for (int q = 0; q < p; q++) {
                for (int m = 0; m < k; m++) {
                    pixel[m] = a[base + m * p + q];
                    local[m] = 0;
                }
                for (int m = 0; m < k; m++) {
                    double x = pixel[m];
                    for (int j = m + 1; j < k; j++) {
                        double y = pixel[j];
                        int pair = m * k + j;
                        double w = weight[pair];
                        if (x < y) {
                            overlap[pair] += x;
                            local[m] += w;
                        } else if (x > y) {
                            overlap[pair] += y;
                            local[j] += w;
                        } else {
                            overlap[pair] += x;
                            local[m] += 0.5 * w;
                            local[j] += 0.5 * w;
                        }
                    }
                }
                for (int m = 0; m < k; m++) {
                    grad[base + m * p + q] = local[m];
                }
            }
            double value = 0;
            for (int m = 0; m < k; m++) {
                double shift = 0;
                for (int j = 0; j < k; j++) {
                    if (j == m) {
                        continue;
                    }
                    int pair = m < j ? m * k + j : j * k + m;
                    double w = weight[pair];
                    shift -= overlap[pair] * w * w;
                    if (m < j) {
                        value += overlap[pair] * w;
                    }
                }
                addToMap(grad, base + m * p, p, shift);
            }
            values[img] = value;
        }
        return new FusedValue(Scalar.array(maps, values, new Shape(n)), Scalar.array(maps, grad, s));
    }

    /** {@inheritDoc} */
    @Override
    public FusedValue retention(NDArray maps, NDArray masks, double eps) {
        Shape s = maps.getShape();
        int n = (int) s.get(0);
        int k = (int) s.get(1);
        int p = (int) s.get(2);
        double[] a = read(maps);
        double[] b = read(masks);
        double[] values = new double[n];
        double[] grad = new double[a.length];
        for (int img = 0; img < n; img++) {
            double value = 0;
            for (int m = 0; m < k; m++) {
                int off = (img * k + m) * p;
                double sumA = 0;
                double sumB = 0;
                double overlap = 0;
                for (int q = 0; q < p; q++) {
                    double x = a[off + q];
                    double y = b[off + q];
                    sumA += x;
                    sumB += y;
                    overlap += Math.min(x, y);
                    grad[off + q] = smallerShare(x, y);
                }
                double w = 1 / (sumA + sumB + eps);
                value += 1 - overlap * w;
                double shift = overlap * w * w;
                for (int q = 0; q < p; q++) {
                    grad[off + q] = shift - w * grad[off + q];
                }
            }
            values[img] = value;
        }
        return new FusedValue(Scalar.array(maps, values, new Shape(n)), Scalar.array(maps, grad, s));
    }

    /** {@inheritDoc} */
    @Override
    public FusedValue layout(NDArray maps, @Nullable NDArray selfAttention, NDArray masks, LayoutWeights weights) {
        Shape s = maps.getShape();
        int n = (int) s.get(0);
        int k = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        int p = h * w;
        NDArray flat = maps.stopGradient().reshape(n, k, p);
        NDArray self = selfAttention == null ? null : selfAttention.stopGradient();
        NDArray aligned = self == null ? flat : flat.matMul(self.transpose(0, 2, 1));
        double[] at = read(aligned);
        double[] mk = read(masks);
        double[] values = new double[n];
        double[] gradAligned = new double[at.length];
        LayoutImage image = new LayoutImage(k, h, w, weights);
        for (int img = 0; img < n; img++) {
            values[img] = image.valueAndGradient(at, mk, img * k * p, gradAligned);
        }
        NDArray valueArray = Scalar.array(maps, values, new Shape(n));
        NDArray gAligned = Scalar.array(maps, gradAligned, new Shape(n, k, p));
        if (self == null) {
            return new FusedValue(valueArray, gAligned.reshape(s));
        }
        NDArray gMaps = gAligned.matMul(self).reshape(s);
        NDArray gSelf = gAligned.transpose(0, 2, 1).matMul(flat);
        return new FusedValue(valueArray, gMaps, gSelf);
    }

    /** The gradient share of x in min(x, y): 1 when x is smaller, ½ at a tie, else 0. */
    private static double smallerShare(double x, double y) {
        return x < y ? 1 : x == y ? 0.5 : 0;
    }

    private static void addToMap(double[] grad, int offset, int length, double shift) {
        for (int q = 0; q < length; q++) {
            grad[offset + q] += shift;
        }
    }

    private static double[] read(NDArray array) {
        NDArray plain = array.stopGradient();
        if (plain.getDataType() == DataType.FLOAT64) {
            return plain.toDoubleArray();
        }
        if (plain.getDataType() == DataType.FLOAT32) {
            float[] f = plain.toFloatArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
        return plain.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** The per-image loop of the layout loss, with its scratch buffers. */
    private static final class LayoutImage {
        private final int k;
        private final int h;
        private final int w;
        private final LayoutWeights weights;
        private final double[] prob;
        private final double[] gradProb;
        private final double[] colMarg;
        private final double[] rowMarg;
        private final double[] colTarget;
        private final double[] rowTarget;
        private final double[] coverage;

        LayoutImage(int k, int h, int w, LayoutWeights weights) {
            this.k = k;
            this.h = h;
            this.w = w;
            this.weights = weights;
            this.prob = new double[h * w];
            this.gradProb = new double[h * w];
            this.colMarg = new double[w];
            this.rowMarg = new double[h];
            this.colTarget = new double[w];
            this.rowTarget = new double[h];
            this.coverage = new double[h * w];
        }

        /**
         * The loss of one image and, written into {@code gradAligned}, its gradient with respect to
         * the aligned maps.
         */
        double valueAndGradient(double[] aligned, double[] masks, int base, double[] gradAligned) {
            int p = h * w;
            java.util.Arrays.fill(coverage, 0);
            for (int m = 0; m < k; m++) {
                for (int q = 0; q < p; q++) {
                    coverage[q] += masks[base + m * p + q];
                }
            }
            double value = 0;
            for (int m = 0; m < k; m++) {
                int off = base + m * p;
                value += concept(aligned, masks, off);
                double mean = 0;
                for (int q = 0; q < p; q++) {
                    mean += gradProb[q] * prob[q];
                }
                double z = total(aligned, off) + weights.eps();
                for (int q = 0; q < p; q++) {
                    gradAligned[off + q] = (gradProb[q] - mean) / z;
                }
            }
            return value;
        }

        /** One concept's three terms; leaves P_k in prob and dL/dP_k in gradProb. */
        private double concept(double[] aligned, double[] masks, int off) {
            int p = h * w;
            double z = total(aligned, off) + weights.eps();
            double maskSum = 0;
            java.util.Arrays.fill(colMarg, 0);
            java.util.Arrays.fill(rowMarg, 0);
            java.util.Arrays.fill(colTarget, 0);
            java.util.Arrays.fill(rowTarget, 0);
            double inside = 0;
            double outside = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int q = y * w + x;
                    double pr = aligned[off + q] / z;
                    double mask = masks[off + q];
                    prob[q] = pr;
                    colMarg[x] += pr;
                    rowMarg[y] += pr;
                    colTarget[x] += mask;
                    rowTarget[y] += mask;
                    maskSum += mask;
                    inside += mask * pr;
                    outside += pr * foreign(mask, q);
                }
            }
            double marginal = 0;
            for (int x = 0; x < w; x++) {
                colMarg[x] -= colTarget[x] / maskSum;
                marginal += colMarg[x] * colMarg[x];
            }
            for (int y = 0; y < h; y++) {
                rowMarg[y] -= rowTarget[y] / maskSum;
                marginal += rowMarg[y] * rowMarg[y];
            }
            double missing = 1 - inside;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int q = y * w + x;
                    double mask = masks[off + q];
                    gradProb[q] = -2 * weights.inside() * missing * mask
                            + weights.outside() * foreign(mask, q)
                            + 2 * weights.marginal() * (colMarg[x] + rowMarg[y]);
                }
            }
            return weights.inside() * missing * missing + weights.outside() * outside + weights.marginal() * marginal;
        }

        /** max_{j≠k} M_j · (1 − M_k): 1 where another concept's box covers a pixel outside this one's. */
        private double foreign(double mask, int q) {
            return coverage[q] - mask > 0 ? 1 - mask : 0;
        }

        private double total(double[] aligned, int off) {
            double t = 0;
            for (int q = 0; q < h * w; q++) {
                t += aligned[off + q];
            }
            return t;
        }
    }
}
