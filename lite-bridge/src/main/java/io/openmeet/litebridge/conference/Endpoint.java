package io.openmeet.litebridge.conference;

import io.openmeet.litebridge.media.EndpointTransport;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/** One Colibri2 endpoint: its media transport, its bridge-channel password and its activity. */
public final class Endpoint {
  private static final String PASSWORD_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final int PASSWORD_LENGTH = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String id;
  private final String statsId;
  private final EndpointTransport transport;
  private final String webSocketPassword;
  private final Clock clock;
  private volatile Instant lastSignal;
  private volatile boolean expired;

  Endpoint(String id, String statsId, EndpointTransport transport, Clock clock) {
    this.id = Objects.requireNonNull(id);
    this.statsId = statsId;
    this.transport = Objects.requireNonNull(transport);
    this.clock = clock;
    this.webSocketPassword = randomPassword();
    this.lastSignal = clock.instant();
  }

  public String id() {
    return id;
  }

  public String statsId() {
    return statsId;
  }

  public EndpointTransport transport() {
    return transport;
  }

  /** The colibri-ws `pwd`: random, fixed for the endpoint's lifetime (as JVB does). */
  public String webSocketPassword() {
    return webSocketPassword;
  }

  /** Records signalling activity (a Colibri2 update or a bridge-channel message). */
  public void touch() {
    lastSignal = clock.instant();
  }

  /** The latest of the last signalling activity and the last packet the media plane saw. */
  public Instant lastActivity() {
    Instant media = transport.lastActivity();
    Instant signal = lastSignal;
    return media != null && media.isAfter(signal) ? media : signal;
  }

  public boolean isExpired() {
    return expired;
  }

  void expire() {
    expired = true;
    transport.close();
  }

  /** Whether a bridge-channel password matches, in constant time. */
  public boolean passwordMatches(String candidate) {
    return candidate != null
        && java.security.MessageDigest.isEqual(
            candidate.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            webSocketPassword.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String randomPassword() {
    StringBuilder sb = new StringBuilder(PASSWORD_LENGTH);
    for (int i = 0; i < PASSWORD_LENGTH; i++) {
      sb.append(PASSWORD_ALPHABET.charAt(RANDOM.nextInt(PASSWORD_ALPHABET.length())));
    }
    return sb.toString();
  }
}
