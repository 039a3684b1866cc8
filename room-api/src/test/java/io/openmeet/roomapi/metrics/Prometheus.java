package io.openmeet.roomapi.metrics;

/** Reads samples out of Prometheus text exposition (tests). */
final class Prometheus {

  private Prometheus() {}

  /**
   * Sum of the samples of {@code name} whose label set contains {@code labelFragment} (empty: all);
   * 0 when there are none.
   */
  static double sum(String text, String name, String labelFragment) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if ((line.startsWith(name + " ") || line.startsWith(name + "{"))
          && line.contains(labelFragment)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
