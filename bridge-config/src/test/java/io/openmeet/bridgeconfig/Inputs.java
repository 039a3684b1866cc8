package io.openmeet.bridgeconfig;

import java.util.HashMap;
import java.util.Map;

/** Render inputs used across the tests: a local run and a production-like bridge. */
final class Inputs {
  private Inputs() {}

  static Map<String, String> local() {
    Map<String, String> values = new HashMap<>(LocalDefaults.values());
    values.put("JVB_PASSWORD", "local-Secret-123");
    values.put("PROSODY_DIR", "/var/tmp/openmeet/prosody-5222");
    return values;
  }

  static Map<String, String> production() {
    Map<String, String> values = local();
    values.put("XMPP_DOMAIN", "meet.example.com");
    values.put("XMPP_AUTH_DOMAIN", "auth.meet.example.com");
    values.put("XMPP_INTERNAL_MUC", "internal.auth.meet.example.com");
    values.put("XMPP_CONFERENCE_MUC", "conference.meet.example.com");
    values.put("XMPP_HOST", "openmeet-prosody.meet.svc.cluster.local");
    values.put("JVB_BRIDGE_ID", "openmeet-jvb-3");
    values.put("JVB_REGION", "eu-west-1");
    values.put("JVB_PRIVATE_PORT", "8080");
    values.put("JVB_WEBSOCKET_DOMAIN", "meet.example.com:443");
    values.put("JVB_WEBSOCKET_TLS", "true");
    values.put("JVB_STUN_ADDRESSES", "stun1.example.com:3478,stun2.example.com:443");
    values.put("JVB_AWS_HARVESTER", "true");
    values.put("JVB_REQUIRE_VALID_ADDRESS", "true");
    values.put("JVB_LOAD_MEASUREMENT", "cpu-usage");
    values.put("JVB_GRACEFUL_SHUTDOWN_MAX", "3 hours");
    values.put("PROSODY_DIR", "/var/lib/prosody");
    return values;
  }
}
