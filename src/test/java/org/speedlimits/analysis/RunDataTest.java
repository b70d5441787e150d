package org.speedlimits.analysis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad run directories fail with a message that names the file and what is wrong. */
class RunDataTest {
    @TempDir
    Path tmp;

    private Path run(String metrics) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(dir.resolve("config.yaml"), "seed: 0\ndata:\n  n_train: 4\ntrain:\n  loss: mean\n");
        Files.writeString(dir.resolve("status.json"), "{\"state\": \"done\"}");
        Files.writeString(dir.resolve("metrics.csv"), metrics);
        return dir;
    }

    @Test
    void readsColumnsAnchorsAndEmptyCells() throws Exception {
        RunData r = RunData.load(run("epoch,time,train_loss,test_acc,dist2_init,path_length,dist2_anchor_1\n"
                + "0,0.0,1.0,0.1,0.0,0.0,\n1,0.5,0.8,,0.2,0.45,0.0\n2,1.0,0.7,0.2,0.3,0.6,0.05\n"));
        assertEquals(3, r.rows());
        assertEquals(4, r.n());
        assertTrue(Double.isNaN(r.testAcc[1]));
        assertEquals(0.05, r.anchors.get(1L)[2]);
        assertTrue(Double.isNaN(r.anchors.get(1L)[0]));
        assertEquals(0.25, r.lossFactor());
    }

    @Test
    void missingColumnTruncatedLineAndBadNumberAreNamed() throws Exception {
        AnalysisException missing = assertThrows(AnalysisException.class, () -> RunData.load(run(
                "epoch,time,train_loss,dist2_init,path_length\n0,0,1,0,0\n1,1,1,1,1\n")));
        assertTrue(missing.getMessage().contains("metrics.csv has no column 'test_acc'"), missing.getMessage());
        AnalysisException truncated = assertThrows(AnalysisException.class, () -> RunData.load(run(
                "epoch,time,train_loss,test_acc,dist2_init,path_length\n0,0,1,0.1,0,0\n1,1,0.9,0.1,1,1\n2,2,0.8\n")));
        assertTrue(truncated.getMessage().contains("line 4 has 3 cells"), truncated.getMessage());
        AnalysisException bad = assertThrows(AnalysisException.class, () -> RunData.load(run(
                "epoch,time,train_loss,test_acc,dist2_init,path_length\n0,0,1,0.1,0,0\n1,1,x,0.1,1,1\n")));
        assertTrue(bad.getMessage().contains("column 'train_loss': 'x' is not a number"), bad.getMessage());
    }

    @Test
    void unsortedOrMalformedNtkSpectrumIsRejected() throws Exception {
        Path dir = run("epoch,time,train_loss,test_acc,dist2_init,path_length\n0,0,1,0.1,0,0\n1,1,0.9,0.1,1,1\n");
        Files.createDirectories(dir.resolve("ntk"));
        Files.write(dir.resolve("ntk").resolve("epoch_0.csv"), List.of("k,eigenvalue,proj2,overlap,cum_overlap",
                "1,1.0,0.5,0.5,0.5", "2,3.0,0.5,0.5,1.0"));
        AnalysisException e = assertThrows(AnalysisException.class, () -> RunData.load(dir));
        assertTrue(e.getMessage().contains("epoch_0.csv") && e.getMessage().contains("not sorted descending"), e.getMessage());
        Files.write(dir.resolve("ntk").resolve("epoch_0.csv"), List.of("eigenvalue,proj2", "1.0,0.5"));
        e = assertThrows(AnalysisException.class, () -> RunData.load(dir));
        assertTrue(e.getMessage().contains("expected header k,eigenvalue,proj2,overlap,cum_overlap"), e.getMessage());
    }
}
