package org.speedlimits.ness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Ensemble} and {@link Chain}: results independent of the thread count; K units straight equal k units +
 * checkpoint + restore into fresh objects + (K − k) units, byte for byte (θ, rng, sampler index state, unit count
 * and every estimator's accumulators), for every sampler; the index arrangement is state (a resume without it
 * diverges); mismatched settings and damaged checkpoints are refused.
 */
class EnsembleTest {
    private static final QuadraticModel MODEL = new QuadraticModel(3, 6, 0.1, 31);
    private static final double[] CENTRE = {0.1, -0.1, 0.2};
    private static final Field LINEAR = (t, out) -> {
        for (int a = 0; a < 3; a++) out[a] = -0.5 * t[a] + 0.1 * t[(a + 1) % 3];
    };

    private static List<Sampler> samplers() {
        return List.of(new WrSgd(MODEL, 0.05, 2), new WorSgd(MODEL, 0.05, 2), new Sgld(MODEL, 0.01, 3),
                SgWorld.corrected(MODEL, 0.02, 3, LINEAR), SgWorld.uncorrected(MODEL, 0.02, 2),
                new Earthquake(MODEL, 0.05, 0.3));
    }

    private static Observer[] observers(int k) {
        double[] kk = {0, 1, 0.5, -1, 0, 0.2, -0.5, -0.2, 0}, dinv = {2, 0, 0, 0, 1, 0, 0, 0, 3};
        return new Observer[] {
                Moments.aboutMean(3, 7, new double[] {1, 0, 0}),
                AreaMatrix.aboutCentre(CENTRE, 5),
                AreaMatrix.aboutMean(3, 4),
                new EntropyProduction(kk, dinv, CENTRE, new int[] {1, 3}, 1, 3, 2, 20, 4, 20)};
    }

    private static Ensemble ensemble(Sampler s, int thin) {
        return new Ensemble(s, 3, 2024, k -> new double[] {0.3 * k, -0.2, 0.1}, thin, EnsembleTest::observers);
    }

    @Test
    void resumeIsByteIdenticalForEverySampler() throws IOException {
        for (Sampler s : samplers()) {
            for (int thin : new int[] {1, 3}) {
                Ensemble straight = ensemble(s, thin);
                straight.run(50, 2);
                byte[] expected = straight.checkpoint();

                Ensemble first = ensemble(s, thin);
                first.run(17, 3);
                byte[] middle = first.checkpoint();
                Ensemble resumed = ensemble(s, thin);
                resumed.restore(middle);
                assertArrayEquals(middle, resumed.checkpoint(), s.describe() + ": restore then save reproduces the blob");
                resumed.run(33, 1);
                assertArrayEquals(expected, resumed.checkpoint(), s.describe() + " thin " + thin);
                for (int k = 0; k < 3; k++) {
                    assertEquals(50, resumed.chain(k).units());
                    assertArrayEquals(straight.chain(k).theta(), resumed.chain(k).theta(), 0);
                    Moments a = (Moments) straight.chain(k).observer(0), b = (Moments) resumed.chain(k).observer(0);
                    assertEquals(50 / thin, b.count());
                    assertArrayEquals(a.covariance(), b.covariance(), 0);
                    assertArrayEquals(a.covarianceSE(), b.covarianceSE(), 0);
                    EntropyProduction ea = (EntropyProduction) straight.chain(k).observer(3);
                    EntropyProduction eb = (EntropyProduction) resumed.chain(k).observer(3);
                    assertEquals(ea.summary(1), eb.summary(1));
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        for (Sampler s : samplers()) {
            byte[] reference = null;
            for (int threads : new int[] {1, 2, 3, 8}) {
                Ensemble e = ensemble(s, 1);
                e.run(40, threads);
                byte[] b = e.checkpoint();
                if (reference == null) reference = b;
                else assertArrayEquals(reference, b, s.describe() + " on " + threads + " threads");
            }
        }
        // chain k's stream is the k-th jump of the seed; the chains differ
        Ensemble e = ensemble(new WrSgd(MODEL, 0.05, 2), 1);
        for (int k = 0; k < 3; k++) assertArrayEquals(Rng.stream(2024, k).state(), e.chain(k).rngState());
        e.run(10, 2);
        assertFalse(Arrays.equals(e.chain(0).theta(), e.chain(1).theta()));
    }

    /** Negative control: the same θ and rng with a fresh index array (as a resume that forgot it) diverge. */
    @Test
    void theIndexArrangementIsPartOfTheState() throws IOException {
        for (Sampler s : List.of(new WrSgd(MODEL, 0.05, 2), new WorSgd(MODEL, 0.05, 2), new Sgld(MODEL, 0.01, 3))) {
            Ensemble straight = ensemble(s, 1);
            straight.run(30, 1);
            Ensemble first = ensemble(s, 1);
            first.run(10, 1);
            Ensemble forgetful = ensemble(s, 1);
            forgetful.restore(first.checkpoint());
            for (int k = 0; k < 3; k++) forgetful.chain(k).sampler().restore(s.fresh().state());
            forgetful.run(20, 1);
            assertFalse(Arrays.equals(straight.chain(0).theta(), forgetful.chain(0).theta()), s.describe());
        }
    }

    @Test
    void mismatchedOrDamagedCheckpointsAreRefused(@TempDir Path dir) throws IOException {
        Ensemble e = ensemble(new WrSgd(MODEL, 0.05, 2), 1);
        e.run(5, 1);
        Path file = dir.resolve("ensemble.ckpt");
        e.save(file);
        Ensemble loaded = ensemble(new WrSgd(MODEL, 0.05, 2), 1);
        loaded.load(file);
        assertArrayEquals(e.checkpoint(), loaded.checkpoint());

        byte[] blob = e.checkpoint();
        IOException eta = assertThrows(IOException.class, () -> ensemble(new WrSgd(MODEL, 0.06, 2), 1).restore(blob));
        assertTrue(eta.getMessage().contains("sampler"), eta.getMessage());
        assertThrows(IOException.class, () -> ensemble(new WorSgd(MODEL, 0.05, 2), 1).restore(blob));
        assertThrows(IOException.class, () -> ensemble(new WrSgd(MODEL, 0.05, 2), 2).restore(blob));
        assertThrows(IOException.class, () -> new Ensemble(new WrSgd(MODEL, 0.05, 2), 2, 2024,
                k -> new double[3], 1, EnsembleTest::observers).restore(blob));
        Supplier<Ensemble> otherObservers = () -> new Ensemble(new WrSgd(MODEL, 0.05, 2), 3, 2024, k -> new double[3], 1,
                k -> new Observer[] {Moments.aboutMean(3, 7), Moments.aboutMean(3, 7), AreaMatrix.aboutMean(3, 4),
                        AreaMatrix.aboutMean(3, 4)});
        assertThrows(IOException.class, () -> otherObservers.get().restore(blob));
        assertThrows(IOException.class, () -> ensemble(new WrSgd(MODEL, 0.05, 2), 1).restore(Arrays.copyOf(blob, blob.length - 9)));
        byte[] longer = Arrays.copyOf(blob, blob.length + 1);
        assertThrows(IOException.class, () -> ensemble(new WrSgd(MODEL, 0.05, 2), 1).restore(longer));
        byte[] bad = blob.clone();
        bad[0] ^= 1;
        assertThrows(IOException.class, () -> ensemble(new WrSgd(MODEL, 0.05, 2), 1).restore(bad));
    }

    /** Per-step watching through a chain (Fig. 1C): n calls per WOR epoch; thinning on the absolute unit count. */
    @Test
    void chainsWatchStepsAndThinOnTheUnitCount() {
        int[] calls = {0};
        Chain c = new Chain(new WorSgd(MODEL, 0.05, 2), new Rng(3), new double[3], 4, Moments.aboutMean(3, 100));
        c.run(10, (t, th) -> calls[0]++);
        assertEquals(30, calls[0]);
        c.run(3);
        assertEquals(13, c.units());
        assertEquals(3, ((Moments) c.observer(0)).count(), "units 4, 8, 12");
        assertThrows(IllegalArgumentException.class, () -> new Chain(new WrSgd(MODEL, 0.05, 2), new Rng(1), new double[2], 1));
    }
}
