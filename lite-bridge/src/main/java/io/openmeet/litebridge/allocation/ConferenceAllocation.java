package io.openmeet.litebridge.allocation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One conference's inputs to {@link VideoAllocator} (endpoints in join order, their video sources,
 * their receiver settings, the speech order) and its last result. Every change reruns the
 * allocation and reports what changed; reports are made under this object's lock, so they leave in
 * the order the changes happened.
 */
public final class ConferenceAllocation {

  /** What changed after an allocation. */
  public interface Listener {
    /**
     * The set of video sources forwarded to a receiver changed (also reported for a new endpoint,
     * whose set starts empty or as initial-max-height-px allows). Sources in rank order.
     */
    void forwardedSourcesChanged(String receiverId, List<String> sources);

    /** The largest height any receiver gets one of a sender's sources at changed, or is new. */
    void senderConstraintChanged(String senderId, String sourceName, int maxHeight);

    /**
     * What a receiver gets changed: its forwarded sources in rank order with the maxHeight it gets
     * each at (-1 = no limit), reported before {@link #forwardedSourcesChanged} when the set
     * changes too, and on its own when only a height or the order did (layer selection).
     */
    default void receiverAllocationChanged(String receiverId, Map<String, Integer> maxHeights) {}
  }

  /** What a newly connected bridge channel is told: the current state for that endpoint. */
  public interface Snapshot {
    void current(List<String> forwardedSources, Map<String, Integer> ownSourceMaxHeights);
  }

  private static final class Member {
    final String id;
    List<String> videoSources = List.of();
    ReceiverSettings settings;

    Member(String id, ReceiverSettings settings) {
      this.id = id;
      this.settings = settings;
    }
  }

  private static final Logger LOG = Logger.getLogger(ConferenceAllocation.class.getName());

  private final AllocationConfig config;
  private final Listener listener;
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final LinkedList<String> speechOrder = new LinkedList<>();
  private Allocation current = Allocation.EMPTY;

  public ConferenceAllocation(AllocationConfig config, Listener listener) {
    this.config = Objects.requireNonNull(config);
    this.listener = Objects.requireNonNull(listener);
  }

  public synchronized void endpointAdded(String endpointId) {
    if (!members.containsKey(endpointId)) {
      members.put(endpointId, new Member(endpointId, ReceiverSettings.initial(config)));
      update();
    }
  }

  public synchronized void endpointRemoved(String endpointId) {
    if (members.remove(endpointId) != null) {
      speechOrder.remove(endpointId);
      update();
    }
  }

  /** The names of the video sources an endpoint sends (Colibri2 replaces them as a whole). */
  public synchronized void videoSourcesChanged(String endpointId, List<String> sourceNames) {
    Member m = members.get(endpointId);
    if (m != null && !m.videoSources.equals(sourceNames)) {
      m.videoSources = List.copyOf(sourceNames);
      update();
    }
  }

  /** A `ReceiverVideoConstraints` message from the endpoint's bridge channel. */
  public synchronized void receiverConstraints(
      String endpointId, ReceiverVideoConstraints message) {
    Member m = members.get(endpointId);
    if (m != null) {
      m.settings = m.settings.apply(message, config);
      update();
    }
  }

  /** A lastN on its own (`LastNChangedEvent`). */
  public synchronized void lastN(String endpointId, int lastN) {
    Member m = members.get(endpointId);
    if (m != null) {
      m.settings = m.settings.withLastN(lastN);
      update();
    }
  }

  /** Colibri2 `initial-last-n`: applies only until the endpoint sent its own constraints (JVB). */
  public synchronized void initialLastN(String endpointId, int lastN) {
    Member m = members.get(endpointId);
    if (m != null && !m.settings.constraintsReceived()) {
      m.settings = m.settings.withLastN(lastN);
      update();
    }
  }

  /** A new dominant speaker: it moves to the front of the speech order. */
  public synchronized void dominantSpeakerChanged(String endpointId) {
    if (members.containsKey(endpointId) && !endpointId.equals(speechOrder.peekFirst())) {
      speechOrder.remove(endpointId);
      speechOrder.addFirst(endpointId);
      update();
    }
  }

  /** Hands the endpoint's current state to {@code snapshot}, with no change reported meanwhile. */
  public synchronized void withCurrent(String endpointId, Snapshot snapshot) {
    Map<String, Integer> own = new LinkedHashMap<>();
    Member m = members.get(endpointId);
    if (m != null) {
      for (String source : m.videoSources) {
        own.put(source, current.senderMaxHeights().getOrDefault(source, 0));
      }
    }
    snapshot.current(current.forwardedSources(endpointId), own);
  }

  /** The last allocation. */
  public synchronized Allocation current() {
    return current;
  }

  private void update() {
    List<VideoAllocator.Participant> participants = new ArrayList<>();
    for (Member m : members.values()) {
      participants.add(new VideoAllocator.Participant(m.id, m.videoSources, m.settings));
    }
    Allocation previous = current;
    current = VideoAllocator.allocate(participants, List.copyOf(speechOrder));
    for (Member m : members.values()) {
      Map<String, Integer> before = previous.forwarded().get(m.id);
      Map<String, Integer> after = current.forwarded().get(m.id);
      if (before == null || !List.copyOf(before.entrySet()).equals(List.copyOf(after.entrySet()))) {
        report(() -> listener.receiverAllocationChanged(m.id, after));
      }
      if (before == null || !before.keySet().equals(after.keySet())) {
        report(() -> listener.forwardedSourcesChanged(m.id, current.forwardedSources(m.id)));
      }
    }
    for (Member m : members.values()) {
      for (String source : m.videoSources) {
        Integer before = previous.senderMaxHeights().get(source);
        int after = current.senderMaxHeights().get(source);
        if (before == null || before != after) {
          report(() -> listener.senderConstraintChanged(m.id, source, after));
        }
      }
    }
  }

  private static void report(Runnable event) {
    try {
      event.run();
    } catch (RuntimeException e) {
      // a failing listener must not leave the allocation half-reported for the others
      LOG.log(Level.WARNING, "allocation listener threw", e);
    }
  }
}
