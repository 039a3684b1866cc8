package io.openmeet.focus.sdp;

/** SDP that could not be read; {@link #reason()} says what was wrong and {@link #line()} where. */
public final class SdpParseException extends Exception {

  /** What was wrong with the SDP. */
  public enum Reason {
    /** No content at all. */
    EMPTY,
    /** Longer than {@link SdpParser#MAX_LENGTH} characters or too many lines. */
    TOO_LARGE,
    /** A line that is not {@code <letter>=<value>} or a line type SDP does not define. */
    BAD_LINE,
    /** The first line is not {@code v=0}. */
    BAD_VERSION,
    /** A malformed {@code o=} line, or it is missing. */
    BAD_ORIGIN,
    /** A malformed {@code m=} line. */
    BAD_MEDIA_LINE,
    /** A malformed attribute value. */
    BAD_ATTRIBUTE,
    /** An m-line without {@code a=mid} (unified plan needs one on every m-line). */
    MISSING_MID,
    /** The same mid on two m-lines. */
    DUPLICATE_MID,
    /** No {@code a=ice-ufrag}/{@code a=ice-pwd}, or values ICE does not allow. */
    BAD_ICE_CREDENTIALS,
    /** No {@code a=fingerprint}, or a malformed one. */
    BAD_FINGERPRINT,
    /** A missing or malformed {@code a=setup}, or {@code actpass} in an answer. */
    BAD_SETUP,
    /** A malformed {@code a=candidate}. */
    BAD_CANDIDATE,
    /** A malformed {@code a=ssrc} or {@code a=ssrc-group}, or a group naming an undeclared SSRC. */
    BAD_SSRC,
    /** The answer does not match the offer it answers (m-lines, mids or kinds differ). */
    ANSWER_MISMATCH
  }

  private final Reason reason;
  private final int line;

  /** An error at a 1-based line number, or 0 when it concerns the whole description. */
  public SdpParseException(Reason reason, int line, String message) {
    super(line > 0 ? message + " (line " + line + ")" : message);
    this.reason = reason;
    this.line = line;
  }

  public Reason reason() {
    return reason;
  }

  /** The 1-based line the error was found on, 0 when it concerns the whole description. */
  public int line() {
    return line;
  }
}
