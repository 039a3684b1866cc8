package io.openmeet.focus.relay;

import io.openmeet.focus.conference.ConferenceBridge;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.ParticipantEvents;
import io.openmeet.focus.conference.ParticipantInfo;
import io.openmeet.focus.sdp.DtlsFingerprint;
import io.openmeet.focus.sdp.IceCandidate;
import io.openmeet.focus.sdp.MediaKind;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.Setup;
import io.openmeet.focus.sdp.TransportDescription;
import io.openmeet.presence.conference.ConferenceLeases;
import io.openmeet.presence.conference.ParticipantPresence;
import io.openmeet.presence.relay.NodeMessaging;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** In-memory stand-ins for the relay tests: bridges, presence, leases, messaging, a browser. */
final class RelayFakes {

  private RelayFakes() {}

  /** Bridge allocations that touch no bridge; records what the conference asked. */
  static final class FakeBridges implements ConferenceBridge.Factory {
    final List<String> log = new CopyOnWriteArrayList<>();
    final Map<String, List<MediaSource>> updates = new ConcurrentHashMap<>();

    @Override
    public ConferenceBridge open(String meetingId, String roomName, Optional<String> region) {
      log.add("open " + roomName);
      return new ConferenceBridge() {
        @Override
        public Allocation allocate(String endpointId, String statsId) {
          log.add("allocate " + endpointId);
          var transport =
              new TransportDescription(
                  "bridgeufrag1",
                  "bridgepassword0123456789",
                  List.of(
                      new DtlsFingerprint(
                          "sha-256",
                          "2E:87:C2:A6:DE:39:ED:32:8C:5E:8E:1C:BE:B8:F7:AB:6D:A1:87:FC:EF:47:B3:93:A9:5A:38:DB:FA:42:3A:5A",
                          Setup.ACTPASS)),
                  List.of(
                      new IceCandidate(
                          "1",
                          1,
                          "udp",
                          2130706431L,
                          "127.0.0.1",
                          10000,
                          "host",
                          null,
                          -1,
                          null,
                          0)));
          var feedback =
              List.of(
                  new MediaSource(
                      MediaKind.AUDIO, "jvb-a0", "jvb", List.of(11L), List.of(), "jvb", "a0"),
                  new MediaSource(
                      MediaKind.VIDEO, "jvb-v0", "jvb", List.of(22L), List.of(), "jvb", "v0"));
          return new Allocation(transport, feedback, Optional.empty(), "fake-bridge");
        }

        @Override
        public CompletionStage<Void> update(
            String endpointId, TransportDescription transport, List<MediaSource> sources) {
          log.add("update " + endpointId);
          updates.put(endpointId, sources);
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> addCandidates(
            String endpointId, TransportDescription transport) {
          log.add("candidates " + endpointId);
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public void forceMute(String endpointId, boolean audio, boolean video) {
          log.add("force-mute " + endpointId + " audio=" + audio + " video=" + video);
        }

        @Override
        public void expire(String endpointId) {
          log.add("expire " + endpointId);
        }

        @Override
        public void close() {
          log.add("close");
        }
      };
    }
  }

  static final class MemoryPresence implements ParticipantPresence {
    private final Map<String, Set<String>> rooms = new HashMap<>();

    @Override
    public synchronized void joined(Participant p) {
      rooms.computeIfAbsent(p.roomId(), k -> new HashSet<>()).add(p.participantId());
    }

    @Override
    public synchronized void left(String roomId, String participantId, String userId) {
      rooms.getOrDefault(roomId, new HashSet<>()).remove(participantId);
    }

    @Override
    public synchronized Set<String> participants(String roomId) {
      return Set.copyOf(rooms.getOrDefault(roomId, Set.of()));
    }

    @Override
    public synchronized int count(String roomId) {
      return participants(roomId).size();
    }
  }

  /** Leases shared by every node of a test; {@link #lapse} stands for an expired TTL. */
  static final class MemoryLeases implements ConferenceLeases {
    private final Map<String, String> owners = new HashMap<>();

    @Override
    public synchronized Optional<Lease> tryAcquire(String id, String node, Duration ttl) {
      if (owners.containsKey(id)) {
        return Optional.empty();
      }
      owners.put(id, node);
      return Optional.of(new Lease(id, node));
    }

    @Override
    public synchronized boolean renew(Lease lease, Duration ttl) {
      return lease.nodeId().equals(owners.get(lease.conferenceId()));
    }

    @Override
    public synchronized void release(Lease lease) {
      owners.remove(lease.conferenceId(), lease.nodeId());
    }

    @Override
    public synchronized Optional<String> owner(String id) {
      return Optional.ofNullable(owners.get(id));
    }

    synchronized void lapse(String id) {
      owners.remove(id);
    }
  }

  /**
   * Node inboxes in memory: each inbox delivers on its own thread, in order. A node can be cut off
   * (what it sends is lost, as with a dead process), or made deaf (its inbox takes messages and
   * drops them, as with a hung process).
   */
  static final class MemoryNodeMessaging implements NodeMessaging {
    private final Map<String, Inboxed> inboxes = new ConcurrentHashMap<>();
    private final Set<String> cut = ConcurrentHashMap.newKeySet();
    final List<String> wire = new CopyOnWriteArrayList<>();

    private record Inboxed(Consumer<String> handler, ExecutorService thread) {}

    @Override
    public Inbox open(String nodeId, Consumer<String> handler) {
      var inboxed = new Inboxed(handler, Executors.newSingleThreadExecutor());
      inboxes.put(nodeId, inboxed);
      return () -> {
        inboxes.remove(nodeId, inboxed);
        inboxed.thread().shutdown();
      };
    }

    @Override
    public CompletionStage<Boolean> send(String nodeId, String message) {
      wire.add(message);
      Inboxed to = inboxes.get(nodeId);
      if (to == null) {
        return CompletableFuture.completedFuture(false);
      }
      if (cut.stream().anyMatch(n -> message.contains("\"from\":\"" + n + "\""))
          || cut.contains(nodeId)) {
        return CompletableFuture.completedFuture(true); // taken by "Redis", never seen again
      }
      to.thread().execute(() -> to.handler().accept(message));
      return CompletableFuture.completedFuture(true);
    }

    /** Messages from and to the node are lost from now on. */
    void cut(String nodeId) {
      cut.add(nodeId);
    }

    void heal(String nodeId) {
      cut.remove(nodeId);
    }

    /** Waits until every inbox has handled what it was sent so far. */
    void settle() throws InterruptedException {
      for (Inboxed i : inboxes.values()) {
        var done = new CompletableFuture<Void>();
        i.thread().execute(() -> done.complete(null));
        try {
          done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new AssertionError("an inbox did not settle", e);
        }
      }
    }
  }

  /** What a signalling session would have sent to its browser. */
  static final class RecordingEvents implements ParticipantEvents {
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<String> offers = new CopyOnWriteArrayList<>();
    volatile List<ParticipantInfo> othersAtJoin;
    volatile String joinedAs;

    List<String> types() {
      return List.copyOf(log);
    }

    String lastOffer() {
      return offers.isEmpty() ? "" : offers.get(offers.size() - 1);
    }

    @Override
    public void joined(String participantId, List<ParticipantInfo> others) {
      joinedAs = participantId;
      othersAtJoin = others;
      log.add("joined");
    }

    @Override
    public void offer(String sdp, String bridgeChannelUrl) {
      offers.add(sdp);
      log.add("offer");
    }

    @Override
    public void participantJoined(ParticipantInfo p) {
      log.add("participant-joined " + p.displayName());
    }

    @Override
    public void participantLeft(String participantId, LeaveReason reason) {
      log.add("participant-left " + participantId + " " + reason);
    }

    @Override
    public void mediaState(String participantId, boolean audio, boolean video, boolean screen) {
      log.add("media-state " + participantId + " audio=" + audio);
    }

    @Override
    public void chat(String from, String displayName, String text, long timestampMillis) {
      log.add("chat " + displayName + ": " + text);
    }

    @Override
    public void muted(String byParticipantId) {
      log.add("muted");
    }

    @Override
    public void forceMuted(
        String participantId, boolean audio, boolean video, String byParticipantId) {
      log.add("force-muted " + participantId + " audio=" + audio + " video=" + video);
    }

    @Override
    public void handRaised(String participantId, long raisedAt, String byParticipantId) {
      log.add("hand " + participantId + (raisedAt == 0 ? " down" : " up"));
    }

    @Override
    public void removed(LeaveReason reason) {
      log.add("removed " + reason);
    }

    @Override
    public void conferenceMoved() {
      log.add("moved");
    }
  }

  /**
   * A browser's answer to one of our offers: its own ICE and certificate with setup:active, the
   * first audio and video m-lines sending (SSRC base+1, and base+2 with RTX base+3), the rest
   * receiving or inactive.
   */
  static String answer(String offer, long ssrcBase) {
    List<String> out = new ArrayList<>();
    String kind = null;
    boolean audioSending = false;
    boolean videoSending = false;
    for (String line : offer.split("\r\n")) {
      if (line.startsWith("m=")) {
        kind = line.substring(2, line.indexOf(' '));
        out.add(line);
        continue;
      }
      if (kind == null) {
        out.add(line); // session level
        continue;
      }
      if (line.startsWith("a=mid:")) {
        out.add(line);
        out.add("a=ice-ufrag:browser1");
        out.add("a=ice-pwd:browserpassword0123456789");
        out.add(
            "a=fingerprint:sha-256 68:39:BA:EE:D9:E2:4E:73:A0:08:CD:7F:17:24:5F:1B:49:08:63:80:F9:86:CB:92:38:22:83:F2:22:F5:DD:43");
        out.add("a=setup:active");
      } else if (line.equals("a=sendrecv") && kind.equals("audio") && !audioSending) {
        audioSending = true;
        out.add("a=sendrecv");
        out.add("a=msid:stream" + ssrcBase + " audio" + ssrcBase);
        out.add("a=ssrc:" + (ssrcBase + 1) + " cname:c" + ssrcBase);
      } else if (line.equals("a=sendrecv") && kind.equals("video") && !videoSending) {
        videoSending = true;
        out.add("a=sendrecv");
        out.add("a=msid:stream" + ssrcBase + " video" + ssrcBase);
        out.add("a=ssrc-group:FID " + (ssrcBase + 2) + " " + (ssrcBase + 3));
        out.add("a=ssrc:" + (ssrcBase + 2) + " cname:c" + ssrcBase);
        out.add("a=ssrc:" + (ssrcBase + 3) + " cname:c" + ssrcBase);
      } else if (line.equals("a=sendrecv")) {
        out.add("a=inactive");
      } else if (line.equals("a=sendonly")) {
        out.add("a=recvonly");
      } else if (!(line.startsWith("a=candidate")
          || line.startsWith("a=ssrc")
          || line.startsWith("a=msid")
          || line.startsWith("a=ice-")
          || line.startsWith("a=fingerprint")
          || line.startsWith("a=setup"))) {
        out.add(line);
      }
    }
    return String.join("\r\n", out) + "\r\n";
  }
}
