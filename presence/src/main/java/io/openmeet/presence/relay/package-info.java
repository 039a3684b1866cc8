/**
 * Messages between control-plane nodes: one inbox per node id that any node can send to (Redis
 * pub/sub). The payload is opaque here; its format belongs to the sender (focus-controller's
 * relay).
 */
package io.openmeet.presence.relay;
