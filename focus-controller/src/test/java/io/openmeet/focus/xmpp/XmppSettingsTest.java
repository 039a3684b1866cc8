package io.openmeet.focus.xmpp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The focus's XMPP settings get logged: their toString must not carry the password. */
class XmppSettingsTest {

  @Test
  void toStringMasksThePassword() {
    XmppSettings s =
        new XmppSettings(
            "127.0.0.1",
            5222,
            "auth.meet.local",
            "focus",
            "focus-pw-4711",
            "node-1",
            false,
            Duration.ofSeconds(5));
    assertThat(s.password()).isEqualTo("focus-pw-4711");
    assertThat(s.toString())
        .doesNotContain("focus-pw-4711")
        .contains("password=***", "username=focus", "host=127.0.0.1", "resource=node-1");
  }
}
