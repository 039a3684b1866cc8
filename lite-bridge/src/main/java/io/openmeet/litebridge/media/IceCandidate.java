package io.openmeet.litebridge.media;

/**
 * An ICE candidate as Colibri2 carries it (`urn:xmpp:jingle:transports:ice-udp:1` candidate
 * element).
 *
 * @param type host, srflx, prflx or relay
 * @param relatedAddress null for host candidates
 */
public record IceCandidate(
    String foundation,
    int component,
    String protocol,
    long priority,
    String ip,
    int port,
    String type,
    int generation,
    String relatedAddress,
    int relatedPort) {}
