package io.openmeet.systemtests;

import io.openmeet.testkit.SyntheticEndpoint;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.parallel.ResourceLock;

/** {@link BridgeKillChaosBase} on lite-bridge: the packaged jar, two processes and spares. */
@Order(SuiteLanes.LAST) // timings under live media: after the outages, see SuiteLanes
@ResourceLock(SuiteLanes.QUIET_MACHINE)
class LiteBridgeKillChaosTest extends BridgeKillChaosBase {

  @Override
  protected Bridge startBridge(RoomApiProcess api, String name) throws Exception {
    LiteBridgeProcess lite = LiteBridgeProcess.start(api.run, name);
    return new Bridge() {
      @Override
      public String name() {
        return lite.nickname;
      }

      @Override
      public boolean carries(String bridgeChannelUrl) {
        return bridgeChannelUrl.contains(":" + lite.restPort + "/");
      }

      @Override
      public void kill() throws Exception {
        lite.kill();
      }

      @Override
      public void pause() throws Exception {
        lite.pause();
      }

      @Override
      public void close() {
        try {
          lite.close();
        } catch (Exception e) {
          throw new IllegalStateException("cannot stop " + lite, e);
        }
      }

      @Override
      public String toString() {
        return lite.toString();
      }
    };
  }

  @Override
  protected SyntheticEndpoint.Options mediaOptions() {
    return SyntheticEndpoint.Options.loopback();
  }

  @Override
  protected String kind() {
    return "lite-bridge";
  }

  @Override
  protected int defaultRuns() {
    return 3;
  }
}
