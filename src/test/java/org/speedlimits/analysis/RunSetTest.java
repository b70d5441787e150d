package org.speedlimits.analysis;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which config keys split runs into separate groups. */
class RunSetTest {
    @Test
    void resourceAndLoggingSettingsDoNotSplitGroups() {
        for (String key : new String[]{"seed", "output.root", "ntk.memory_cap_mb", "train.progress_seconds", "train.progress_every"}) {
            assertTrue(RunSet.ignoredForGrouping(key), key);
        }
    }

    @Test
    void settingsThatChangeTheTrajectoryDoSplitGroups() {
        for (String key : new String[]{"train.lr", "model.width", "train.dynamics", "ntk.kernel", "train.rtol", "data.n_train"}) {
            assertFalse(RunSet.ignoredForGrouping(key), key);
        }
    }
}
