package io.openmeet.focus.sdp;

import java.util.Objects;

/**
 * A certificate fingerprint with the DTLS role of its side.
 *
 * @param hash the hash function, e.g. {@code sha-256}
 * @param value upper- or lower-case hex pairs separated by colons
 */
public record DtlsFingerprint(String hash, String value, Setup setup) {

  public DtlsFingerprint {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(setup, "setup");
  }

  /** The value of {@code a=fingerprint}. */
  public String render() {
    return hash + " " + value;
  }
}
