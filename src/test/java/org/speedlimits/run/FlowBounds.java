package org.speedlimits.run;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two Cauchy-Schwarz inequalities of gradient flow, checked on every row of a metrics.csv:
 * |theta_t - theta_0|^2 <= l_gamma(t)^2 <= t (L_0 - L_t). Tolerances: the loss is a float32 network's output summed
 * in double (~1e-6 relative), so t Delta L gets 1e-5 L_0 t of slack; the quadrature of l_gamma (second order, at the
 * integrator's rtol) 1e-3 relative.
 */
public final class FlowBounds {
    private FlowBounds() {
    }

    public static void assertOnEveryRow(List<String> header, List<double[]> rows, String where) {
        int time = column(header, "time", where), loss = column(header, "train_loss", where);
        int dist2 = column(header, "dist2_init", where), pathLength = column(header, "path_length", where);
        double l0 = rows.get(0)[loss];
        for (double[] r : rows.subList(1, rows.size())) {
            double t = r[time], dl = l0 - r[loss], d2 = r[dist2], path = r[pathLength];
            String at = where + " at t = " + t;
            assertTrue(path * path >= d2 * (1 - 1e-9), "l_gamma >= |theta_t - theta_0| " + at);
            assertTrue(t * (dl + 1e-5 * l0) >= path * path * (1 - 1e-3),
                    "l_gamma^2 <= t Delta L " + at + ": " + path * path + " vs " + t * dl);
            assertTrue(t * (dl + 1e-5 * l0) >= d2, "t Delta L >= dist2 " + at);
        }
    }

    private static int column(List<String> header, String name, String where) {
        int i = header.indexOf(name);
        assertTrue(i >= 0, where + ": no column " + name + " in " + header);
        return i;
    }
}
