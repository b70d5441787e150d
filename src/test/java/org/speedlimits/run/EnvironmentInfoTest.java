package org.speedlimits.run;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The CUDA fields of env.json, from a device list shaped like ND4J's cuda.devicesInformation. */
class EnvironmentInfoTest {
    @Test
    void cudaDescriptionNamesDevicesDriverAndVersions() {
        List<Map<String, Object>> devices = List.of(
                Map.of("cuda.deviceName", "NVIDIA A100-SXM4-40GB", "cuda.deviceMajor", 8, "cuda.deviceMinor", 0,
                        "cuda.totalMemory", 42_000_000_000L),
                Map.of("cuda.deviceName", "Tesla V100", "cuda.deviceMajor", 7, "cuda.deviceMinor", 0,
                        "cuda.totalMemory", 16_000_000_000L));
        Map<String, Object> d = EnvironmentInfo.cudaDescription(devices, "535.104.05", 11060, 12020);
        assertEquals(List.of("NVIDIA A100-SXM4-40GB", "Tesla V100"), d.get("gpu_names"));
        assertEquals(List.of("sm_80", "sm_70"), d.get("gpu_compute_capabilities"));
        assertEquals("535.104.05", d.get("gpu_driver_version"));
        assertEquals("11.6", d.get("cuda_runtime_version"));
        assertEquals("12.2", d.get("cuda_driver_api_version"));
        assertEquals("unknown", EnvironmentInfo.cudaDescription(List.of(), "unknown", null, null).get("cuda_runtime_version"));
    }

    @Test
    void cudaProbesAreHarmlessOnTheCpuBuild() {
        assertNull(EnvironmentInfo.cudaVersion("cudaRuntimeGetVersion"), "no bytedeco cudart on the CPU class path");
    }

    @Test
    void coresIsAlwaysAPositiveNumber() {
        assertEquals(12, EnvironmentInfo.cores(12));
        assertEquals(8, EnvironmentInfo.cores("8"));
        int jvm = Runtime.getRuntime().availableProcessors();
        assertEquals(jvm, EnvironmentInfo.cores(null));
        assertEquals(jvm, EnvironmentInfo.cores("n/a"));
        assertEquals(jvm, EnvironmentInfo.cores(0));
    }

    @Test
    void jsonTypesAreProper() throws Exception {
        assertEquals(Boolean.FALSE, EnvironmentInfo.gitDirty(""));
        assertEquals(Boolean.TRUE, EnvironmentInfo.gitDirty(" M pom.xml"));
        assertNull(EnvironmentInfo.gitDirty("unknown"));
        Map<String, Object> env = EnvironmentInfo.collect(Map.of("cores", EnvironmentInfo.cores(null)));
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(env));
        org.junit.jupiter.api.Assertions.assertTrue(json.get("cores").isInt(), json.toString());
        org.junit.jupiter.api.Assertions.assertTrue(json.get("available_processors").isInt(), json.toString());
        org.junit.jupiter.api.Assertions.assertTrue(json.get("max_heap_bytes").isIntegralNumber(), json.toString());
        org.junit.jupiter.api.Assertions.assertTrue(json.get("git_dirty").isBoolean() || json.get("git_dirty").isNull(),
                json.toString());
    }
}
