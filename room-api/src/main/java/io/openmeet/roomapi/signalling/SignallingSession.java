package io.openmeet.roomapi.signalling;

import io.openmeet.focus.conference.Focus;
import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.conference.FocusParticipant;
import io.openmeet.focus.conference.JoinRequest;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.ParticipantEvents;
import io.openmeet.focus.conference.ParticipantInfo;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * One browser's signalling session: decodes its frames, drives its {@link FocusParticipant}, and
 * turns focus events into frames. Frames of one session arrive one at a time; events may come from
 * any thread.
 */
final class SignallingSession implements ParticipantEvents {

  private static final Logger LOG = Logger.getLogger(SignallingSession.class);

  /** Where frames go, and how the socket is closed. */
  interface Transport {
    void send(String frame);

    void close(String reason);
  }

  private final String room;
  private final MessageCodec codec;
  private final JoinAuthorizer authorizer;
  private final Focus focus;
  private final Transport transport;
  private final Clock clock;
  private final FrameRateLimiter rateLimiter;
  private final SignallingMetrics metrics;
  private final TurnCredentials turn;
  private volatile long joinStartedNanos;
  private volatile boolean counted;

  private volatile FocusParticipant participant;
  private volatile JoinRequest request;
  private volatile Instant lastSeen;
  private volatile boolean closed;

  SignallingSession(
      String room,
      MessageCodec codec,
      JoinAuthorizer authorizer,
      Focus focus,
      Transport transport,
      Clock clock,
      FrameRateLimiter rateLimiter,
      SignallingMetrics metrics,
      TurnCredentials turn) {
    this.room = room;
    this.codec = codec;
    this.authorizer = authorizer;
    this.focus = focus;
    this.transport = transport;
    this.clock = clock;
    this.rateLimiter = rateLimiter;
    this.metrics = metrics;
    this.turn = turn;
    this.lastSeen = clock.instant();
  }

  /** When the browser last sent a frame. */
  Instant lastSeen() {
    return lastSeen;
  }

  /** The participant id once joined, else null. */
  String participantId() {
    FocusParticipant p = participant;
    return p == null ? null : p.id();
  }

  /** Handles one text frame; every failure is answered with an `error` frame. */
  void onFrame(String frame) {
    lastSeen = clock.instant();
    try {
      if (!rateLimiter.tryAcquire()) {
        throw new SignallingException(SignallingError.RATE_LIMITED, "too many frames; slow down");
      }
      handle(codec.decode(frame));
    } catch (SignallingException e) {
      sendError(e.error(), e.getMessage());
    } catch (FocusException e) {
      sendError(errorFor(e.reason()), e.getMessage());
    } catch (RuntimeException e) {
      LOG.errorf(e, "signalling frame failed in room %s", room);
      sendError(SignallingError.INTERNAL, "the server failed to handle this frame");
    }
  }

  private void handle(ClientMessage message) throws SignallingException, FocusException {
    if (message instanceof ClientMessage.Ping ping) {
      send(new ServerMessage.Pong(ping.ts().orElse(null)));
      return;
    }
    if (message instanceof ClientMessage.Join join) {
      if (participant != null) {
        throw new SignallingException(SignallingError.UNEXPECTED_MESSAGE, "already joined");
      }
      joinStartedNanos = System.nanoTime();
      try {
        JoinRequest authorized = authorizer.authorize(room, join);
        request = authorized;
        participant = focus.join(authorized, this);
      } catch (SignallingException e) {
        metrics.joinFailed(e.error());
        throw e;
      } catch (FocusException e) {
        metrics.joinFailed(errorFor(e.reason()));
        throw e;
      }
      return;
    }
    FocusParticipant p = participant;
    if (p == null) {
      throw new SignallingException(
          SignallingError.UNEXPECTED_MESSAGE, "send `join` before `" + typeOf(message) + "`");
    }
    if (message instanceof ClientMessage.Answer answer) {
      p.answer(answer.sdp());
    } else if (message instanceof ClientMessage.IceCandidate c) {
      p.iceCandidate(c.candidate(), c.sdpMid().orElse(null));
    } else if (message instanceof ClientMessage.MediaState s) {
      p.mediaState(s.audio(), s.video(), s.screen());
    } else if (message instanceof ClientMessage.Chat chat) {
      p.chat(chat.text());
    } else if (message instanceof ClientMessage.Moderate m) {
      if (m.action() == ClientMessage.Moderate.Action.MUTE) {
        p.mute(m.participantId());
      } else {
        p.kick(m.participantId());
      }
    } else if (message instanceof ClientMessage.IceRestart) {
      p.iceRestart();
    } else if (message instanceof ClientMessage.Leave) {
      p.leave(LeaveReason.LEAVE);
      uncount();
      closeSocket("left");
    }
  }

  /** The socket closed or timed out: the participant leaves (idempotent). */
  void ended(LeaveReason reason) {
    closed = true;
    FocusParticipant p = participant;
    if (p != null) {
      p.leave(reason);
    }
    uncount();
  }

  private synchronized void uncount() {
    if (counted) {
      counted = false;
      metrics.left(region());
    }
  }

  private String region() {
    JoinRequest r = request;
    return r == null ? "unknown" : r.region().orElse("default");
  }

  /** The session saw no frame within the ping timeout. */
  void timedOut() {
    sendError(SignallingError.INVALID_MESSAGE, "no ping within the timeout; closing");
    ended(LeaveReason.TIMEOUT);
    closeSocket("ping timeout");
  }

  // --- focus events → frames

  @Override
  public void joined(String participantId, List<ParticipantInfo> others) {
    JoinRequest r = request;
    send(
        new ServerMessage.Joined(
            MessageCodec.PROTOCOL_VERSION,
            participantId,
            r.roomId().toString(),
            r.moderator(),
            others.stream().map(SignallingSession::view).toList(),
            turn.forUser(r.subject()),
            null));
  }

  @Override
  public void offer(String sdp, String bridgeChannelUrl) {
    send(new ServerMessage.Offer(sdp, bridgeChannelUrl));
    synchronized (this) {
      if (!counted && joinStartedNanos != 0) {
        counted = true;
        metrics.joined(region(), (System.nanoTime() - joinStartedNanos) / 1e6);
        joinStartedNanos = 0;
      }
    }
  }

  @Override
  public void participantJoined(ParticipantInfo p) {
    send(new ServerMessage.ParticipantJoined(view(p)));
  }

  @Override
  public void participantLeft(String participantId, LeaveReason reason) {
    send(new ServerMessage.ParticipantLeft(participantId, reason.code()));
  }

  @Override
  public void mediaState(String participantId, boolean audio, boolean video, boolean screen) {
    send(new ServerMessage.MediaState(participantId, audio, video, screen));
  }

  @Override
  public void chat(String from, String displayName, String text, long timestampMillis) {
    send(new ServerMessage.Chat(from, displayName, text, timestampMillis));
  }

  @Override
  public void dominantSpeaker(String participantId) {
    send(new ServerMessage.DominantSpeaker(participantId));
  }

  @Override
  public void muted(String byParticipantId) {
    send(new ServerMessage.Muted(byParticipantId));
  }

  @Override
  public void removed(LeaveReason reason) {
    send(new ServerMessage.ParticipantLeft(participantId(), reason.code()));
    uncount();
    closeSocket(reason.code());
  }

  private static ServerMessage.Participant view(ParticipantInfo p) {
    return new ServerMessage.Participant(
        p.participantId(), p.displayName(), p.moderator(), p.audio(), p.video(), p.screen());
  }

  private void sendError(SignallingError error, String message) {
    send(ServerMessage.Error.of(error, message));
  }

  private void send(ServerMessage message) {
    if (!closed) {
      transport.send(codec.encode(message));
    }
  }

  private void closeSocket(String reason) {
    closed = true;
    transport.close(reason);
  }

  static SignallingError errorFor(FocusException.Reason reason) {
    return switch (reason) {
      case ROOM_FULL -> SignallingError.ROOM_FULL;
      case NO_BRIDGE -> SignallingError.NO_BRIDGE;
      case INVALID_SDP -> SignallingError.INVALID_SDP;
      case UNEXPECTED -> SignallingError.UNEXPECTED_MESSAGE;
      case NOT_MODERATOR -> SignallingError.NOT_MODERATOR;
      case UNKNOWN_PARTICIPANT -> SignallingError.INVALID_MESSAGE;
      case INTERNAL -> SignallingError.INTERNAL;
    };
  }

  private static String typeOf(ClientMessage m) {
    // record names map to the wire types: IceCandidate -> ice-candidate
    return m.getClass()
        .getSimpleName()
        .replaceAll("([a-z])([A-Z])", "$1-$2")
        .toLowerCase(Locale.ROOT);
  }
}
