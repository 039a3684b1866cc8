package io.openmeet.systemtests;

import io.openmeet.jvbtestkit.RequiresJvb;

/**
 * The flow tests with the stock Jitsi Videobridge (JVB_HOME) as the only bridge in the room-api's
 * brewery. Its media needs a non-loopback address on this machine (JVB's ICE never binds loopback);
 * without one the media tests are skipped with a visible line.
 */
@RequiresJvb
class JvbSignallingFlowTest extends BridgeFlowTest {

  @Override
  protected SystemBridge startBridge(String breweryJid) throws Exception {
    return JvbSystemBridge.start(breweryJid);
  }
}
