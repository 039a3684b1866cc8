package io.openmeet.litebridge.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VideoAllocatorTest {

  private static final AllocationConfig JVB = AllocationConfig.JVB_DEFAULTS;

  private final List<VideoAllocator.Participant> participants = new ArrayList<>();

  /** Adds an endpoint sending {@code <id>-v0} (and more sources if named) with these settings. */
  private void join(String id, ReceiverSettings settings, String... extraSources) {
    List<String> sources = new ArrayList<>();
    sources.add(id + "-v0");
    sources.addAll(List.of(extraSources));
    participants.add(new VideoAllocator.Participant(id, sources, settings));
  }

  private static ReceiverSettings sent(ReceiverVideoConstraints... messages) {
    ReceiverSettings settings = ReceiverSettings.initial(JVB);
    for (ReceiverVideoConstraints m : messages) {
      settings = settings.apply(m, JVB);
    }
    return settings;
  }

  private static ReceiverVideoConstraints message(
      Integer lastN,
      List<String> onStage,
      List<String> selected,
      Integer defaultMaxHeight,
      Map<String, Integer> maxHeights) {
    Map<String, VideoConstraints> constraints = null;
    if (maxHeights != null) {
      constraints = new java.util.HashMap<>();
      for (var e : maxHeights.entrySet()) {
        constraints.put(e.getKey(), VideoConstraints.ofHeight(e.getValue()));
      }
    }
    return new ReceiverVideoConstraints(
        lastN,
        onStage,
        selected,
        defaultMaxHeight == null ? null : VideoConstraints.ofHeight(defaultMaxHeight),
        constraints);
  }

  private Allocation allocate(String... speechOrder) {
    return VideoAllocator.allocate(participants, List.of(speechOrder));
  }

  @Test
  void beforeItsFirstConstraintsAReceiverGetsNoVideoAndSendersAreToldZero() {
    join("a", ReceiverSettings.initial(JVB));
    join("b", ReceiverSettings.initial(JVB));

    Allocation allocation = allocate();

    assertThat(allocation.forwardedSources("a")).isEmpty();
    assertThat(allocation.forwardedSources("b")).isEmpty();
    assertThat(allocation.senderMaxHeights()).isEqualTo(Map.of("a-v0", 0, "b-v0", 0));
  }

  @Test
  void aNonZeroInitialMaxHeightForwardsBeforeAnyConstraints() {
    AllocationConfig lenient = new AllocationConfig(-1, 180);
    join("a", ReceiverSettings.initial(lenient));
    join("b", ReceiverSettings.initial(lenient));

    Allocation allocation = allocate();

    assertThat(allocation.forwardedSources("a")).containsExactly("b-v0");
    assertThat(allocation.senderMaxHeights()).containsEntry("b-v0", -1);
  }

  @Test
  void aFirstMessageWithoutDefaultConstraintsMakesUnnamedSources180p() {
    join("a", sent(message(-1, null, null, null, Map.of("c-v0", 720))));
    join("b", ReceiverSettings.initial(JVB));
    join("c", ReceiverSettings.initial(JVB));

    Allocation allocation = allocate();

    assertThat(allocation.forwarded().get("a")).isEqualTo(Map.of("b-v0", 180, "c-v0", 720));
    assertThat(allocation.senderMaxHeights()).containsEntry("b-v0", 180).containsEntry("c-v0", 720);
  }

  @Test
  void aLaterMessageWithoutDefaultConstraintsKeepsTheDefaultItHad() {
    join("a", sent(message(null, null, null, 0, null), message(null, null, null, null, null)));
    join("b", ReceiverSettings.initial(JVB));

    assertThat(allocate().forwardedSources("a")).isEmpty();
  }

  @Test
  void withDefaultZeroOnlyNamedSourcesAreForwardedAndZeroStopsOne() {
    join("a", sent(message(-1, null, null, 0, Map.of("b-v0", 360, "c-v0", 0))));
    join("b", ReceiverSettings.initial(JVB));
    join("c", ReceiverSettings.initial(JVB));
    join("d", ReceiverSettings.initial(JVB));

    Allocation allocation = allocate();

    assertThat(allocation.forwarded().get("a")).isEqualTo(Map.of("b-v0", 360));
    assertThat(allocation.senderMaxHeights())
        .isEqualTo(Map.of("a-v0", 0, "b-v0", 360, "c-v0", 0, "d-v0", 0));
  }

  @Test
  void lastNOneForwardsTheDominantSpeakersSource() {
    join("a", sent(message(1, null, null, 360, null)));
    join("b", ReceiverSettings.initial(JVB));
    join("c", ReceiverSettings.initial(JVB));

    // nobody spoke yet: join order
    assertThat(allocate().forwardedSources("a")).containsExactly("b-v0");
    // c is the dominant speaker: c first
    Allocation allocation = allocate("c", "b");
    assertThat(allocation.forwardedSources("a")).containsExactly("c-v0");
    assertThat(allocation.senderMaxHeights()).containsEntry("b-v0", 0).containsEntry("c-v0", 360);
  }

  @Test
  void onStageRanksFirstThenSelectedThenSpeechOrder() {
    join("a", sent(message(2, List.of("d-v0"), List.of("c-v0", "d-v0"), 180, null)));
    join("b", ReceiverSettings.initial(JVB));
    join("c", ReceiverSettings.initial(JVB));
    join("d", ReceiverSettings.initial(JVB));

    assertThat(allocate("b").forwardedSources("a")).containsExactly("d-v0", "c-v0");

    participants.set(
        0,
        new VideoAllocator.Participant(
            "a", List.of("a-v0"), sent(message(2, null, List.of("c-v0"), 180, null))));
    assertThat(allocate("b").forwardedSources("a")).containsExactly("c-v0", "b-v0");
  }

  @Test
  void sourcesWithZeroConstraintsDoNotUseUpLastN() {
    // the dominant speaker's tile is hidden: lastN 1 goes to the next source
    join("a", sent(message(1, null, null, 180, Map.of("b-v0", 0))));
    join("b", ReceiverSettings.initial(JVB));
    join("c", ReceiverSettings.initial(JVB));

    assertThat(allocate("b").forwardedSources("a")).containsExactly("c-v0");
  }

  @Test
  void lastNZeroForwardsNothing() {
    join("a", sent(message(0, List.of("b-v0"), null, 720, null)));
    join("b", ReceiverSettings.initial(JVB));

    Allocation allocation = allocate();

    assertThat(allocation.forwardedSources("a")).isEmpty();
    assertThat(allocation.senderMaxHeights()).containsEntry("b-v0", 0);
  }

  @Test
  void aSendersConstraintIsTheLargestHeightAnyReceiverGetsItAtAndNoLimitWins() {
    join("a", sent(message(-1, null, null, 180, null)));
    join("b", sent(message(-1, null, null, 0, Map.of("a-v0", 360))));
    join("c", sent(message(-1, null, null, 0, Map.of("a-v0", 720, "b-v0", -1))));

    Allocation allocation = allocate();

    assertThat(allocation.senderMaxHeights())
        .containsEntry("a-v0", 720)
        .containsEntry("b-v0", -1)
        .containsEntry("c-v0", 180);
  }

  @Test
  void aReceiverNeverGetsItsOwnSourcesAndEverySourceOfASenderCounts() {
    join("a", sent(message(-1, null, null, 180, null)), "a-v1");
    join("b", sent(message(-1, null, null, 180, null)), "b-v1");

    Allocation allocation = allocate();

    assertThat(allocation.forwardedSources("a")).containsExactly("b-v0", "b-v1");
    assertThat(allocation.forwardedSources("b")).containsExactly("a-v0", "a-v1");
  }

  @Test
  void aZeroFrameRateIsNothingToo() {
    ReceiverSettings settings =
        sent(
            new ReceiverVideoConstraints(
                -1,
                null,
                null,
                VideoConstraints.ofHeight(180),
                Map.of("b-v0", new VideoConstraints(360, 0))));
    join("a", settings);
    join("b", ReceiverSettings.initial(JVB));
    join("c", ReceiverSettings.initial(JVB));

    assertThat(allocate().forwardedSources("a")).containsExactly("c-v0");
  }

  @Test
  void fieldsAMessageLeavesOutKeepTheirValuesAndConstraintsAreReplacedWhole() {
    ReceiverSettings settings =
        sent(
            message(2, List.of("x"), List.of("y"), 0, Map.of("b-v0", 360)),
            message(null, null, null, null, null));
    assertThat(settings.lastN()).isEqualTo(2);
    assertThat(settings.onStageSources()).containsExactly("x");
    assertThat(settings.selectedSources()).containsExactly("y");
    assertThat(settings.constraintsFor("b-v0").maxHeight()).isEqualTo(360);
    assertThat(settings.constraintsFor("c-v0").maxHeight()).isZero();

    ReceiverSettings replaced = settings.apply(message(null, null, null, null, Map.of()), JVB);
    assertThat(replaced.constraintsFor("b-v0").maxHeight()).isZero();
    assertThat(replaced.lastN()).isEqualTo(2);
  }

  @Test
  void theSameInputGivesTheSameAllocation() {
    join("a", sent(message(2, null, null, 180, null)));
    join("b", sent(message(-1, null, null, 360, null)));
    join("c", ReceiverSettings.initial(JVB));

    assertThat(allocate("c", "a")).isEqualTo(allocate("c", "a"));
  }

  @Test
  void constraintsOutsideJvbsRangeAreRefused() {
    assertThatThrownBy(() -> VideoConstraints.ofHeight(-2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VideoConstraints(180, -0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AllocationConfig(-3, 180))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
