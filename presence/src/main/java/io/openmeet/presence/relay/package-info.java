/**
 * Messages between control-plane nodes: one inbox per node id that any node can send to, over
 * direct TCP links between the nodes ({@code TcpNodeMessaging}); Redis only tells where each node
 * listens ({@code RedisNodeAddresses}). The payload is opaque here; its format belongs to the
 * sender (focus-controller's relay).
 */
package io.openmeet.presence.relay;
