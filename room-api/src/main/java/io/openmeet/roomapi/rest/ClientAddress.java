package io.openmeet.roomapi.rest;

import io.vertx.core.http.HttpServerRequest;

/** The address rate limits count by (the proxy's view if quarkus.http.proxy.* trusts one). */
final class ClientAddress {

  private ClientAddress() {}

  static String of(HttpServerRequest request) {
    var address = request.remoteAddress();
    return address == null || address.hostAddress() == null ? "unknown" : address.hostAddress();
  }
}
