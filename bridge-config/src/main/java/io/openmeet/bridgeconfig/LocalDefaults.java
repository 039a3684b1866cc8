package io.openmeet.bridgeconfig;

import java.util.Map;

/**
 * Values for a one-machine run (the default names and ports in docs/DEPLOYMENT.md; lite-bridge
 * serves its bridge-channel WebSockets on its private port 8180). Secrets have no default: they
 * come from .local/secrets.env through the environment.
 */
public final class LocalDefaults {
  private LocalDefaults() {}

  /** The defaults by variable name; callers overlay the environment on top. */
  public static Map<String, String> values() {
    return Map.ofEntries(
        Map.entry("XMPP_DOMAIN", "meet.local"),
        Map.entry("XMPP_AUTH_DOMAIN", "auth.meet.local"),
        Map.entry("XMPP_INTERNAL_MUC", "internal.auth.meet.local"),
        Map.entry("XMPP_CONFERENCE_MUC", "conference.meet.local"),
        Map.entry("XMPP_HOST", "127.0.0.1"),
        Map.entry("XMPP_PORT", "5222"),
        Map.entry("XMPP_DISABLE_CERTIFICATE_VERIFICATION", "true"),
        Map.entry("PROSODY_REQUIRE_TLS", "false"),
        Map.entry("BREWERY_ROOM", "jvbbrewery"),
        Map.entry("JVB_USER", "jvb"),
        Map.entry("JVB_BRIDGE_ID", "lite-bridge-1"),
        Map.entry("JVB_REGION", "local"),
        Map.entry("JVB_PRESENCE_INTERVAL", "5 seconds"),
        Map.entry("JVB_PRIVATE_HOST", "127.0.0.1"),
        Map.entry("JVB_PRIVATE_PORT", "8180"),
        Map.entry("JVB_PUBLIC_PORT", "9090"),
        Map.entry("JVB_WEBSOCKET_DOMAIN", "127.0.0.1:8180"),
        Map.entry("JVB_WEBSOCKET_TLS", "false"),
        Map.entry("JVB_MEDIA_PORT", "10000"),
        Map.entry("JVB_BIND_ADDRESS", "127.0.0.1"),
        Map.entry("JVB_STUN_ADDRESSES", ""),
        Map.entry("JVB_AWS_HARVESTER", "false"),
        Map.entry("JVB_REQUIRE_VALID_ADDRESS", "false"),
        Map.entry("JVB_LOAD_MEASUREMENT", "packet-rate"),
        Map.entry("JVB_GRACEFUL_SHUTDOWN_MAX", "2 hours"));
  }
}
