package org.speedlimits.ness;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * K independent {@link Chain}s of one sampler, run on a thread pool. Chain k's rng is the k-th
 * {@link Rng#split()} of {@code new Rng(seed)} (= {@link Rng#stream}(seed, k)), its sampler a {@link Sampler#fresh()}
 * copy of the prototype, and its observers its own; chains share nothing mutable, so the results depend on
 * (seed, settings, units) only, not on the thread count or the scheduling.
 *
 * <p>Checkpoints ({@link #writeCheckpoint}, {@link #save}) hold every chain's complete state in a small binary
 * blob (magic, version, the sampler's {@link Sampler#describe()}, K, N, thin, then per chain the unit count, θ and
 * the rng state as raw bits, the sampler's index arrangement and each observer's accumulators); {@link #restore}
 * reads it into an ensemble built afresh with the same settings, which then continues bit for bit.
 */
public final class Ensemble {
    private static final int MAGIC = 0x4E455353; // "NESS"
    private static final int VERSION = 1;

    private final Sampler prototype;
    private final long seed;
    private final int thin;
    private final Chain[] chains;

    /**
     * @param prototype sampler whose settings every chain gets (each chain a {@link Sampler#fresh()} copy)
     * @param chains    K
     * @param seed      the ensemble's seed
     * @param start     θ₀ of chain k (copied)
     * @param thin      observers are called every {@code thin} units
     * @param observers chain k's observers (new instances per chain)
     */
    public Ensemble(Sampler prototype, int chains, long seed, IntFunction<double[]> start, int thin,
                    IntFunction<Observer[]> observers) {
        if (chains < 1) throw new IllegalArgumentException("chains " + chains + " < 1");
        this.prototype = prototype;
        this.seed = seed;
        this.thin = thin;
        this.chains = new Chain[chains];
        Rng base = new Rng(seed);
        for (int k = 0; k < chains; k++) {
            this.chains[k] = new Chain(prototype.fresh(), base.split(), start.apply(k), thin, observers.apply(k));
        }
    }

    /** Runs every chain {@code units} more units on {@code threads} threads (1 runs them in this thread). */
    public void run(long units, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads " + threads + " < 1");
        if (threads == 1 || chains.length == 1) {
            for (Chain c : chains) c.run(units);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, chains.length), r -> {
            Thread t = new Thread(r, "ness-chain");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Chain c : chains) done.add(pool.submit(() -> c.run(units)));
            for (Future<?> f : done) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the chains ran", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }

    public int size() {
        return chains.length;
    }

    public Chain chain(int k) {
        return chains[k];
    }

    public long seed() {
        return seed;
    }

    /** The complete state of every chain (see the class comment). */
    public void writeCheckpoint(OutputStream os) throws IOException {
        DataOutputStream out = new DataOutputStream(os);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(prototype.describe());
        out.writeInt(chains.length);
        out.writeInt(prototype.model().parameters());
        out.writeInt(thin);
        out.writeLong(seed);
        for (Chain c : chains) c.writeState(out);
        out.flush();
    }

    public byte[] checkpoint() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writeCheckpoint(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a checkpoint into this ensemble (built with the same sampler settings, K, thin and observer types);
     * throws IOException naming the first mismatch. The seed is only checked, the streams come from the blob.
     */
    public void restore(InputStream is) throws IOException {
        DataInputStream in = new DataInputStream(is);
        if (in.readInt() != MAGIC) throw new IOException("not a ness ensemble checkpoint (bad magic)");
        int version = in.readInt();
        if (version != VERSION) throw new IOException("checkpoint version " + version + ", this code reads " + VERSION);
        StateIO.expect(in, prototype.describe(), "sampler");
        int k = in.readInt(), n = in.readInt(), th = in.readInt();
        long sd = in.readLong();
        if (k != chains.length || n != prototype.model().parameters() || th != thin || sd != seed) {
            throw new IOException("checkpoint has K=" + k + " N=" + n + " thin=" + th + " seed=" + sd + ", this run K="
                    + chains.length + " N=" + prototype.model().parameters() + " thin=" + thin + " seed=" + seed);
        }
        for (Chain c : chains) c.readState(in);
        if (in.read() != -1) throw new IOException("trailing bytes after the checkpoint");
    }

    public void restore(byte[] checkpoint) throws IOException {
        restore(new ByteArrayInputStream(checkpoint));
    }

    /** Writes the checkpoint to {@code file} atomically (a temporary file in the same folder, then a rename). */
    public void save(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                writeCheckpoint(new java.io.BufferedOutputStream(os));
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public void load(Path file) throws IOException {
        try (InputStream is = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            restore(is);
        }
    }
}
