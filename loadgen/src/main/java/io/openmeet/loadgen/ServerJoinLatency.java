package io.openmeet.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's own view of join → offer latency: the cumulative buckets of its {@code
 * signaling_latency_ms{operation="join"}} histogram from {@code /q/metrics}. Two scrapes around a
 * run give that run's distribution; a percentile is reported as the upper bound of the bucket it
 * falls in, so it never flatters the server.
 */
final class ServerJoinLatency {

  private static final Pattern BUCKET =
      Pattern.compile(
          "^signaling_latency_ms_bucket\\{([^}]*)} ([0-9.eE+]+)\\s*$", Pattern.MULTILINE);
  private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

  /** Upper bound (ms, +Inf as infinity) → cumulative count. */
  private final TreeMap<Double, Double> cumulative;

  private ServerJoinLatency(TreeMap<Double, Double> cumulative) {
    this.cumulative = cumulative;
  }

  /** Parses the join histogram out of Prometheus text; empty when the server has none. */
  static ServerJoinLatency parse(String prometheusText) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    Matcher m = BUCKET.matcher(prometheusText);
    while (m.find()) {
      String labels = m.group(1);
      Matcher le = LE.matcher(labels);
      if (!labels.contains("operation=\"join\"") || !le.find()) {
        continue;
      }
      double bound =
          le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
      buckets.merge(bound, Double.parseDouble(m.group(2)), Double::sum);
    }
    return new ServerJoinLatency(buckets);
  }

  /** What was recorded after {@code before} was scraped. */
  ServerJoinLatency since(ServerJoinLatency before) {
    TreeMap<Double, Double> delta = new TreeMap<>();
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      delta.put(e.getKey(), e.getValue() - before.cumulative.getOrDefault(e.getKey(), 0.0));
    }
    return new ServerJoinLatency(delta);
  }

  double count() {
    return cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
  }

  /** The upper bound of the bucket holding percentile {@code p} (0..100); NaN without data. */
  double percentileUpperBound(double p) {
    double total = count();
    if (total <= 0) {
      return Double.NaN;
    }
    double rank = Math.ceil(total * p / 100.0);
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      if (e.getValue() >= rank) {
        return e.getKey();
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
