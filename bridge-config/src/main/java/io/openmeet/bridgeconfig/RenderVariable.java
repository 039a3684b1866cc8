package io.openmeet.bridgeconfig;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every variable a template may use, with its kind and meaning. The Prosody names are the ones
 * scripts/lib/prosody.sh hands to envsubst; the bridge names are shared by JVB and lite-bridge.
 */
public enum RenderVariable {
  XMPP_DOMAIN(VariableKind.DOMAIN, "main XMPP domain (clients, conference MUC), e.g. meet.local"),
  XMPP_AUTH_DOMAIN(VariableKind.DOMAIN, "domain holding the focus and bridge accounts"),
  XMPP_INTERNAL_MUC(VariableKind.DOMAIN, "internal MUC component holding the brewery room"),
  XMPP_CONFERENCE_MUC(VariableKind.DOMAIN, "MUC component for conference rooms"),
  XMPP_HOST(VariableKind.HOST, "Prosody's address: where it listens, and where bridges connect"),
  XMPP_PORT(VariableKind.PORT, "Prosody's client-to-server port (5222)"),
  XMPP_DISABLE_CERTIFICATE_VERIFICATION(
      VariableKind.BOOLEAN, "whether bridges accept Prosody's self-signed certificate"),
  PROSODY_DIR(VariableKind.PATH, "Prosody's data, log and pid directory"),
  PROSODY_REQUIRE_TLS(VariableKind.BOOLEAN, "whether c2s requires TLS (false on loopback)"),
  BREWERY_ROOM(VariableKind.IDENTIFIER, "brewery room name, jvbbrewery"),
  JVB_USER(VariableKind.IDENTIFIER, "bridge account on the auth domain, jvb"),
  JVB_PASSWORD(VariableKind.SECRET, "bridge account password"),
  JVB_BRIDGE_ID(
      VariableKind.IDENTIFIER, "unique bridge id: brewery nickname, relay id, WebSocket server id"),
  JVB_REGION(VariableKind.IDENTIFIER, "region the bridge serves, e.g. eu-west-1"),
  JVB_PRESENCE_INTERVAL(VariableKind.DURATION, "how often stats are refreshed in presence"),
  JVB_PRIVATE_HOST(VariableKind.HOST, "bind address of the private REST server (localhost)"),
  JVB_PRIVATE_PORT(VariableKind.PORT, "private REST port: health, stats, drain, shutdown"),
  JVB_PUBLIC_PORT(VariableKind.PORT, "public HTTP port serving the bridge-channel WebSockets"),
  JVB_WEBSOCKET_DOMAIN(
      VariableKind.HOST_PORT, "host[:port] browsers use for the bridge channel WebSocket"),
  JVB_WEBSOCKET_TLS(VariableKind.BOOLEAN, "whether browsers reach the WebSocket over wss://"),
  JVB_MEDIA_PORT(VariableKind.PORT, "the single UDP media port (10000)"),
  JVB_BIND_ADDRESS(VariableKind.HOST, "address lite-bridge harvests ICE candidates on"),
  JVB_STUN_ADDRESSES(
      VariableKind.HOST_PORT_LIST, "STUN servers for public address discovery (may be empty)"),
  JVB_AWS_HARVESTER(VariableKind.BOOLEAN, "whether to learn the public address from EC2 metadata"),
  JVB_REQUIRE_VALID_ADDRESS(
      VariableKind.BOOLEAN, "whether JVB is unhealthy with only private or test addresses"),
  JVB_LOAD_MEASUREMENT(
      VariableKind.LOAD_MEASUREMENT, "what JVB's stress_level measures: cpu-usage or packet-rate"),
  JVB_GRACEFUL_SHUTDOWN_MAX(
      VariableKind.DURATION, "longest a graceful shutdown waits for participants to leave");

  private final VariableKind kind;
  private final String description;

  RenderVariable(VariableKind kind, String description) {
    this.kind = kind;
    this.description = description;
  }

  /** The shape the value must have. */
  public VariableKind kind() {
    return kind;
  }

  /** One line saying what the variable means. */
  public String description() {
    return description;
  }

  /** Looks a placeholder name up. */
  public static Optional<RenderVariable> named(String name) {
    return Arrays.stream(values()).filter(v -> v.name().equals(name)).findFirst();
  }
}
