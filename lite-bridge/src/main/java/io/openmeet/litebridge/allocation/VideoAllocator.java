package io.openmeet.litebridge.allocation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which video sources each receiver gets, as JVB's allocation does before bandwidth enters
 * (`doc/allocation.md`, phases 1 and 2), and from that what each sender must send.
 *
 * <p>Per receiver, the other endpoints' sources are ranked: on-stage sources, then selected ones
 * (each in the order the receiver listed them), then the rest by their endpoint's speech activity
 * (the dominant speaker first, then earlier speakers, then those who never spoke, in join order).
 * Walking that ranking, a source's effective constraints are the receiver's constraints for it
 * until lastN sources with non-zero constraints have been counted, and nothing after. A source is
 * forwarded iff its effective constraints are not "nothing": without simulcast the one encoding is
 * forwarded whatever height was asked (lite-bridge cannot scale it). A sender's constraint for a
 * source is the largest effective maxHeight over all receivers.
 *
 * <p>Pure: the same input always gives the same output.
 */
public final class VideoAllocator {

  private VideoAllocator() {}

  /**
   * One endpoint of the conference.
   *
   * @param videoSources the names of the video sources it sends, in signalled order
   * @param settings what it asked for as a receiver
   */
  public record Participant(String id, List<String> videoSources, ReceiverSettings settings) {
    public Participant {
      videoSources = List.copyOf(videoSources);
    }
  }

  /**
   * @param participants every endpoint, in join order
   * @param speechOrder endpoint ids by speech activity, the dominant speaker first (ids not among
   *     the participants are ignored)
   */
  public static Allocation allocate(List<Participant> participants, List<String> speechOrder) {
    List<Participant> bySpeech = bySpeechActivity(participants, speechOrder);
    Map<String, Integer> senderMaxHeights = new LinkedHashMap<>();
    for (Participant p : participants) {
      for (String source : p.videoSources()) {
        senderMaxHeights.put(source, 0);
      }
    }
    Map<String, Map<String, Integer>> forwarded = new LinkedHashMap<>();
    for (Participant receiver : participants) {
      Map<String, Integer> forReceiver = new LinkedHashMap<>();
      ReceiverSettings settings = receiver.settings();
      int lastN = settings.lastN() < 0 ? Integer.MAX_VALUE : settings.lastN();
      int withVideo = 0;
      for (String source : rank(receiver, bySpeech)) {
        VideoConstraints effective =
            withVideo >= lastN ? VideoConstraints.NOTHING : settings.constraintsFor(source);
        if (effective.isDisabled()) {
          continue;
        }
        withVideo++;
        forReceiver.put(source, effective.maxHeight());
        senderMaxHeights.merge(source, effective.maxHeight(), VideoAllocator::larger);
      }
      forwarded.put(receiver.id(), Collections.unmodifiableMap(forReceiver));
    }
    return new Allocation(
        Collections.unmodifiableMap(forwarded), Collections.unmodifiableMap(senderMaxHeights));
  }

  /** The other endpoints' sources as {@code receiver} ranks them. */
  static List<String> rank(Participant receiver, List<Participant> bySpeech) {
    Set<String> available = new LinkedHashSet<>();
    for (Participant sender : bySpeech) {
      if (!sender.id().equals(receiver.id())) {
        available.addAll(sender.videoSources());
      }
    }
    Set<String> ranked = new LinkedHashSet<>();
    for (String source : receiver.settings().onStageSources()) {
      if (available.contains(source)) {
        ranked.add(source);
      }
    }
    for (String source : receiver.settings().selectedSources()) {
      if (available.contains(source)) {
        ranked.add(source);
      }
    }
    ranked.addAll(available);
    return new ArrayList<>(ranked);
  }

  private static List<Participant> bySpeechActivity(
      List<Participant> participants, List<String> speechOrder) {
    Map<String, Participant> byId = new LinkedHashMap<>();
    participants.forEach(p -> byId.put(p.id(), p));
    List<Participant> ordered = new ArrayList<>();
    for (String id : speechOrder) {
      Participant p = byId.remove(id);
      if (p != null) {
        ordered.add(p);
      }
    }
    ordered.addAll(byId.values());
    return ordered;
  }

  /** The larger of two maxHeights, where -1 (no limit) is the largest. */
  private static int larger(int a, int b) {
    if (a == VideoConstraints.UNLIMITED || b == VideoConstraints.UNLIMITED) {
      return VideoConstraints.UNLIMITED;
    }
    return Math.max(a, b);
  }
}
