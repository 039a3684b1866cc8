package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.jvbtestkit.RequiresJvb;
import io.openmeet.jvbtestkit.SkipLog;
import io.openmeet.testkit.SyntheticEndpoint;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * {@link BridgeKillChaosBase} on the stock Jitsi Videobridge (JVB_HOME), as child processes; run by
 * scripts/test when it finds a JVB. Without JVB_HOME the test is reported skipped with a visible
 * "JVB suite skipped: " line ({@link RequiresJvb}). Media needs a non-loopback IPv4 address here
 * (JVB's ICE never binds loopback); without one the test is skipped with a visible "JVB media
 * skipped: " line before any process starts.
 */
@RequiresJvb
@Order(SuiteLanes.LAST) // timings under live media: after the outages, see SuiteLanes
@ResourceLock(SuiteLanes.QUIET_MACHINE)
class JvbBridgeKillChaosTest extends BridgeKillChaosBase {

  @BeforeEach
  void assumeMedia() {
    if (JvbSystemBridge.hostMediaOptions().isEmpty()) {
      String line =
          "JVB media skipped: " + getClass().getSimpleName() + ": " + JvbSystemBridge.NO_MEDIA;
      SkipLog.print(line);
      Assumptions.abort(line);
    }
  }

  @Override
  protected Bridge startBridge(RoomApiProcess api, String name) throws Exception {
    JvbSystemBridge jvb = JvbSystemBridge.start(api.breweryJid);
    return new Bridge() {
      @Override
      public String name() {
        return jvb.jvb.bridgeId();
      }

      @Override
      public boolean carries(String bridgeChannelUrl) {
        return bridgeChannelUrl.contains(":" + jvb.jvb.publicPort() + "/");
      }

      @Override
      public void kill() throws Exception {
        // no wait for its exit: the watchdog shell reaps it only when the test closes its stdin,
        // so it stays a zombie; the kernel has closed its sockets already
        signal("KILL");
      }

      @Override
      public void pause() throws Exception {
        signal("STOP");
      }

      @Override
      public void drain() throws Exception {
        jvb.jvb.setDrain(true);
      }

      private void signal(String name) throws Exception {
        Process kill =
            new ProcessBuilder("kill", "-" + name, Long.toString(jvb.jvb.pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0)
            .as("kill -" + name)
            .isTrue();
      }

      @Override
      public void close() {
        if (jvb.jvb.isAlive()) {
          try {
            signal("CONT");
          } catch (Exception | AssertionError e) {
            // close() kills it anyway
          }
        }
        jvb.close();
      }

      @Override
      public String toString() {
        return jvb.jvb.toString();
      }
    };
  }

  @Override
  protected SyntheticEndpoint.Options mediaOptions() {
    return JvbSystemBridge.hostMediaOptions().orElseThrow();
  }

  @Override
  protected String kind() {
    return "JVB";
  }

  @Override
  protected int defaultRuns() {
    return 3;
  }

  @Override
  protected boolean warmSpares() {
    return true;
  }
}
