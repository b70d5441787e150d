package org.speedlimits.plot;

import java.util.List;

/** One chart: file-name stem, title, axis titles, axis scales and series (in data units). */
public record Panel(String name, String title, String xLabel, String yLabel, Scale xScale, Scale yScale, List<Series> series) {
    public Panel {
        series = List.copyOf(series);
    }
}
