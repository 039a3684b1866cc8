package io.openmeet.roomapi.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.roomapi.support.Api;
import io.openmeet.roomapi.support.SignallingSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Behind the ingress (the chart sets PROXY_ADDRESS_FORWARDING and TRUSTED_PROXIES), the per-address
 * socket cap counts the browser's address from X-Forwarded-For, not the proxy's: one browser's
 * sockets are capped while another browser behind the same proxy still gets in.
 */
@QuarkusTest
@TestProfile(ForwardedAddressTest.BehindAProxy.class)
class ForwardedAddressTest {

  /** The test client (127.0.0.1) is the trusted proxy, as the ingress is in the chart. */
  public static class BehindAProxy implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "openmeet.focus.capacity-benchmark-without-bridge", "true",
          "quarkus.http.proxy.proxy-address-forwarding", "true",
          "quarkus.http.proxy.allow-x-forwarded", "true",
          "quarkus.http.proxy.trusted-proxies", "127.0.0.1");
    }
  }

  private static final int CAP = 20; // SignallingConfig.maxSocketsPerAddress default

  private static SignallingSocket openAs(String slug, String browser) throws Exception {
    SignallingSocket s = new SignallingSocket();
    s.opened(
            HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .header("X-Forwarded-For", browser)
                .buildAsync(SignallingSocket.uri(slug), s))
        .get(10, TimeUnit.SECONDS);
    return s;
  }

  @Test
  void the_cap_counts_the_forwarded_browser_address_not_the_proxy() throws Exception {
    String slug = Api.createRoom(Map.of("name", Api.uniqueName("Proxy"))).getString("slug");
    List<SignallingSocket> ada = new ArrayList<>();
    try {
      for (int i = 0; i < CAP; i++) {
        ada.add(openAs(slug, "203.0.113.7"));
      }
      SignallingSocket oneTooMany = openAs(slug, "203.0.113.7");
      ada.add(oneTooMany);
      oneTooMany.closed.get(10, TimeUnit.SECONDS);
      assertThat(oneTooMany.closeReason).isEqualTo("too-many-sockets");

      // another browser behind the same proxy: its own count
      SignallingSocket bob = openAs(slug, "198.51.100.9");
      ada.add(bob);
      bob.send("{\"type\":\"ping\"}");
      bob.await("pong");
      assertThat(bob.closed).isNotDone();
      assertThat(ada.subList(0, CAP)).allMatch(s -> !s.closed.isDone());
    } finally {
      ada.forEach(SignallingSocket::close);
    }
  }
}
