package io.openmeet.roomapi.signalling;

/**
 * One participant's media connection attempts, as its browser reports them (`ice-state`). An
 * attempt starts when the participant answers an offer with ICE credentials it has not answered
 * before (its first offer, an ICE restart, a move to another bridge); re-offers on the same ICE
 * session (sources added or removed) continue the attempt in progress. Each attempt is counted
 * once: {@code connected} at the first connected report, {@code failed} at a failed report or an
 * `ice-restart` before that, {@code abandoned} when the participant leaves or the credentials
 * change before either.
 */
final class ConnectionAttempts {

  /** How an attempt ended, as the {@code outcome} tag of {@code webrtc_connection_attempts}. */
  enum Outcome {
    CONNECTED,
    FAILED,
    ABANDONED;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final SignallingMetrics metrics;
  private String answeredUfrag;
  private boolean pending;

  ConnectionAttempts(SignallingMetrics metrics) {
    this.metrics = metrics;
  }

  /** The browser answered an offer whose ICE ufrag was {@code ufrag}. */
  synchronized void answered(String ufrag) {
    if (ufrag.equals(answeredUfrag)) {
      return;
    }
    resolve(Outcome.ABANDONED);
    answeredUfrag = ufrag;
    pending = true;
  }

  /** The browser reported its ICE state. */
  synchronized void reported(ClientMessage.IceState.State state) {
    resolve(state == ClientMessage.IceState.State.CONNECTED ? Outcome.CONNECTED : Outcome.FAILED);
  }

  /** The browser asked for an ICE restart. */
  synchronized void restarted() {
    resolve(Outcome.FAILED);
  }

  /** The participant left. */
  synchronized void ended() {
    resolve(Outcome.ABANDONED);
  }

  private void resolve(Outcome outcome) {
    if (pending) {
      pending = false;
      metrics.connectionAttempt(outcome);
    }
  }

  /** The session-level (or first media-level) {@code a=ice-ufrag} of an SDP, or "". */
  static String iceUfrag(String sdp) {
    int at = sdp.indexOf("a=ice-ufrag:");
    if (at < 0) {
      return "";
    }
    int start = at + "a=ice-ufrag:".length();
    int end = start;
    while (end < sdp.length() && sdp.charAt(end) != '\r' && sdp.charAt(end) != '\n') {
      end++;
    }
    return sdp.substring(start, end).strip();
  }
}
