package org.speedlimits.analysis;

/** Bad input to the analysis (no runs found, unreadable file, no anchor after the warm start): exit code 2. */
public final class AnalysisException extends RuntimeException {
    public AnalysisException(String message) {
        super(message);
    }

    public AnalysisException(String message, Throwable cause) {
        super(message, cause);
    }
}
