package io.github.lossforge.contrastive.hyperbolic;

/** Poincaré-ball operations on double vectors, written from the formulas, for test references. */
final class BallReference {

    private BallReference() {}

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    static double[] neg(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = -a[i];
        }
        return out;
    }

    static double[] mobiusAdd(double[] x, double[] y, double c) {
        double xy = dot(x, y);
        double x2 = dot(x, x);
        double y2 = dot(y, y);
        double den = 1 + 2 * c * xy + c * c * x2 * y2;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = ((1 + 2 * c * xy + c * y2) * x[i] + (1 - c * x2) * y[i]) / den;
        }
        return out;
    }

    static double atanh(double v) {
        return 0.5 * Math.log((1 + v) / (1 - v));
    }

    static double asinh(double v) {
        return Math.signum(v) * Math.log(Math.abs(v) + Math.sqrt(v * v + 1));
    }

    /** The Poincaré distance through artanh. */
    static double distance(double[] x, double[] y, double c) {
        return 2 / Math.sqrt(c) * atanh(Math.sqrt(c) * norm(mobiusAdd(neg(x), y, c)));
    }

    static double[] expMap0(double[] u, double c) {
        double n = norm(u);
        double f = Math.tanh(Math.sqrt(c) * n) / (Math.sqrt(c) * n);
        double[] out = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            out[i] = f * u[i];
        }
        return out;
    }

    /** Row i of a row-major (R, d) array. */
    static double[] row(double[] data, int d, int i) {
        double[] out = new double[d];
        System.arraycopy(data, i * d, out, 0, d);
        return out;
    }
}
