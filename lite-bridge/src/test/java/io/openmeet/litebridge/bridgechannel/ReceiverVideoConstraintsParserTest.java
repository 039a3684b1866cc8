package io.openmeet.litebridge.bridgechannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.litebridge.allocation.ReceiverVideoConstraints;
import io.openmeet.litebridge.allocation.VideoConstraints;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class ReceiverVideoConstraintsParserTest {

  private static ReceiverVideoConstraints parse(String json) throws Exception {
    return ReceiverVideoConstraintsParser.parse(new JsonObject(json));
  }

  @Test
  void aFullMessageAsTheContractShowsIt() throws Exception {
    ReceiverVideoConstraints m =
        parse(
            """
            {"colibriClass":"ReceiverVideoConstraints","lastN":-1,"onStageSources":["x-v0"],
             "selectedSources":[],"defaultConstraints":{"maxHeight":0},
             "constraints":{"x-v0":{"maxHeight":720},"y-v0":{"maxHeight":180,"maxFrameRate":15}}}
            """);

    assertThat(m.lastN()).isEqualTo(-1);
    assertThat(m.onStageSources()).containsExactly("x-v0");
    assertThat(m.selectedSources()).isEmpty();
    assertThat(m.defaultConstraints()).isEqualTo(VideoConstraints.ofHeight(0));
    assertThat(m.constraints())
        .isEqualTo(
            Map.of("x-v0", VideoConstraints.ofHeight(720), "y-v0", new VideoConstraints(180, 15)));
  }

  @Test
  void missingAndNullFieldsAreLeftUnset() throws Exception {
    ReceiverVideoConstraints m =
        parse("{\"colibriClass\":\"ReceiverVideoConstraints\",\"lastN\":null}");

    assertThat(m).isEqualTo(new ReceiverVideoConstraints(null, null, null, null, null));
  }

  @Test
  void fieldsOfTheWrongShapeMakeTheMessageInvalid() {
    for (String bad :
        List.of(
            "{\"lastN\":\"2\"}",
            "{\"onStageSources\":\"x-v0\"}",
            "{\"selectedSources\":[1]}",
            "{\"defaultConstraints\":180}",
            "{\"defaultConstraints\":{}}",
            "{\"defaultConstraints\":{\"maxHeight\":-2}}",
            "{\"constraints\":[]}",
            "{\"constraints\":{\"x-v0\":null}}",
            "{\"constraints\":{\"x-v0\":{\"maxHeight\":180,\"maxFrameRate\":\"30\"}}}")) {
      assertThatThrownBy(() -> parse(bad))
          .as(bad)
          .isInstanceOf(ReceiverVideoConstraintsParser.InvalidMessageException.class);
    }
  }

  @Test
  void eachKindOfIgnoredMessageIsLoggedOnceAtInfo() {
    Logger logger = Logger.getLogger(ColibriWebSocketService.class.getName());
    List<Level> levels = new java.util.concurrent.CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            levels.add(r.getLevel());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Level before = logger.getLevel();
    logger.setLevel(Level.ALL);
    logger.addHandler(handler);
    try {
      IgnoredMessages ignored = new IgnoredMessages();
      assertThat(ignored.ignored("colibriClass 'Foo'", "from a")).isTrue();
      assertThat(ignored.ignored("colibriClass 'Foo'", "from b")).isFalse();
      assertThat(ignored.ignored("invalid ReceiverVideoConstraints", "from a")).isTrue();
      assertThat(levels).containsExactly(Level.INFO, Level.FINE, Level.INFO);
    } finally {
      logger.removeHandler(handler);
      logger.setLevel(before);
    }
  }
}
