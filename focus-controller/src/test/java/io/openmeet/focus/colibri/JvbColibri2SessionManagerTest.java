package io.openmeet.focus.colibri;

import io.openmeet.focus.testing.JvbTestBridge;
import io.openmeet.focus.testing.TestBridge;
import io.openmeet.jvbtestkit.RequiresJvb;

/**
 * The conformance tests against the stock Jitsi Videobridge (JVB_HOME): what lite-bridge must
 * match.
 */
@RequiresJvb
class JvbColibri2SessionManagerTest extends Colibri2ConformanceTest {

  @Override
  protected TestBridge startBridge(String brewery) throws Exception {
    return JvbTestBridge.start(brewery);
  }
}
