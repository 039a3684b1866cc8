package io.openmeet.focus.xmpp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class NoDelaySocketFactoryTest {

  @Test
  void socketsForTheXmppConnectionHaveNagleOff() throws Exception {
    var factory = new NoDelaySocketFactory();
    try (Socket unconnected = factory.createSocket()) {
      assertThat(unconnected.getTcpNoDelay()).isTrue();
    }
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket connected =
            factory.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
      assertThat(connected.getTcpNoDelay()).isTrue();
    }
  }
}
