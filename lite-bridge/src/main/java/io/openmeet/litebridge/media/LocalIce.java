package io.openmeet.litebridge.media;

import java.util.List;

/** The bridge side's ICE parameters for one endpoint. */
public record LocalIce(String ufrag, String password, List<IceCandidate> candidates) {
  public LocalIce {
    candidates = List.copyOf(candidates);
  }
}
