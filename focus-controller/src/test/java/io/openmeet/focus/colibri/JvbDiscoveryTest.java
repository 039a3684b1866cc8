package io.openmeet.focus.colibri;

import io.openmeet.focus.testing.JvbTestBridge;
import io.openmeet.focus.testing.TestBridge;
import io.openmeet.jvbtestkit.RequiresJvb;

/** The stock Jitsi Videobridge starts, drains (REST) and stops (SIGTERM): the focus follows. */
@RequiresJvb
class JvbDiscoveryTest extends BridgeDiscoveryTest {

  @Override
  protected TestBridge startBridge(String brewery) throws Exception {
    return JvbTestBridge.start(brewery);
  }
}
