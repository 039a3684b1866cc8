package io.openmeet.litebridge.media;

import io.openmeet.transport.DtlsFingerprint;
import java.util.List;

/** The peer's transport as sent in a Colibri2 endpoint update. */
public record RemoteTransport(
    String ufrag,
    String password,
    List<IceCandidate> candidates,
    List<DtlsFingerprint> fingerprints) {
  public RemoteTransport {
    candidates = List.copyOf(candidates);
    fingerprints = List.copyOf(fingerprints);
  }
}
