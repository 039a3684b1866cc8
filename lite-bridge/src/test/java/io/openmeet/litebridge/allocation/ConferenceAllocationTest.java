package io.openmeet.litebridge.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConferenceAllocationTest {

  /** What the allocation reported, as readable lines, in order. */
  private final List<String> events = new ArrayList<>();

  private final ConferenceAllocation allocation =
      new ConferenceAllocation(
          AllocationConfig.JVB_DEFAULTS,
          new ConferenceAllocation.Listener() {
            @Override
            public void forwardedSourcesChanged(String receiverId, List<String> sources) {
              events.add(receiverId + " gets " + sources);
            }

            @Override
            public void senderConstraintChanged(String senderId, String source, int maxHeight) {
              events.add(senderId + " sends " + source + " at " + maxHeight);
            }
          });

  private static ReceiverVideoConstraints tiles(int defaultMaxHeight) {
    return new ReceiverVideoConstraints(
        null, null, null, VideoConstraints.ofHeight(defaultMaxHeight), null);
  }

  private void join(String id) {
    allocation.endpointAdded(id);
    allocation.videoSourcesChanged(id, List.of(id + "-v0"));
  }

  @Test
  void aNewEndpointIsToldItGetsNothingAndItsNewSourceIsAtZero() {
    join("a");

    assertThat(events).containsExactly("a gets []", "a sends a-v0 at 0");
  }

  @Test
  void changesAreReportedOnlyWhenTheyChangeSomething() {
    join("a");
    join("b");
    events.clear();

    allocation.receiverConstraints("b", tiles(360));
    assertThat(events).containsExactly("b gets [a-v0]", "a sends a-v0 at 360");
    events.clear();

    // same set, same heights: nothing to say
    allocation.receiverConstraints("b", tiles(360));
    assertThat(events).isEmpty();

    // same set at another height: only the sender hears of it
    allocation.receiverConstraints("b", tiles(720));
    assertThat(events).containsExactly("a sends a-v0 at 720");
  }

  @Test
  void theMediaPlaneHearsOfEveryHeightChangeForLayerSelection() {
    List<String> heights = new ArrayList<>();
    ConferenceAllocation withHeights =
        new ConferenceAllocation(
            AllocationConfig.JVB_DEFAULTS,
            new ConferenceAllocation.Listener() {
              @Override
              public void forwardedSourcesChanged(String receiverId, List<String> sources) {
                heights.add(receiverId + " gets " + sources);
              }

              @Override
              public void senderConstraintChanged(String senderId, String source, int maxHeight) {}

              @Override
              public void receiverAllocationChanged(
                  String receiverId, Map<String, Integer> maxHeights) {
                heights.add(receiverId + " at " + maxHeights);
              }
            });
    for (String id : List.of("a", "b")) {
      withHeights.endpointAdded(id);
      withHeights.videoSourcesChanged(id, List.of(id + "-v0"));
    }
    heights.clear();
    withHeights.receiverConstraints("b", tiles(360));
    assertThat(heights).containsExactly("b at {a-v0=360}", "b gets [a-v0]");
    heights.clear();
    // the same set at another height: the bridge channel has nothing to say, layer choice has
    withHeights.receiverConstraints("b", tiles(180));
    assertThat(heights).containsExactly("b at {a-v0=180}");
    heights.clear();
    withHeights.receiverConstraints("b", tiles(180));
    assertThat(heights).isEmpty();
  }

  @Test
  void anEndpointThatLeavesNoLongerCountsForTheSendersItReceived() {
    join("a");
    join("b");
    join("c");
    allocation.receiverConstraints("b", tiles(720));
    allocation.receiverConstraints("c", tiles(180));
    events.clear();

    allocation.endpointRemoved("b");

    assertThat(events)
        .containsExactlyInAnyOrder("c gets [a-v0]", "a sends a-v0 at 180", "c sends c-v0 at 0");
  }

  @Test
  void theDominantSpeakerTakesTheOnlyLastNSlot() {
    join("a");
    join("b");
    join("c");
    allocation.receiverConstraints(
        "a", new ReceiverVideoConstraints(1, null, null, VideoConstraints.ofHeight(360), null));
    assertThat(allocation.current().forwardedSources("a")).containsExactly("b-v0");
    events.clear();

    allocation.dominantSpeakerChanged("c");

    assertThat(events).containsExactly("a gets [c-v0]", "b sends b-v0 at 0", "c sends c-v0 at 360");
    // the same speaker again changes nothing; an unknown one is ignored
    events.clear();
    allocation.dominantSpeakerChanged("c");
    allocation.dominantSpeakerChanged("ghost");
    assertThat(events).isEmpty();
  }

  @Test
  void initialLastNCountsOnlyUntilTheEndpointSentItsOwnConstraints() {
    join("a");
    join("b");
    allocation.initialLastN("b", 0);
    allocation.receiverConstraints("b", tiles(360));
    assertThat(allocation.current().forwardedSources("b")).isEmpty();

    allocation.receiverConstraints("b", ReceiverVideoConstraints.lastNOnly(-1));
    assertThat(allocation.current().forwardedSources("b")).containsExactly("a-v0");

    allocation.initialLastN("b", 0);
    assertThat(allocation.current().forwardedSources("b")).containsExactly("a-v0");
  }

  @Test
  void aConnectingChannelIsHandedTheCurrentState() {
    join("a");
    join("b");
    allocation.videoSourcesChanged("a", List.of("a-v0", "a-v1"));
    allocation.receiverConstraints("b", tiles(180));
    allocation.receiverConstraints("a", tiles(0));

    List<Object> seen = new ArrayList<>();
    allocation.withCurrent("a", (forwarded, own) -> seen.addAll(List.of(forwarded, own)));
    assertThat(seen).containsExactly(List.of(), Map.of("a-v0", 180, "a-v1", 180));
    seen.clear();
    allocation.withCurrent("b", (forwarded, own) -> seen.addAll(List.of(forwarded, own)));
    assertThat(seen).containsExactly(List.of("a-v0", "a-v1"), Map.of("b-v0", 0));
  }

  @Test
  void aListenerThatThrowsDoesNotStopTheOtherReports() {
    List<String> reported = new ArrayList<>();
    ConferenceAllocation failing =
        new ConferenceAllocation(
            AllocationConfig.JVB_DEFAULTS,
            new ConferenceAllocation.Listener() {
              @Override
              public void forwardedSourcesChanged(String receiverId, List<String> sources) {
                throw new IllegalStateException("channel gone");
              }

              @Override
              public void senderConstraintChanged(String senderId, String source, int h) {
                reported.add(source + "=" + h);
              }
            });
    failing.endpointAdded("a");
    failing.videoSourcesChanged("a", List.of("a-v0"));

    assertThat(reported).containsExactly("a-v0=0");
  }
}
