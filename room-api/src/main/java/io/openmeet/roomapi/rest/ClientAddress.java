package io.openmeet.roomapi.rest;

import io.vertx.core.http.HttpServerRequest;

/**
 * The address rate limits and the signalling socket cap count by (the proxy's view when
 * quarkus.http.proxy.* trusts one).
 */
public final class ClientAddress {

  private ClientAddress() {}

  public static String of(HttpServerRequest request) {
    var address = request.remoteAddress();
    return address == null || address.hostAddress() == null ? "unknown" : address.hostAddress();
  }
}
