package io.openmeet.focus.sdp;

import java.util.List;
import java.util.Objects;

/** One side's ICE credentials, candidates and DTLS fingerprints, shared by all bundled m-lines. */
public record TransportDescription(
    String ufrag, String pwd, List<DtlsFingerprint> fingerprints, List<IceCandidate> candidates) {

  public TransportDescription {
    Objects.requireNonNull(ufrag, "ufrag");
    Objects.requireNonNull(pwd, "pwd");
    fingerprints = List.copyOf(fingerprints);
    candidates = List.copyOf(candidates);
  }
}
