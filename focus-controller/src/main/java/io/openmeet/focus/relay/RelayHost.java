package io.openmeet.focus.relay;

import io.openmeet.focus.conference.Focus;
import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.conference.FocusParticipant;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.OwnedByAnotherNodeException;
import io.openmeet.focus.conference.ParticipantEvents;
import io.openmeet.focus.conference.ParticipantInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the owner node: the participants whose sockets are on other nodes. Each runs as a real member
 * of the local conference, with events that are published back to its origin; it is removed when
 * the origin says leave or stops sending heartbeats.
 */
final class RelayHost {

  private static final Logger LOG = LoggerFactory.getLogger(RelayHost.class);

  private final Focus local;
  private final RelayLink link;
  private final Clock clock;
  private final Duration heartbeatTimeout;
  private final Map<String, Hosted> sessions = new ConcurrentHashMap<>();

  /**
   * @param local the node's own conferences: a relayed join is hosted here or redirected, never
   *     relayed again
   */
  RelayHost(Focus local, RelayLink link, Clock clock, Duration heartbeatTimeout) {
    this.local = local;
    this.link = link;
    this.clock = clock;
    this.heartbeatTimeout = heartbeatTimeout;
  }

  /** A hosted participant and the node its socket is on. */
  private static final class Hosted {
    final String origin;
    final FocusParticipant participant;
    volatile Instant lastSeen;

    Hosted(String origin, FocusParticipant participant, Instant lastSeen) {
      this.origin = origin;
      this.participant = participant;
      this.lastSeen = lastSeen;
    }
  }

  /** Participants hosted here for other nodes. */
  int size() {
    return sessions.size();
  }

  /** A request from an origin node; called in order per session, may block (bridge calls). */
  void handle(String from, RelayMessage.ToOwner message) {
    if (message instanceof RelayMessage.Join join) {
      admit(from, join.session(), "join", e -> local.join(join.request().toRequest(), e));
      return;
    }
    if (message instanceof RelayMessage.Resume r) {
      admit(
          from,
          r.session(),
          "resume",
          e -> local.resume(UUID.fromString(r.roomId()), r.participantId(), r.subject(), e));
      return;
    }
    Hosted hosted = sessions.get(message.session());
    if (hosted != null && !hosted.origin.equals(from)) {
      LOG.warn("node {} sent a request for a session of node {}; ignored", from, hosted.origin);
      return;
    }
    if (hosted != null) {
      hosted.lastSeen = clock.instant();
    }
    if (message instanceof RelayMessage.Request request) {
      RelayMessage.Failure failure = null;
      try {
        if (hosted == null) {
          throw new FocusException(FocusException.Reason.UNEXPECTED, "the participant has left");
        }
        perform(hosted.participant, request);
      } catch (FocusException e) {
        failure = RelayMessage.Failure.of(e);
      } catch (RuntimeException e) {
        LOG.warn("relayed {} failed", request.getClass().getSimpleName(), e);
        failure = new RelayMessage.Failure(FocusException.Reason.INTERNAL, "the focus failed");
      }
      link.post(from, new RelayMessage.Result(request.session(), request.call(), failure));
    } else if (hosted == null) {
      return; // a fire-and-forget message for a participant that has gone: nothing to do
    } else if (message instanceof RelayMessage.MediaState s) {
      hosted.participant.mediaState(s.audio(), s.video(), s.screen());
    } else if (message instanceof RelayMessage.Chat c) {
      hosted.participant.chat(c.text());
    } else if (message instanceof RelayMessage.RaiseHand h) {
      hosted.participant.raiseHand(h.raised());
    } else if (message instanceof RelayMessage.Leave l) {
      if (sessions.remove(l.session(), hosted)) {
        hosted.participant.leave(l.reason());
      }
    }
  }

  private static void perform(FocusParticipant p, RelayMessage.Request request)
      throws FocusException {
    if (request instanceof RelayMessage.Answer a) {
      p.answer(a.sdp());
    } else if (request instanceof RelayMessage.IceCandidate c) {
      p.iceCandidate(c.candidate(), c.sdpMid());
    } else if (request instanceof RelayMessage.Mute m) {
      p.mute(m.participantId());
    } else if (request instanceof RelayMessage.Kick k) {
      p.kick(k.participantId());
    } else if (request instanceof RelayMessage.ForceMute f) {
      p.forceMute(f.participantId(), f.media(), f.muted());
    } else if (request instanceof RelayMessage.LowerHand h) {
      p.lowerHand(h.participantId());
    } else if (request instanceof RelayMessage.EndMeeting) {
      p.endMeeting();
    } else if (request instanceof RelayMessage.IceRestart) {
      p.iceRestart();
    } else if (request instanceof RelayMessage.OfferAgain) {
      p.offerAgain();
    } else {
      throw new FocusException(
          FocusException.Reason.INTERNAL,
          "unsupported request " + request.getClass().getSimpleName());
    }
  }

  /** How a relayed join or resume puts its participant into the local conference. */
  private interface Admission {
    FocusParticipant admit(ParticipantEvents events) throws FocusException;
  }

  /** Runs a relayed join or resume and answers it with a {@link RelayMessage.JoinResult}. */
  private void admit(String from, String session, String what, Admission admission) {
    if (sessions.containsKey(session)) {
      return; // a repeated join of a session already hosted
    }
    RelayMessage.JoinResult result;
    try {
      FocusParticipant participant = admission.admit(new PublishingEvents(from, session));
      sessions.put(session, new Hosted(from, participant, clock.instant()));
      result = new RelayMessage.JoinResult(session, participant.id(), null, null);
    } catch (OwnedByAnotherNodeException e) {
      // the room moved between the origin's lookup and now: the origin retries there
      result = new RelayMessage.JoinResult(session, null, null, e.owner());
    } catch (FocusException e) {
      result = new RelayMessage.JoinResult(session, null, RelayMessage.Failure.of(e), null);
    } catch (RuntimeException e) {
      LOG.warn("relayed {} from {} failed", what, from, e);
      result =
          new RelayMessage.JoinResult(
              session,
              null,
              new RelayMessage.Failure(FocusException.Reason.INTERNAL, "the focus failed"),
              null);
    }
    link.post(from, result);
  }

  /** A heartbeat from an origin: refreshes its sessions and names those not hosted here. */
  RelayMessage.Pong ping(String from, RelayMessage.Ping ping) {
    Instant now = clock.instant();
    List<String> unknown = new ArrayList<>();
    for (String session : ping.sessions()) {
      Hosted hosted = sessions.get(session);
      if (hosted != null && hosted.origin.equals(from)) {
        hosted.lastSeen = now;
      } else {
        unknown.add(session);
      }
    }
    return new RelayMessage.Pong(unknown);
  }

  /**
   * Sessions whose origin has been silent longer than the heartbeat timeout (the node died or lost
   * Redis): their participants leave with reason {@code timeout}.
   *
   * @param leaveLater runs a leave off the caller's thread, in order with the session's requests
   */
  void sweep(BiConsumer<String, Runnable> leaveLater) {
    Instant cutoff = clock.instant().minus(heartbeatTimeout);
    sessions.forEach(
        (session, hosted) -> {
          if (hosted.lastSeen.isBefore(cutoff) && sessions.remove(session, hosted)) {
            LOG.info(
                "node {} stopped sending heartbeats: participant {} leaves",
                hosted.origin,
                hosted.participant.id());
            leaveLater.accept(session, () -> hosted.participant.leave(LeaveReason.TIMEOUT));
          }
        });
  }

  /** This node stops: every origin hears that its participants were removed. */
  void close() {
    sessions.forEach(
        (session, hosted) -> {
          if (sessions.remove(session, hosted)) {
            link.post(
                hosted.origin,
                new RelayMessage.Event(session, new RelayEvent.Removed(LeaveReason.DISCONNECTED)));
          }
        });
  }

  /** Publishes a hosted participant's events to its origin; never blocks. */
  private final class PublishingEvents implements ParticipantEvents {
    private final String origin;
    private final String session;

    PublishingEvents(String origin, String session) {
      this.origin = origin;
      this.session = session;
    }

    private void publish(RelayEvent event) {
      link.post(origin, new RelayMessage.Event(session, event));
    }

    @Override
    public void joined(String participantId, List<ParticipantInfo> others) {
      publish(new RelayEvent.Joined(participantId, others));
    }

    @Override
    public void offer(String sdp, String bridgeChannelUrl) {
      publish(new RelayEvent.Offer(sdp, bridgeChannelUrl));
    }

    @Override
    public void participantJoined(ParticipantInfo participant) {
      publish(new RelayEvent.ParticipantJoined(participant));
    }

    @Override
    public void participantLeft(String participantId, LeaveReason reason) {
      publish(new RelayEvent.ParticipantLeft(participantId, reason));
    }

    @Override
    public void mediaState(String participantId, boolean audio, boolean video, boolean screen) {
      publish(new RelayEvent.MediaState(participantId, audio, video, screen));
    }

    @Override
    public void chat(String fromParticipantId, String displayName, String text, long timestamp) {
      publish(new RelayEvent.Chat(fromParticipantId, displayName, text, timestamp));
    }

    @Override
    public void muted(String byParticipantId) {
      publish(new RelayEvent.Muted(byParticipantId));
    }

    @Override
    public void forceMuted(
        String participantId, boolean audio, boolean video, String byParticipantId) {
      publish(new RelayEvent.ForceMuted(participantId, audio, video, byParticipantId));
    }

    @Override
    public void handRaised(String participantId, long raisedAt, String byParticipantId) {
      publish(new RelayEvent.HandRaised(participantId, raisedAt, byParticipantId));
    }

    @Override
    public void removed(LeaveReason reason) {
      // the conference dropped it (kick): no leave will come from the origin for it
      sessions.remove(session);
      publish(new RelayEvent.Removed(reason));
    }

    @Override
    public void conferenceMoved() {
      // this node no longer hosts the conference: the origin goes on with the node that does
      sessions.remove(session);
      publish(new RelayEvent.Moved());
    }
  }
}
