package io.openmeet.systemtests;

/**
 * How the system-test classes share the machine (src/test/resources/junit-platform.properties): the
 * outage test runs in a second lane beside the light classes, never beside one that measures gaps
 * or latencies.
 */
final class SuiteLanes {

  /**
   * The resource held (read-write) by the outage test and by every class whose bounds are timings
   * under live media: JUnit never runs two holders at once.
   */
  static final String QUIET_MACHINE = "quiet-machine";

  /**
   * The {@code @Order} of the timing classes: after every class without one (JUnit gives those
   * {@code Integer.MAX_VALUE / 2}), so the light classes fill the first lane while the outages run.
   */
  static final int LAST = Integer.MAX_VALUE;

  private SuiteLanes() {}
}
