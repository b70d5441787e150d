package org.speedlimits.data;

/** Missing, truncated, malformed or insufficient data; the message names the file (and record) and what was expected. */
public final class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
