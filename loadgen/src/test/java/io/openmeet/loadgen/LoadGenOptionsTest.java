package io.openmeet.loadgen;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rates and sizes are checked before the first room is created: nothing listens on the URL, so a
 * run that got as far as the REST API would fail with a connection error instead.
 */
class LoadGenOptionsTest {
  private static final String NOWHERE = "http://127.0.0.1:1";

  @Test
  void aZeroWarmUpRateIsRefusedBeforeAnyRoomIsCreated() {
    var gen = new LoadGen(Map.of("url", NOWHERE, "warmup", "10", "warmup-rate", "0"));

    assertThatThrownBy(gen::join)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--warmup-rate must be a positive whole number, not '0'");
  }

  @Test
  void aRateThatIsNotANumberIsRefused() {
    var gen = new LoadGen(Map.of("url", NOWHERE, "rate", "fast"));

    assertThatThrownBy(gen::join)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--rate must be a positive whole number, not 'fast'");
  }

  @Test
  void anEmptyRoomSizeIsRefusedForHeldSessionsToo() {
    var gen = new LoadGen(Map.of("url", NOWHERE, "room-size", "0"));

    assertThatThrownBy(gen::hold)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--room-size must be a positive whole number, not '0'");
  }
}
