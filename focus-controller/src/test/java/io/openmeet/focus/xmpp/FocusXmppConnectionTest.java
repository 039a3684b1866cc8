package io.openmeet.focus.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.testing.TestEnv;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FocusXmppConnectionTest {

  @Test
  void logsInToTheRealProsody() throws Exception {
    try (FocusXmppConnection c = new FocusXmppConnection(TestEnv.focus())) {
      c.connect(3, Duration.ofMillis(100), Duration.ofSeconds(1));
      assertThat(c.smack().isAuthenticated()).isTrue();
      assertThat(c.smack().getUser().getResourcepart().toString()).startsWith("focus-");
    }
  }

  @Test
  void aPortNobodyListensOnIsRetriedWithBackoffThenReportedWithTheCause() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there now
    }
    XmppSettings base = TestEnv.focus();
    XmppSettings nowhere =
        new XmppSettings(
            "127.0.0.1",
            port,
            base.domain(),
            base.username(),
            base.password(),
            base.resource(),
            false,
            base.replyTimeout());
    long started = System.nanoTime();
    try (FocusXmppConnection c = new FocusXmppConnection(nowhere)) {
      assertThatThrownBy(() -> c.connect(3, Duration.ofMillis(100), Duration.ofMillis(150)))
          .isInstanceOf(FocusXmppConnection.XmppUnavailableException.class)
          .hasMessageContaining("after 3 attempts")
          .hasCauseInstanceOf(Exception.class);
    }
    // Two waits between three attempts: 100 ms, then 150 ms (doubled, capped).
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(250));
  }

  @Test
  void aRefusedLoginIsReportedAtOnce() throws Exception {
    XmppSettings base = TestEnv.focus();
    XmppSettings wrong =
        new XmppSettings(
            base.host(),
            base.port(),
            base.domain(),
            base.username(),
            "not-the-password",
            base.resource(),
            false,
            base.replyTimeout());
    try (FocusXmppConnection c = new FocusXmppConnection(wrong)) {
      long started = System.nanoTime();
      assertThatThrownBy(() -> c.connect(5, Duration.ofSeconds(20), Duration.ofSeconds(20)))
          .isInstanceOf(FocusXmppConnection.XmppUnavailableException.class)
          .hasMessageContaining("refused the login");
      // No backoff wait happened: the first refusal was final.
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }
  }
}
