package io.openmeet.jvbtestkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvbProcessTest {

  private static final XmppAccount ACCOUNT =
      new XmppAccount(
          "127.0.0.1",
          5222,
          "auth.meet.local",
          "internal.auth.meet.local",
          "jvb",
          "s3cret-password");

  @Test
  void theConfigIsTheChartsTemplateWithThisRunsValues() {
    var settings =
        JvbProcess.Settings.random(ACCOUNT, "jvbbrewery-test-abc@internal.auth.meet.local");
    Config c = ConfigFactory.parseString(settings.render()).resolve();

    String xmpp = "videobridge.apis.xmpp-client.configs.openmeet.";
    assertThat(c.getString(xmpp + "muc_jids"))
        .isEqualTo("jvbbrewery-test-abc@internal.auth.meet.local");
    assertThat(c.getString(xmpp + "muc_nickname")).isEqualTo(settings.bridgeId());
    assertThat(c.getString(xmpp + "domain")).isEqualTo("auth.meet.local");
    assertThat(c.getString(xmpp + "password")).isEqualTo("s3cret-password");
    assertThat(c.getInt("videobridge.http-servers.private.port")).isEqualTo(settings.privatePort());
    assertThat(c.getInt("videobridge.http-servers.public.port")).isEqualTo(settings.publicPort());
    assertThat(c.getString("videobridge.websockets.domain"))
        .isEqualTo("127.0.0.1:" + settings.publicPort());
    assertThat(c.getString("videobridge.websockets.server-id")).isEqualTo(settings.bridgeId());
    assertThat(c.getInt("videobridge.ice.udp.port")).isEqualTo(settings.mediaPort());
    assertThat(c.getBoolean("videobridge.health.require-valid-address")).isFalse();
    assertThat(c.getBoolean("videobridge.sctp.enabled")).isFalse();
    assertThat(c.getList("ice4j.harvest.mapping.stun.addresses")).isEmpty();
    assertThat(c.getBoolean("ice4j.harvest.mapping.aws.enabled")).isFalse();
    assertThat(c.getString("videobridge.load-management.load-measurements.load-measurement"))
        .isEqualTo("packet-rate");
    // never the defaults another process on this machine uses
    assertThat(
            java.util.List.of(settings.privatePort(), settings.publicPort(), settings.mediaPort()))
        .doesNotContain(8080, 8180, 9090, 10000);
  }

  @Test
  void twoRunsNeverShareABridgeId() {
    String brewery = "b@internal.auth.meet.local";
    assertThat(JvbProcess.Settings.random(ACCOUNT, brewery).bridgeId())
        .isNotEqualTo(JvbProcess.Settings.random(ACCOUNT, brewery).bridgeId());
  }

  @Test
  void aJvbHomeWithoutAJvbFailsInsteadOfSkipping(@TempDir Path empty) {
    assertThatThrownBy(() -> JvbHome.validate(empty))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not an unzipped Jitsi Videobridge distribution");
  }

  @Test
  void aBreweryThatIsNotARoomJidIsRefused() {
    assertThatThrownBy(() -> JvbProcess.Settings.random(ACCOUNT, "no-room").render())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theWatchdogStopsTheBridgeWhenTheTestJvmDiesEvenByKill() throws Exception {
    Process host =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                WatchdogHost.class.getName())
            .redirectErrorStream(true)
            .start();
    try {
      String pid =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      host.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))
              .readLine();
      ProcessHandle child = ProcessHandle.of(Long.parseLong(pid.strip())).orElseThrow();
      assertThat(child.isAlive()).isTrue();

      host.destroyForcibly(); // SIGKILL: no shutdown hook runs
      child.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(child.isAlive()).isFalse();
    } finally {
      host.destroyForcibly();
    }
  }

  /** The real bridge: started, reachable, stopped. */
  @Nested
  @RequiresJvb
  class WithJvb {
    @Test
    void itComesUpInItsBreweryAndIsGoneAfterClose() throws Exception {
      JvbProcess jvb = JvbProcess.start();
      try {
        Path conf = jvb.directory().resolve("jvb.conf");
        assertThat(Files.getPosixFilePermissions(conf))
            .containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        var health =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(jvb.privateUri("/about/health")).build(),
                    HttpResponse.BodyHandlers.discarding());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(jvb.get("/colibri/stats")).contains("\"conferences\":0");
      } finally {
        jvb.close();
      }
      assertThat(jvb.isAlive()).isFalse();
      assertThatThrownBy(() -> new Socket("127.0.0.1", jvb.privateUri("/").getPort()).close())
          .isInstanceOf(java.net.ConnectException.class);
      assertThat(jvb.logTail(200)).contains("Joined MUC: " + jvb.breweryJid());
    }
  }
}
