package io.openmeet.roomapi.rest;

import io.openmeet.roomapi.config.OpenmeetConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** Builds the absolute join and signalling URLs handed to clients. */
@ApplicationScoped
public class Urls {

  private final String base;
  private final String signalling;

  Urls(OpenmeetConfig config) {
    String url = config.publicUrl().replaceAll("/+$", "");
    this.base = url;
    String ws =
        url.startsWith("https://")
            ? "wss://" + url.substring(8)
            : "ws://" + url.replaceFirst("^http://", "");
    String path =
        config.signallingPath().startsWith("/")
            ? config.signallingPath()
            : "/" + config.signallingPath();
    this.signalling = ws + path;
  }

  public String join(String slug) {
    return base + "/" + slug;
  }

  /** The room's signalling WebSocket, {@code ws(s)://<host>/api/signalling/<slug>}. */
  public String signalling(String slug) {
    return signalling + "/" + slug;
  }
}
