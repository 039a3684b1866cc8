package io.openmeet.focus.relay;

import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.conference.FocusParticipant;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.Moderation;
import io.openmeet.focus.conference.ParticipantEvents;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * On the origin node: a participant whose conference runs on another node. Its actions are sent to
 * the owner (requests wait for the owner's result), and the owner's events are delivered to the
 * local session's {@link ParticipantEvents}.
 */
final class RelayedParticipant implements FocusParticipant {

  private final String session;
  private final String owner;
  private final ParticipantEvents events;
  private final RelayLink link;
  private final Consumer<RelayedParticipant> onGone;
  private final AtomicBoolean gone = new AtomicBoolean();
  private volatile String id;

  RelayedParticipant(
      String session,
      String owner,
      ParticipantEvents events,
      RelayLink link,
      Consumer<RelayedParticipant> onGone) {
    this.session = session;
    this.owner = owner;
    this.events = events;
    this.link = link;
    this.onGone = onGone;
  }

  String session() {
    return session;
  }

  String owner() {
    return owner;
  }

  /** Whether the owner confirmed the join (only those are in heartbeats). */
  boolean established() {
    return id != null;
  }

  void established(String participantId) {
    this.id = participantId;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void answer(String sdp) throws FocusException {
    request(call -> new RelayMessage.Answer(session, call, sdp));
  }

  @Override
  public void iceCandidate(String candidate, String sdpMid) throws FocusException {
    request(call -> new RelayMessage.IceCandidate(session, call, candidate, sdpMid));
  }

  @Override
  public void mediaState(boolean audio, boolean video, boolean screen) {
    if (!gone.get()) {
      link.post(owner, new RelayMessage.MediaState(session, audio, video, screen));
    }
  }

  @Override
  public void chat(String text) {
    if (!gone.get()) {
      link.post(owner, new RelayMessage.Chat(session, text));
    }
  }

  @Override
  public void mute(String participantId) throws FocusException {
    request(call -> new RelayMessage.Mute(session, call, participantId));
  }

  @Override
  public void kick(String participantId) throws FocusException {
    request(call -> new RelayMessage.Kick(session, call, participantId));
  }

  @Override
  public void forceMute(String participantId, Moderation.Media media, boolean muted)
      throws FocusException {
    request(call -> new RelayMessage.ForceMute(session, call, participantId, media, muted));
  }

  @Override
  public void raiseHand(boolean raised) {
    if (!gone.get()) {
      link.post(owner, new RelayMessage.RaiseHand(session, raised));
    }
  }

  @Override
  public void lowerHand(String participantId) throws FocusException {
    request(call -> new RelayMessage.LowerHand(session, call, participantId));
  }

  @Override
  public void endMeeting() throws FocusException {
    request(call -> new RelayMessage.EndMeeting(session, call));
  }

  @Override
  public void iceRestart() throws FocusException {
    request(call -> new RelayMessage.IceRestart(session, call));
  }

  @Override
  public void offerAgain() throws FocusException {
    request(call -> new RelayMessage.OfferAgain(session, call));
  }

  @Override
  public void leave(LeaveReason reason) {
    if (gone.compareAndSet(false, true)) {
      onGone.accept(this);
      link.post(owner, new RelayMessage.Leave(session, reason));
    }
  }

  /** An event from the owner for this participant; none after it is gone. */
  void deliver(RelayEvent event) {
    if (event instanceof RelayEvent.Removed || event instanceof RelayEvent.Moved) {
      if (gone.compareAndSet(false, true)) {
        onGone.accept(this);
        event.deliverTo(events);
      }
    } else if (!gone.get()) {
      event.deliverTo(events);
    }
  }

  /**
   * The owner went silent or no longer knows this participant: the local session is told it was
   * removed (it closes; the browser may join again, on whichever node now hosts the room).
   */
  void lost(LeaveReason reason) {
    if (gone.compareAndSet(false, true)) {
      onGone.accept(this);
      events.removed(reason);
    }
  }

  /**
   * The owner went silent (it may have died): the local session is told its conference moved, so
   * that the browser reconnects and resumes wherever the conference runs next.
   */
  void moved() {
    if (gone.compareAndSet(false, true)) {
      onGone.accept(this);
      events.conferenceMoved();
    }
  }

  private void request(LongFunction<RelayMessage.Request> build) throws FocusException {
    if (gone.get()) {
      throw new FocusException(FocusException.Reason.UNEXPECTED, "the participant has left");
    }
    link.request(owner, session, build);
  }
}
