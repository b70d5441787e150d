package org.speedlimits.figures;

import org.speedlimits.analysis.Analysis;
import org.speedlimits.analysis.AnalysisException;
import org.speedlimits.analysis.GroupAnalysis;
import org.speedlimits.analysis.NtkSpectrum;
import org.speedlimits.analysis.SeedStats;
import org.speedlimits.io.EpochCsv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the Fig. 1/2 panels draw, per group of seeds: the curve rows of {@code curves/<group>.csv} (mean/std and NTK
 * theory), the final inefficiencies of {@code summary.csv} and the NTK spectra of {@code spectra/<group>.csv}. Built
 * either from an {@link Analysis} (the same rows the analysis writes) or read back from a written analysis folder, so
 * committed results can be redrawn without their runs (then without the weight triplets, which need a run).
 */
record PaperData(List<Group> groups, double warmThreshold) {
    record Spectra(List<NtkSpectrum> spectra, String epochs, double alpha) {
    }

    /** {@code tripletRun}: a run directory with triplets.csv, or null. {@code finalCold/finalWarm}: {mean, std, theory}. */
    record Group(String label, long n, int seeds, double[] time, SeedStats trainLoss, SeedStats testAcc, SeedStats cold, SeedStats warm,
                 SeedStats geo, double[] theoryCold, double[] theoryWarm, double[] theoryGeo, long anchorEpoch, String warmNote,
                 double[] finalCold, double[] finalWarm, Spectra init, Spectra warmSpectra, long lastEpoch, List<NtkSpectrum> last,
                 Path tripletRun) {
    }

    static PaperData of(Analysis analysis) {
        List<Group> groups = new ArrayList<>();
        for (GroupAnalysis g : analysis.groups) {
            int[] rows = Analysis.curveRowIndices(g);
            int end = g.epoch.length - 1;
            double[] finalCold = {g.cold.lastMean(), g.cold.lastStd(), g.theoryCold[end]};
            double[] finalWarm = g.warm == null ? null : new double[]{g.warm.lastMean(), g.warm.lastStd(), g.theoryWarm[end]};
            long last = -1;
            List<NtkSpectrum> finals = List.of();
            if (g.ntkInit != null) {
                long l = g.group.runs().get(0).ntk.lastKey();
                last = l;
                finals = g.group.runs().stream().filter(r -> r.ntk.containsKey(l)).map(r -> r.ntk.get(l)).toList();
            }
            groups.add(new Group(g.group.label(), g.group.n(), g.seeds(), pick(g.time, rows), pick(g.trainLoss, rows), pick(g.testAcc, rows),
                    pick(g.cold, rows), g.warm == null ? null : pick(g.warm, rows), pick(g.geo, rows), pick(g.theoryCold, rows),
                    pick(g.theoryWarm, rows), pick(g.theoryGeo, rows), g.anchorEpoch, g.warmNote, finalCold, finalWarm,
                    g.ntkInit == null ? null : new Spectra(g.ntkInit.spectra(), g.ntkInit.epochs(), g.ntkInit.alpha()),
                    g.ntkWarm == null ? null : new Spectra(g.ntkWarm.spectra(), g.ntkWarm.epochs(), g.ntkWarm.alpha()),
                    last, finals, g.group.runs().get(0).dir));
        }
        return new PaperData(groups, analysis.warmThreshold);
    }

    /** Reads {@code summary.csv}, {@code curves/} and {@code spectra/} of an analysis folder. */
    static PaperData read(Path dir, double warmThreshold) {
        Path summary = dir.resolve("summary.csv");
        try {
            List<Map<String, String>> rows = table(summary);
            Map<String, Map<String, Map<String, String>>> byGroup = new LinkedHashMap<>();
            for (Map<String, String> r : rows) byGroup.computeIfAbsent(r.get("group"), k -> new LinkedHashMap<>()).put(r.get("start"), r);
            List<Group> groups = new ArrayList<>();
            for (var e : byGroup.entrySet()) {
                String label = e.getKey();
                Map<String, String> cold = e.getValue().get("cold"), warm = e.getValue().get("warm");
                if (cold == null) throw new AnalysisException(summary + ": group " + label + " has no 'cold' row");
                String slug = label.replaceAll("[^A-Za-z0-9.=_-]+", "_").replace('=', '-');
                Path curves = dir.resolve("curves").resolve(slug + ".csv");
                List<String> header = EpochCsv.header(curves);
                List<double[]> c = EpochCsv.read(curves);
                java.util.function.Function<String, double[]> col = name -> {
                    int i = header.indexOf(name);
                    if (i < 0) throw new AnalysisException(curves + " has no column " + name);
                    return c.stream().mapToDouble(r -> r[i]).toArray();
                };
                java.util.function.Function<String, SeedStats> stats = name -> new SeedStats(col.apply(name + "_mean"), col.apply(name + "_std"));
                SeedStats warmStats = stats.apply("ineff_warm");
                boolean hasWarm = java.util.Arrays.stream(warmStats.mean()).anyMatch(Double::isFinite);
                double[] finalWarm = warm == null || warm.get("inefficiency_final_mean").isEmpty() ? null
                        : new double[]{num(warm, "inefficiency_final_mean"), num(warm, "inefficiency_final_std"), num(warm, "theory_inefficiency_final")};
                TreeMap<String, TreeMap<Long, NtkSpectrum>> spectra = spectra(dir.resolve("spectra").resolve(slug + ".csv"));
                Spectra init = null, warmSpectra = null;
                long last = -1;
                List<NtkSpectrum> finals = List.of();
                if (!spectra.isEmpty()) {
                    List<NtkSpectrum> at0 = spectra.values().stream().filter(m -> m.containsKey(0L)).map(m -> m.get(0L)).toList();
                    if (!at0.isEmpty()) init = new Spectra(at0, "0", num(cold, "alpha"));
                    if (warm != null && !warm.get("ntk_epoch").isEmpty()) {
                        List<Long> epochs = Stream.of(warm.get("ntk_epoch").split("/")).map(Long::parseLong).toList();
                        List<NtkSpectrum> w = new ArrayList<>();
                        for (TreeMap<Long, NtkSpectrum> m : spectra.values()) {
                            epochs.stream().filter(m::containsKey).findFirst().ifPresent(ep -> w.add(m.get(ep)));
                        }
                        if (!w.isEmpty()) warmSpectra = new Spectra(w, warm.get("ntk_epoch"), num(warm, "alpha"));
                    }
                    long l = spectra.firstEntry().getValue().lastKey();
                    last = l;
                    finals = spectra.values().stream().filter(m -> m.containsKey(l)).map(m -> m.get(l)).toList();
                }
                String note = warm == null ? cold.get("note") : warm.get("note");
                groups.add(new Group(label, Long.parseLong(cold.get("n")), Integer.parseInt(cold.get("seeds")), col.apply("time"),
                        stats.apply("train_loss"), stats.apply("test_acc"), stats.apply("ineff_cold"), hasWarm ? warmStats : null,
                        stats.apply("geo_ratio"), col.apply("theory_ineff_cold"), col.apply("theory_ineff_warm"), col.apply("theory_geo_ratio"),
                        cold.get("anchor_epoch").isEmpty() ? -1 : Long.parseLong(cold.get("anchor_epoch")), note,
                        new double[]{num(cold, "inefficiency_final_mean"), num(cold, "inefficiency_final_std"), num(cold, "theory_inefficiency_final")},
                        finalWarm, init, warmSpectra, last, finals, null));
            }
            if (groups.isEmpty()) throw new AnalysisException(summary + " has no groups");
            return new PaperData(groups, warmThreshold);
        } catch (IOException | RuntimeException e) {
            if (e instanceof AnalysisException a) throw a;
            throw new AnalysisException("cannot read the analysis folder " + dir + " (summary.csv, curves/, spectra/): " + e.getMessage(), e);
        }
    }

    /** run → epoch → spectrum from a spectra CSV (empty if the file does not exist). */
    private static TreeMap<String, TreeMap<Long, NtkSpectrum>> spectra(Path file) throws IOException {
        TreeMap<String, TreeMap<Long, List<double[]>>> rows = new TreeMap<>();
        if (!Files.isRegularFile(file)) return new TreeMap<>();
        for (Map<String, String> r : table(file)) {
            rows.computeIfAbsent(r.get("run"), k -> new TreeMap<>()).computeIfAbsent(Long.parseLong(r.get("epoch")), k -> new ArrayList<>())
                    .add(new double[]{num(r, "eigenvalue"), num(r, "proj2"), num(r, "overlap")});
        }
        TreeMap<String, TreeMap<Long, NtkSpectrum>> out = new TreeMap<>();
        rows.forEach((run, byEpoch) -> byEpoch.forEach((epoch, ks) -> out.computeIfAbsent(run, k -> new TreeMap<>()).put(epoch,
                new NtkSpectrum(epoch, ks.stream().mapToDouble(k -> k[0]).toArray(), ks.stream().mapToDouble(k -> k[1]).toArray(),
                        ks.stream().mapToDouble(k -> k[2]).toArray()))));
        return out;
    }

    private static double num(Map<String, String> row, String key) {
        String v = row.get(key);
        return v == null || v.isEmpty() ? Double.NaN : Double.parseDouble(v);
    }

    /** A CSV with a header, as maps column → cell (quoted cells may hold commas). */
    private static List<Map<String, String>> table(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> header = cells(lines.get(0));
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> c = cells(line);
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) m.put(header.get(i), i < c.size() ? c.get(i) : "");
            out.add(m);
        }
        return out;
    }

    private static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    b.append('"');
                    i++;
                } else if (ch == '"') quoted = false;
                else b.append(ch);
            } else if (ch == '"') quoted = true;
            else if (ch == ',') {
                out.add(b.toString());
                b.setLength(0);
            } else b.append(ch);
        }
        out.add(b.toString());
        return out;
    }

    private static double[] pick(double[] v, int[] rows) {
        return java.util.Arrays.stream(rows).mapToDouble(i -> v[i]).toArray();
    }

    private static SeedStats pick(SeedStats s, int[] rows) {
        return new SeedStats(pick(s.mean(), rows), pick(s.std(), rows));
    }
}
